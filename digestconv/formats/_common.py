"""Helpers shared by the format writers: identifiers, dates, keys and text cleaning.

Everything here is derived from the paper's arXiv identifier or is plain string
work, so every writer agrees on the same URL, DOI, date and citation key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

from ..arxiv import abs_url as _abs_url
from ..arxiv import check_id
from ..model import Paper
from ..text import strip_illegal

__all__ = [
    "abs_url",
    "citation_key",
    "doi",
    "invert_key",
    "issued",
    "iter_paper_keys",
    "paper_key",
    "paper_keys",
    "strip_illegal",
]

_KEY_UNSAFE = re.compile(r"[^a-z0-9.\-]")


def issued(paper: Paper) -> tuple[int, int] | None:
    """``(year, month)`` of first submission, from the paper's arXiv identifier.

    ``None`` when the paper has no identifier or it is not a valid one.
    """
    if not paper.arxiv_id:
        return None
    ident, _why = check_id(paper.arxiv_id)
    if ident is None:
        return None
    return ident.year, ident.month


def abs_url(paper: Paper) -> str | None:
    """The canonical ``https://arxiv.org/abs/ID`` URL (no version), else the written URL.

    Falls back to ``paper.url`` when the identifier is missing or invalid;
    ``None`` when the paper has neither.
    """
    if paper.arxiv_id and check_id(paper.arxiv_id)[0] is not None:
        return _abs_url(paper.arxiv_id)
    return paper.url or None


def doi(paper: Paper) -> str | None:
    """arXiv's DataCite DOI ``10.48550/arXiv.ID`` (bare, no resolver prefix), or ``None``."""
    if not paper.arxiv_id:
        return None
    ident, _why = check_id(paper.arxiv_id)
    return ident.doi if ident is not None else None


def citation_key(arxiv_id: str) -> str:
    """The ASCII citation key of an identifier: ``arxiv`` + the ID, ``/`` turned into ``.``.

    ``2403.15711`` -> ``arxiv2403.15711``; ``hep-th/9901001`` ->
    ``arxiv.hep-th.9901001``; ``math.AG/0601001`` -> ``arxiv.math.ag.0601001``.
    Keys are lower case and use only ``a-z 0-9 . -``, so they are unique
    ignoring case (arXiv identifiers differ in more than case) and hold
    nothing BibTeX, biber, pandoc or CSL processors treat specially.  Any
    other character (from an invalid identifier) becomes ``-``.
    """
    text = arxiv_id.strip().lower()
    if "/" in text:
        return "arxiv." + _KEY_UNSAFE.sub("-", text.replace("/", "."))
    return "arxiv" + _KEY_UNSAFE.sub("-", text)


def paper_key(paper: Paper, index: int = 0) -> str:
    """The citation key of a paper; ``paper<index>`` when it has no identifier."""
    if paper.arxiv_id:
        return citation_key(paper.arxiv_id)
    return f"paper{index}"


def invert_key(key: str) -> str | None:
    """The arXiv identifier a :func:`citation_key` came from, when it is a valid one."""
    if key.startswith("arxiv."):
        rest = key[len("arxiv.") :]
        cut = rest.rfind(".")
        if cut <= 0:
            return None
        archive, number = rest[:cut], rest[cut + 1 :]
        # old-style subject class: math.ag -> math.AG
        if "." in archive:
            head, _, sc = archive.partition(".")
            archive = f"{head}.{sc.upper()}"
        candidate = f"{archive}/{number}"
    elif key.startswith("arxiv"):
        candidate = key[len("arxiv") :]
    else:
        return None
    return candidate if check_id(candidate)[0] is not None else None


def paper_keys(papers: Sequence[Paper]) -> list[str]:
    """Citation keys of ``papers`` in order, unique ignoring case (see :func:`iter_paper_keys`)."""
    return [key for _, key in iter_paper_keys(papers)]


def iter_paper_keys(papers: Iterable[Paper]) -> Iterator[tuple[Paper, str]]:
    """Each paper with its citation key, in order, reading ``papers`` once.

    Each key is :func:`paper_key`; a key already taken (only possible for invalid or
    repeated identifiers) gets ``-2``, ``-3``... appended, so keys are unique ignoring case.
    """
    seen: set[str] = set()
    for index, paper in enumerate(papers, 1):
        base = paper_key(paper, index)
        key, n = base, 1
        while key.lower() in seen:
            n += 1
            key = f"{base}-{n}"
        seen.add(key.lower())
        yield paper, key


def labelled_lines(text: str) -> Iterator[tuple[str, str]]:
    """``(label, value)`` of every ``label: value`` line of a note with both parts present.

    BibTeX's ``annote`` and CSL-JSON's ``note`` carry the digest's own text this way.
    """
    for line in text.split("\n"):
        label, sep, value = line.partition(": ")
        if sep and value:
            yield label, value
