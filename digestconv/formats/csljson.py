"""CSL-JSON: one CSL item per paper, valid against the official ``csl-data.json`` schema.

Item layout (keys written only when the paper has a value)::

    {
      "id": "arxiv2403.15711",              # the same key as the BibTeX entry
      "type": "article",                    # CSL's type for preprints
      "genre": "Preprint",
      "title": "Identifiable Latent Neural Causal Models",
      "publisher": "arXiv",                 # the repository, as CSL has it for preprints
      "number": "arXiv:2403.15711",         # the repository's identifier
      "version": "1",
      "issued": {"date-parts": [[2024, 3]]},  # first submission, from the identifier
      "DOI": "10.48550/arXiv.2403.15711",
      "URL": "https://arxiv.org/abs/2403.15711",
      "abstract": "...",                    # a cut abstract ends with " [...]"
      "custom": {
        "arxiv_id": "2403.15711",
        "url": "https://rss.arxiv.org/abs/2403.15711",   # the link as written
        "title_zh": "...", "summary_zh": "...", "summary_en": "...", "abstract_zh": "...",
        "announce_type": "new", "primary_category": "cs.LG",
        "abstract_truncated": true, "translation_truncated": false,
        "original": {"title": "Schr\\\\\\"odinger ..."}   # only when LaTeX was decoded
      }
    }

With arXiv metadata (``Batch.record(paper)``) an item has ``author``
(``family``/``given``/``suffix``, or ``literal``), ``issued`` the full v1 date,
``version`` arXiv's latest, ``keyword`` the categories, arXiv's title and
abstract (see :mod:`digestconv.enrich.merge`), and no ``custom`` (Zotero drops it
and citeproc-py warns about it): the digest's own text goes to ``note``, which
Zotero keeps as Extra, as ``label: text`` lines (``标题``, ``摘要``, ``Summary``,
``译文``, ``Announce type``, ``Link``, ``Journal reference``, ``Other DOIs``,
``Class codes``, ``arXiv comment``, ``Truncated``), and is read back from there.  ``DOI`` is the
first journal DOI arXiv gives, else arXiv's own; ``Other DOIs`` lists the rest,
arXiv's first (as in :mod:`digestconv.formats.bibtex`).  ``keyword`` holds arXiv
categories only; MSC and ACM class codes go to ``Class codes`` (``MSC 03B70``).
A withdrawn paper (arXiv's latest version is a withdrawal notice) has ``status``
``withdrawn`` and a first ``note`` line saying so.

Chinese titles and summaries never go to a CSL title variable: CSL 1.0.2 has
no variable for a translation (``original-title`` is the untranslated original,
here the English title itself, and ``title-short`` an abbreviation), so styles
such as GB/T 7714-2015 print the English reference, and the Chinese text stays in
``custom`` or ``note`` (Zotero's Extra).

CSL 1.0.2 describes ``article`` as "a preprint, working paper, or other
prepublication material"; the repository goes to ``publisher`` and its identifier
to ``number`` (what reference managers export for arXiv preprints); ``genre``
names the kind of work, so styles print "Preprint".  ``archive`` is left out: it
names where an item is stored physically and would repeat ``publisher`` in print.
Everything without a CSL variable lives under ``custom``, CSL's documented place
for key-value data (the schema forbids unknown top-level keys).  No ``author`` is
written: digests name none and none is invented.

``title`` and ``abstract`` are plain text: the LaTeX accent commands and escaped
specials the BibTeX writer keeps (``Schr\\"odinger``, ``50\\%``) are turned into the
characters they stand for (``Schrödinger``, ``50%``), and the text as written is kept
in ``custom.original``.  TeX math is kept as written, except math that is one symbol
(``$\\alpha$`` is ``α``); see :func:`digestconv.latex.to_unicode`.  Other text is
normalised as in :mod:`digestconv.formats.bibtex` (control characters removed,
line breaks as spaces).

Output is deterministic: ``json.dumps(items, ensure_ascii=False, indent=2)`` plus a
newline; with ``Batch.ascii`` every non-ASCII character is written as a ``\\u`` escape
(lossless).  Fields carried: as for BibTeX (``ref``, ``line``, ``end_line`` are not).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from ..arxiv import version_from_text
from ..jsontext import dumps
from ..latex import to_unicode
from ..model import Paper
from ._common import (
    KeyedEntries,
    abs_url,
    class_codes,
    doi,
    dois,
    issued,
    labelled_lines,
    withdrawal,
)
from .base import Batch, Format, FormatError, streamed
from .bibtex import (
    ANNOTE_LABELS,
    CLASSES_LABEL,
    COMMENT_LABEL,
    DIGEST_TITLE_LABEL,
    DIGEST_VERSION_LABEL,
    OTHER_DOIS_LABEL,
    TRUNCATION_MARKER,
    name_part,
    normalise,
)

if TYPE_CHECKING:
    from ..enrich.record import ArxivRecord, Author

_CUSTOM_TEXT = ("title_zh", "summary_zh", "summary_en", "abstract_zh")


def csl_name(author: Author) -> dict[str, str] | None:
    """One CSL name: ``family``/``given``/``suffix``, or ``literal``; ``None`` when empty."""
    family, given = name_part(author.family), name_part(author.given)
    suffix, literal = name_part(author.suffix), name_part(author.literal)
    if literal is None and family is None:
        literal, given = given, None
    if literal is not None:
        return {"literal": to_unicode(literal)}
    if family is None:
        return None
    out = {"family": to_unicode(family)}
    if given is not None:
        out["given"] = to_unicode(given)
    if suffix is not None:
        out["suffix"] = to_unicode(suffix)
    return out


def item(paper: Paper, key: str, record: ArxivRecord | None = None) -> dict[str, Any]:
    """The CSL item of one paper with citation key ``key`` (and its arXiv metadata)."""
    if record is not None:
        return _enriched(paper, key, record)
    out: dict[str, Any] = {"id": key, "type": "article", "genre": "Preprint"}
    original: dict[str, str] = {}
    title = normalise(paper.title)
    if title is not None:
        out["title"] = to_unicode(title)
        if out["title"] != title:
            original["title"] = title
    out["publisher"] = "arXiv"
    arxiv_id = normalise(paper.arxiv_id)
    if arxiv_id is not None:
        out["number"] = f"arXiv:{arxiv_id}"
    if paper.version is not None:
        out["version"] = str(paper.version)
    date = issued(paper)
    if date is not None:
        out["issued"] = {"date-parts": [list(date)]}
    the_doi = doi(paper)
    if the_doi is not None:
        out["DOI"] = the_doi
    url = abs_url(paper)
    if url is not None:
        out["URL"] = normalise(url)
    abstract = normalise(paper.abstract)
    if abstract is not None:
        shown = to_unicode(abstract)
        if shown != abstract:
            original["abstract"] = abstract
        out["abstract"] = shown + (TRUNCATION_MARKER if paper.abstract_truncated else "")
    custom: dict[str, Any] = {}
    if arxiv_id is not None:
        custom["arxiv_id"] = arxiv_id
    written = normalise(paper.url)
    if written is not None:
        custom["url"] = written
    for name in _CUSTOM_TEXT:
        value = normalise(getattr(paper, name))
        if value is not None:
            custom[name] = value
    for name in ("announce_type", "primary_category"):
        value = normalise(getattr(paper, name))
        if value is not None:
            custom[name] = value
    custom["abstract_truncated"] = paper.abstract_truncated
    custom["translation_truncated"] = paper.translation_truncated
    if original:
        custom["original"] = original
    out["custom"] = custom
    return out


def _enriched(paper: Paper, key: str, record: ArxivRecord) -> dict[str, Any]:
    """The item of a paper with arXiv metadata: the digest-only item, with arXiv's
    facts (see :mod:`digestconv.enrich.merge`), authors, the v1 date and a ``note``."""
    import dataclasses

    from ..enrich.merge import merge

    m = merge(paper, record)
    merged = dataclasses.replace(
        paper,
        title=m.title,
        abstract=m.abstract,
        abstract_truncated=m.abstract_truncated,
        version=m.version,
        primary_category=m.primary_category or paper.primary_category,
    )
    base = item(merged, key)
    out: dict[str, Any] = {"id": key, "type": "article", "genre": "Preprint"}
    if "title" in base:
        out["title"] = base["title"]
    names = [n for n in (csl_name(a) for a in m.authors) if n]
    if names:
        out["author"] = names
    for name in ("publisher", "number", "version"):
        if name in base:
            out[name] = base[name]
    mark = withdrawal(record)
    if mark is not None:
        out["status"] = "withdrawn"
    ymd = m.year_month_day
    if ymd is not None:
        out["issued"] = {"date-parts": [list(ymd)]}
    elif "issued" in base:
        out["issued"] = base["issued"]
    printed, others = dois(paper, m.journal_doi)
    if printed is not None:
        out["DOI"] = printed
    for name in ("URL", "abstract"):
        if name in base:
            out[name] = base[name]
    if m.categories:
        out["keyword"] = ", ".join(m.categories)
    note = _note(paper, m, base, others, mark)
    if note is not None:
        out["note"] = note
    return out


#: ``note`` labels of the digest fields that have no CSL variable (besides ANNOTE_LABELS)
ANNOUNCE_LABEL = "Announce type"
LINK_LABEL = "Link"
TRUNCATED_LABEL = "Truncated"


def _note(
    paper: Paper,
    m: Any,
    base: dict[str, Any],
    other_dois: tuple[str, ...],
    withdrawn: str | None,
) -> str | None:
    """``note`` (Zotero's Extra) of an item with arXiv metadata: the digest's own text
    and fields, then arXiv's journal reference, the DOIs besides ``DOI`` and comment, as
    ``label: text`` lines (none of the labels is a CSL variable Zotero would parse)."""
    lines = [withdrawn] if withdrawn is not None else []
    for name, label in ANNOTE_LABELS:
        value = normalise(getattr(paper, name))
        if value is not None:
            lines.append(f"{label}: {value}")
    if m.digest_title is not None and normalise(m.digest_title):
        lines.append(f"{DIGEST_TITLE_LABEL}: {normalise(m.digest_title)}")
    if m.digest_version is not None:
        lines.append(f"{DIGEST_VERSION_LABEL}: v{m.digest_version}")
    custom = base["custom"]
    for label, value in (
        (ANNOUNCE_LABEL, custom.get("announce_type")),
        (LINK_LABEL, custom.get("url") if custom.get("url") != base.get("URL") else None),
        ("Journal reference", m.journal_ref),
        (OTHER_DOIS_LABEL, " ".join(other_dois) or None),
        (CLASSES_LABEL, ", ".join(class_codes(m.classes)) or None),
        (COMMENT_LABEL, m.comment),
    ):
        value = normalise(value)
        if value is not None:
            lines.append(f"{label}: {to_unicode(value)}")
    flags = [
        name
        for name, on in (
            ("abstract-truncated", m.abstract_truncated),
            ("translation-truncated", paper.translation_truncated),
        )
        if on
    ]
    if flags:
        lines.append(f"{TRUNCATED_LABEL}: {', '.join(flags)}")
    return "\n".join(lines) or None


def _read_note(note: str | None) -> dict[str, Any]:
    """The Paper fields of a ``note`` written by :func:`_note` (no ``custom``)."""
    out: dict[str, Any] = {}
    if not note:
        return out
    labels = {label: name for name, label in ANNOTE_LABELS}
    labels.update({ANNOUNCE_LABEL: "announce_type", LINK_LABEL: "url"})
    for label, text in labelled_lines(note):
        if label in labels:
            out.setdefault(labels[label], text)
        elif label == TRUNCATED_LABEL:
            flags = {f.strip() for f in text.split(",")}
            out["abstract_truncated"] = "abstract-truncated" in flags
            out["translation_truncated"] = "translation-truncated" in flags
    return out


def _str(value: Any, where: str, number: bool = False) -> str | None:
    if value is None:
        return None
    kinds = (str, int) if number else str
    if not isinstance(value, kinds) or isinstance(value, bool):
        raise FormatError(f"{where}: expected a string, got {type(value).__name__}")
    return str(value) or None


def paper(obj: Any, index: int = 0) -> Paper:
    """The paper of one CSL item (inverse of :func:`item`); raise :class:`FormatError`."""
    if not isinstance(obj, dict):
        raise FormatError(f"item {index}: expected an object")
    where = f"item {index} ({obj.get('id')!r})"
    custom = obj.get("custom") or {}
    if not isinstance(custom, dict):
        raise FormatError(f"{where}: 'custom' is not an object")
    original = custom.get("original") or {}
    if not isinstance(original, dict):
        raise FormatError(f"{where}: 'custom.original' is not an object")

    if not custom:
        # an item written with arXiv metadata keeps the digest's fields in its note
        custom = _read_note(_str(obj.get("note"), f"{where}: note"))
        keyword = _str(obj.get("keyword"), f"{where}: keyword")
        if keyword:
            custom["primary_category"] = keyword.split(",")[0].strip() or None

    def text(name: str) -> str | None:
        return _str(custom.get(name), f"{where}: custom.{name}")

    arxiv_id = text("arxiv_id")
    if arxiv_id is None:
        number = _str(obj.get("number"), f"{where}: number", number=True)
        if number is not None:
            arxiv_id = number.removeprefix("arXiv:") or None
    version_text = _str(obj.get("version"), f"{where}: version", number=True)
    version = version_from_text(version_text)
    truncated = custom.get("abstract_truncated") is True
    abstract = _str(obj.get("abstract"), f"{where}: abstract")
    if abstract is not None and truncated and abstract.endswith(TRUNCATION_MARKER):
        abstract = abstract[: -len(TRUNCATION_MARKER)] or None
    if "abstract" in original:
        abstract = _str(original["abstract"], f"{where}: custom.original.abstract")
    title = _str(obj.get("title"), f"{where}: title")
    if "title" in original:
        title = _str(original["title"], f"{where}: custom.original.title")
    return Paper(
        arxiv_id=arxiv_id,
        version=version,
        url=text("url") or _str(obj.get("URL"), f"{where}: URL"),
        title=title,
        title_zh=text("title_zh"),
        summary_zh=text("summary_zh"),
        summary_en=text("summary_en"),
        abstract=abstract,
        abstract_zh=text("abstract_zh"),
        announce_type=text("announce_type"),
        primary_category=text("primary_category"),
        abstract_truncated=truncated,
        translation_truncated=custom.get("translation_truncated") is True,
    )


class CslJson(Format):
    """CSL-JSON items (``type: article``, arXiv as publisher); readable back."""

    name: ClassVar[str] = "csl-json"
    suffixes: ClassVar[tuple[str, ...]] = (".csl.json", ".csljson", ".json")
    aliases: ClassVar[tuple[str, ...]] = ("csljson", "csl")
    media_type: ClassVar[str] = "application/vnd.citationstyles.csl+json"
    description: ClassVar[str] = "CSL-JSON items for Zotero, pandoc and citeproc"

    def chunks(self, batch: Batch) -> Iterator[str]:
        """A JSON array of CSL items in batch order, indented, with a final newline.

        The bytes are those of ``json.dumps(items, indent=2)``: each item is
        dumped alone and indented one level (JSON strings hold no raw newline).
        """
        return streamed(self.entry_stream(batch), batch.papers)

    def entry_stream(self, batch: Batch) -> _Items:
        """The items one at a time (each depends on its paper, key and arXiv record only)."""
        return _Items(batch)

    def read(self, text: str) -> list[Paper]:
        """Papers from a CSL-JSON array (inverse of :meth:`write`)."""
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise FormatError(f"not JSON: {exc}") from exc
        if not isinstance(data, list):
            raise FormatError("CSL-JSON must be an array of items")
        return [paper(obj, i) for i, obj in enumerate(data, 1)]


class _Items(KeyedEntries):
    """CSL-JSON items one at a time, inside one indented array."""

    start, first, between = "[", "\n  ", ",\n  "

    def render(self, paper: Paper, key: str) -> str:
        batch = self.batch
        # as json.dumps(indent=2) writes it, without that encoder's garbage cycles
        text = dumps(item(paper, key, batch.record(paper)), ensure_ascii=batch.ascii)
        return text.replace("\n", "\n  ")

    def tail(self) -> str:
        return "\n]\n" if self.count else "]\n"
