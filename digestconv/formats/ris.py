"""RIS: one record per paper, for EndNote, NoteExpress, Mendeley, Zotero and Citavi.

Record layout (tags in this order, each written only when the paper has a value)::

    TY  - UNPB
    ID  - arxiv2403.15711                       # the BibTeX key / CSL id
    AU  - Zhang, Wei                            # one per author (arXiv metadata only)
    TI  - Identifiable Latent Neural Causal Models
    PY  - 2024
    DA  - 2024/03/22                            # v1 date (YYYY/MM from the identifier)
    PB  - arXiv
    DB  - arXiv
    AN  - 2403.15711                            # the arXiv identifier
    DO  - 10.48550/arXiv.2403.15711             # the first journal DOI, else arXiv's
    UR  - https://arxiv.org/abs/2403.15711
    AB  - ...                                   # a cut abstract ends with " [...]"
    KW  - cs.LG                                 # arXiv categories, primary first
                                                # (MSC/ACM codes: an N1 "Class codes" note)
    N1  - Withdrawn: arXiv v2 is a withdrawal notice  # only for a withdrawn paper
    N1  - 标题: 可识别的潜在神经因果模型           # one note per digest text, "label: text"
    N1  - 摘要: ...
    N1  - Summary: ...
    N1  - 译文: ...
    N1  - Journal reference: ...                # arXiv metadata: journal-ref, other DOIs, comment
    C1  - 1                                     # version (the latest one with metadata)
    C2  - new                                   # announce type
    C3  - abstract-truncated                    # truncation flags
    C4  - https://rss.arxiv.org/abs/2403.15711  # the link as written, when it differs from UR
    ER  -

RIS has no preprint type: ``UNPB`` (unpublished work) is the closest, and what
EndNote and Zotero read as an unpublished manuscript or journal article.  Notes
(``N1``) are what every importer keeps (Zotero makes each a child note), so the
Chinese text goes there, one labelled line per field.  ``C1``-``C4`` are RIS's
custom fields (EndNote's "Custom 1-4").  Authors are ``Family, Given`` or
``Family, Given, Suffix`` (the RIS convention), a collaboration as written.

Text is plain UTF-8: the LaTeX accents, letters, escaped specials and one-symbol math
kept in digests become characters (:func:`digestconv.latex.to_unicode`), other TeX math
stays as written, control characters are removed and line breaks become spaces, so every
value is one line.
Lines end in LF; records are separated by a blank line.

Fields read back: ``arxiv_id``, ``version``, ``url``, ``title`` and ``abstract`` (as
plain text), ``title_zh``, ``summary_zh``, ``summary_en``, ``abstract_zh``,
``announce_type``, ``primary_category`` (the first keyword), ``abstract_truncated``,
``translation_truncated``.  Not carried: ``ref``, ``line``, ``end_line``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from ..arxiv import version_from_text
from ..latex import to_unicode
from ..model import Paper
from ._common import KeyedEntries, abs_url, class_codes, dois, issued, withdrawal
from .base import Batch, Format, FormatError, streamed
from .bibtex import (
    ANNOTE_LABELS,
    CLASSES_LABEL,
    COMMENT_LABEL,
    DIGEST_TITLE_LABEL,
    DIGEST_VERSION_LABEL,
    FLAG_ABSTRACT,
    FLAG_TRANSLATION,
    OTHER_DOIS_LABEL,
    TRUNCATION_MARKER,
    normalise,
)

if TYPE_CHECKING:
    from ..enrich.record import ArxivRecord, Author

_LINE = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")
#: line and paragraph separators that line-based RIS readers split on
_ONE_LINE = {0x2028: " ", 0x2029: " "}
_JOURNAL_REF = "Journal reference"


def plain(text: str | None) -> str | None:
    """A one-line RIS value: normalised, LaTeX accents as characters; ``None`` when empty."""
    text = normalise(text)
    if text is None:
        return None
    text = to_unicode(text)
    if "\u2028" in text or "\u2029" in text:  # rare: the test is much faster than translate
        text = text.translate(_ONE_LINE)
    text = text.strip()
    return text or None


def ris_name(author: Author) -> str | None:
    """``Family, Given[, Suffix]``, or the literal name; ``None`` when there is none."""
    family, given = plain(author.family), plain(author.given)
    suffix, literal = plain(author.suffix), plain(author.literal)
    if literal is not None:
        return literal
    if family is None:
        return given
    if suffix is not None:
        return f"{family}, {given or ''}, {suffix}"
    return f"{family}, {given}" if given is not None else family


def record_lines(paper: Paper, key: str, record: ArxivRecord | None = None) -> list[str]:
    """The tagged lines of one paper's record, ``TY`` to ``ER``."""
    lines: list[tuple[str, str]] = [("TY", "UNPB"), ("ID", key)]
    merged = None
    if record is not None:
        from ..enrich.merge import merge

        merged = merge(paper, record)
        for author in merged.authors:
            name = ris_name(author)
            if name is not None:
                lines.append(("AU", name))
    title = merged.title if merged is not None else paper.title
    abstract = merged.abstract if merged is not None else paper.abstract
    truncated = merged.abstract_truncated if merged is not None else paper.abstract_truncated
    version = merged.version if merged is not None else paper.version

    def add(tag: str, value: str | None) -> None:
        value = plain(value)
        if value is not None:
            lines.append((tag, value))

    add("TI", title)
    ymd = merged.year_month_day if merged is not None else None
    if ymd is not None:
        lines.append(("PY", f"{ymd[0]:04d}"))
        lines.append(("DA", f"{ymd[0]:04d}/{ymd[1]:02d}/{ymd[2]:02d}"))
    else:
        date = issued(paper)
        if date is not None:
            lines.append(("PY", f"{date[0]:04d}"))
            lines.append(("DA", f"{date[0]:04d}/{date[1]:02d}"))
    lines.append(("PB", "arXiv"))
    lines.append(("DB", "arXiv"))
    add("AN", paper.arxiv_id)
    printed, other_dois = dois(paper, merged.journal_doi if merged is not None else None)
    add("DO", printed)
    url = plain(abs_url(paper))
    add("UR", url)
    text = plain(abstract)
    if text is not None:
        lines.append(("AB", text + (TRUNCATION_MARKER if truncated else "")))
    categories = merged.categories if merged is not None and merged.categories else ()
    if not categories and paper.primary_category:
        categories = (paper.primary_category,)
    for category in categories:
        add("KW", category)
    mark = withdrawal(record)
    if mark is not None:
        lines.append(("N1", mark))
    for name, label in ANNOTE_LABELS:
        value = plain(getattr(paper, name))
        if value is not None:
            lines.append(("N1", f"{label}: {value}"))
    if merged is not None:
        for label, value in (
            (DIGEST_TITLE_LABEL, merged.digest_title),
            (
                DIGEST_VERSION_LABEL,
                f"v{merged.digest_version}" if merged.digest_version is not None else None,
            ),
            (_JOURNAL_REF, merged.journal_ref),
            (OTHER_DOIS_LABEL, " ".join(other_dois) or None),
            (CLASSES_LABEL, ", ".join(class_codes(merged.classes)) or None),
            (COMMENT_LABEL, merged.comment),
        ):
            value = plain(value)
            if value is not None:
                lines.append(("N1", f"{label}: {value}"))
    if version is not None:
        lines.append(("C1", str(version)))
    add("C2", paper.announce_type)
    flags = [
        f
        for f, on in ((FLAG_ABSTRACT, truncated), (FLAG_TRANSLATION, paper.translation_truncated))
        if on
    ]
    if flags:
        lines.append(("C3", ", ".join(flags)))
    written = plain(paper.url)
    if written is not None and written != url:
        lines.append(("C4", written))
    return [f"{tag}  - {value}" for tag, value in lines] + ["ER  - "]


