"""Helpers shared by the format writers: identifiers, dates, keys and text cleaning.

Everything here is derived from the paper's arXiv identifier or is plain string
work, so every writer agrees on the same URL, DOI, date and citation key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from ..arxiv import abs_url as _abs_url
from ..arxiv import check_id
from ..model import Paper
from ..text import strip_illegal

if TYPE_CHECKING:
    from ..enrich.record import ArxivRecord
    from .base import Batch

__all__ = [
    "KeyedEntries",
    "Keys",
    "abs_url",
    "citation_key",
    "class_codes",
    "doi",
    "dois",
    "invert_key",
    "issued",
    "journal_dois",
    "keyed",
    "paper_key",
    "paper_keys",
    "strip_illegal",
    "withdrawal",
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


_DOI_SEPARATORS = re.compile(r"[\s,;]+")
_DOI_RESOLVER = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", re.IGNORECASE)


def journal_dois(value: str | None) -> tuple[str, ...]:
    """The DOIs of arXiv's ``doi`` field, in its order, each once.

    arXiv's field can hold several DOIs separated by spaces (an article and
    its erratum, or the two parts of a paper); a resolver prefix is dropped.
    """
    out: list[str] = []
    for part in _DOI_SEPARATORS.split(value or ""):
        part = _DOI_RESOLVER.sub("", part)
        if part.startswith("10.") and "/" in part and part not in out:
            out.append(part)
    return tuple(out)


def dois(paper: Paper, journal: str | None = None) -> tuple[str | None, tuple[str, ...]]:
    """``(printed, others)``: the DOI a citation prints and every other DOI of the paper.

    The printed one is the first journal DOI arXiv gives (``journal`` is arXiv's
    ``doi`` field), else arXiv's own DOI (:func:`doi`).  ``others`` holds the
    rest: arXiv's DOI first (it names the preprint, and the arXiv identifier
    the citation carries gives it back), then the further journal DOIs.
    """
    found = journal_dois(journal)
    arxiv = doi(paper)
    if not found:
        return arxiv, ()
    rest = tuple(d for d in (arxiv, *found[1:]) if d is not None)
    return found[0], rest


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


def keyed(papers: Iterable[Paper]) -> Iterator[tuple[Paper, str]]:
    """Each paper with its citation key, in order, keys unique ignoring case.

    Each key is :func:`paper_key`; a key already taken (only possible for invalid
    or repeated identifiers) gets ``-2``, ``-3``... appended.  Papers are taken
    one at a time; only the keys given out so far are remembered.
    """
    keys = Keys()
    for paper in papers:
        yield paper, keys.next(paper)


class KeyedEntries:
    """An :class:`~digestconv.formats.base.EntryStream` of entries that each take the next
    citation key (:class:`Keys`), with :attr:`first` before the first entry and
    :attr:`between` before each later one.  Subclasses write :meth:`render`."""

    #: what comes before the first entry, before every later one, and at the very start
    first = ""
    between = "\n"
    start = ""

    def __init__(self, batch: Batch) -> None:
        self.batch = batch
        self.count = 0
        self._keys = Keys()

    def head(self) -> str:
        """What comes before the entries."""
        return self.start

    def entry(self, paper: Paper) -> str:
        """The next entry, with the separator before it."""
        separator = self.between if self.count else self.first
        self.count += 1
        return separator + self.render(paper, self._keys.next(paper))

    def render(self, paper: Paper, key: str) -> str:
        """One entry's text."""
        raise NotImplementedError

    def tail(self) -> str:
        """What comes after the entries."""
        return ""


class Keys:
    """Citation keys given out one paper at a time, as :func:`keyed` gives them."""

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._index = 0

    def next(self, paper: Paper) -> str:
        """The key of ``paper``, the next paper in order."""
        self._index += 1
        base = paper_key(paper, self._index)
        key, n = base, 1
        seen = self._seen
        while key.lower() in seen:
            n += 1
            key = f"{base}-{n}"
        seen.add(key.lower())
        return key


def paper_keys(papers: Iterable[Paper]) -> list[str]:
    """Citation keys of ``papers`` in order, unique ignoring case (see :func:`keyed`)."""
    return [key for _paper, key in keyed(papers)]


def labelled_lines(text: str) -> Iterator[tuple[str, str]]:
    """``(label, value)`` of every ``label: value`` line of a note with both parts present.

    BibTeX's ``annote`` and CSL-JSON's ``note`` carry the digest's own text this way.
    """
    for line in text.split("\n"):
        label, sep, value = line.partition(": ")
        if sep and value:
            yield label, value


def class_codes(codes: Iterable[str]) -> tuple[str, ...]:
    """Class codes labelled with their scheme: ``MSC 03B70``, ``ACM F.4.1``; a code of
    no known scheme as it is."""
    from ..enrich.record import class_scheme

    out = []
    for code in codes:
        scheme = class_scheme(code)
        out.append(f"{scheme} {code}" if scheme else code)
    return tuple(out)


def withdrawal(record: ArxivRecord | None) -> str | None:
    """The mark every format gives a withdrawn paper, or ``None``.

    A paper is withdrawn when arXiv's latest version is a withdrawal notice
    (:func:`digestconv.enrich.merge.withdrawn`, from its comment or abstract):
    ``Withdrawn: arXiv v2 is a withdrawal notice``.  ``to`` can warn with it.
    """
    if record is None:
        return None
    from ..enrich.merge import withdrawn

    if not withdrawn(record):
        return None
    return f"Withdrawn: arXiv v{record.version} is a withdrawal notice"