class Ris(Format):
    """RIS records (``UNPB``) with every author, date, DOI, arXiv ID and the Chinese text
    as notes; readable back."""

    name: ClassVar[str] = "ris"
    suffixes: ClassVar[tuple[str, ...]] = (".ris",)
    aliases: ClassVar[tuple[str, ...]] = ("endnote", "refman")
    media_type: ClassVar[str] = "application/x-research-info-systems"
    description: ClassVar[str] = "RIS records for EndNote, NoteExpress, Mendeley and Zotero"

    def chunks(self, batch: Batch) -> Iterator[str]:
        """One record per paper, in batch order, separated by blank lines."""
        return streamed(self.entry_stream(batch), batch.papers)

    def entry_stream(self, batch: Batch) -> _Records:
        """The records one at a time (each depends on its paper, key and arXiv record only)."""
        return _Records(batch)

    def read(self, text: str) -> list[Paper]:
        """Papers from RIS records (inverse of :meth:`write`); raise :class:`FormatError`."""
        papers: list[Paper] = []
        current: list[tuple[str, str]] | None = None
        for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), 1):
            if not line.strip():
                continue
            m = _LINE.match(line.rstrip("\r "))
            if m is None:
                if current is not None and current:
                    # a continuation line: some writers wrap long values
                    tag, value = current[-1]
                    current[-1] = (tag, f"{value} {line.strip()}")
                    continue
                raise FormatError(f"line {number}: not a RIS tag line: {line[:40]!r}")
            tag, value = m[1], (m[2] or "").strip()
            if tag == "TY":
                if current is not None:
                    raise FormatError(f"line {number}: TY before the previous record's ER")
                current = []
            elif current is None:
                raise FormatError(f"line {number}: {tag} outside a record (no TY)")
            elif tag == "ER":
                papers.append(_paper(current))
                current = None
            else:
                current.append((tag, value))
        if current is not None:
            raise FormatError("the last record has no ER line")
        return papers


def _paper(tags: list[tuple[str, str]]) -> Paper:
    first: dict[str, str] = {}
    keywords: list[str] = []
    notes: dict[str, str] = {}
    labels = {label: name for name, label in ANNOTE_LABELS}
    for tag, value in tags:
        if not value:
            continue
        if tag == "KW":
            keywords.append(value)
        elif tag == "N1":
            label, sep, text = value.partition(": ")
            if sep and label in labels and text:
                notes.setdefault(labels[label], text)
        else:
            first.setdefault(tag, value)
    flags = {f.strip() for f in first.get("C3", "").split(",")}
    truncated = FLAG_ABSTRACT in flags
    abstract = first.get("AB")
    if abstract is not None and truncated and abstract.endswith(TRUNCATION_MARKER):
        abstract = abstract[: -len(TRUNCATION_MARKER)] or None
    version = version_from_text(first.get("C1"))
    return Paper(
        arxiv_id=first.get("AN"),
        version=version,
        url=first.get("C4") or first.get("UR"),
        title=first.get("TI"),
        title_zh=notes.get("title_zh"),
        summary_zh=notes.get("summary_zh"),
        summary_en=notes.get("summary_en"),
        abstract=abstract,
        abstract_zh=notes.get("abstract_zh"),
        announce_type=first.get("C2"),
        primary_category=keywords[0] if keywords else None,
        abstract_truncated=truncated,
        translation_truncated=FLAG_TRANSLATION in flags,
    )


class _Records(KeyedEntries):
    """RIS records one at a time, a blank line between."""

    def render(self, paper: Paper, key: str) -> str:
        return "\n".join(record_lines(paper, key, self.batch.record(paper))) + "\n"
