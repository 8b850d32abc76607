r"""BibTeX: one ``@misc`` entry per paper, after arXiv's own export, readable back.

Entry layout (fields in this order, each written only when the paper has it)::

    @misc{arxiv2403.15711,
      title         = {{Attention} {Is} {All} {You} {Need}},
      key           = {arXiv:2403.15711},
      year          = {2024},
      month         = mar,
      eprint        = {2403.15711},
      archiveprefix = {arXiv},
      primaryclass  = {cs.LG},
      version       = {1},
      doi           = {10.48550/arXiv.2403.15711},
      url           = {https://arxiv.org/abs/2403.15711},
      abstract      = {...},
      usera         = {Chinese title},
      userb         = {Chinese one-line summary},
      userc         = {English one-line summary},
      userd         = {Chinese abstract},
      usere         = {announce type: new, cross, replace or replace-cross},
      userf         = {abstract-truncated, translation-truncated},
      verba         = {the paper's link exactly as the digest wrote it}
    }

* ``year`` and ``month`` come from the identifier (first submission), ``eprint`` is
  the identifier without version and ``version`` the announced version.
  ``archiveprefix``/``primaryclass`` are the names arXiv's export uses; biber maps
  them to biblatex's ``eprinttype``/``eprintclass``.
* Digests name no authors, and none is invented: entries have no ``author``.
  ``key`` (BibTeX's field for sorting and labelling entries without author, which
  biber ignores) holds ``arXiv:ID`` so BibTeX styles sort by identifier without
  warnings.
* The Chinese texts, the English one-line summary, the announce type and the
  truncation flags go to biblatex's ``usera``..``userf``, fields its data model
  accepts for every entry type and its standard styles never print (pdflatex
  cannot typeset CJK with the default fonts).  ``verba`` (a verbatim field of the
  same kind) holds the written link when it differs from the canonical ``url``
  ``https://arxiv.org/abs/ID``.
* A cut English abstract ends with the marker `` [...]`` and ``userf`` says
  ``abstract-truncated``; ``translation-truncated`` flags a cut Chinese abstract
  (which keeps its own marker, if any).

**With arXiv metadata** (``Batch.record(paper)``; see :mod:`digestconv.enrich.merge`
for which side wins), the entry is written from arXiv's facts and the digest's
own text::

    @misc{arxiv2403.15711,
      author      = {Zhang, Wei and van der Berg, Jan and King, Jr., Martin and {ATLAS}},
      title       = {{Identifiable} {Latent} {Neural} {Causal} {Models}},
      date        = {2024-03-22},                 # the v1 date
      year        = {2024},
      month       = mar,
      eprint      = {2403.15711},
      eprinttype  = {arxiv},                      # biber rejects it next to archiveprefix
      eprintclass = {cs.LG},                      # arXiv's primary category
      version     = {3},                          # arXiv's latest version
      doi         = {10.1103/PhysRevD.110.012345},  # the first journal DOI, else arXiv's
      url         = {https://arxiv.org/abs/2403.15711},
      note        = {journal reference},
      addendum    = {Withdrawn: arXiv v2 is a withdrawal notice},  # only then; styles print it
      keywords    = {cs.LG, stat.ML},               # arXiv categories only
      lista       = {MSC 03B70 and MSC 68Q99},      # MSC/ACM class codes, when arXiv has them
      abstract    = {the full abstract, when the digest's is its start},
      annote      = {标题: ...
    摘要: ...
    Summary: ...
    译文: ...
    arXiv comment: ...},                        # one "label: text" line each
      usere       = {new},
      userf       = {translation-truncated},
      verba       = {the link as written},
      verbb       = {10.48550/arXiv.2403.15711 ...}  # every other DOI, space-separated
    }

  DOIs: arXiv's ``doi`` field may hold several DOIs (an article and its erratum).
  ``doi``, the field styles print (biblatex, GB/T 7714) and Zotero imports as
  the DOI, holds the first journal DOI, else arXiv's ``10.48550/arXiv.ID``.  Every
  other DOI is kept, arXiv's first: in ``verbb`` (verbatim, space-separated, for
  programs) and on an ``Other DOIs:`` line of ``annote`` (Zotero's note).  The
  preprint stays reachable from ``eprint``/``eprinttype``, which biblatex prints
  as an arXiv link and Zotero imports as ``arXiv: ID``.

  Names are ``Family, Given`` or ``Family, Suffix, Given``; a part holding a comma
  or a free-standing "and", or starting with a command, is braced, and so is a
  collaboration or unsplittable name whole.  ``key`` is written only when arXiv
  names no author.  Text is spelled for pdflatex (``pdflatex=True`` in
  :func:`digestconv.latex.escape`) except ``annote``, which no standard style
  prints and which Zotero imports as a child note.  Reading such an entry gives
  arXiv's title, version and abstract with the digest's Chinese text, summaries,
  announce type and link.

Citation keys: see :func:`digestconv.formats._common.citation_key`:
``arxiv`` + the identifier (``arxiv2403.15711``), old-style identifiers as
``arxiv.hep-th.9901001``; lower case ASCII letters, digits, ``.`` and ``-`` only,
so they are unique ignoring case and safe in BibTeX, biber, pandoc and CSL.

Text is plain text, escaped for LaTeX:

* ``& % $ # _`` become ``\& \% \$ \# \_``; ``\ ~ ^`` become ``\textbackslash{}``,
  ``\textasciitilde{}``, ``\textasciicircum{}``; ``{ }`` become ``\{ \}`` when they
  pair up inside the field, else ``\textbraceleft{}``/``\textbraceright{}`` (BibTeX
  counts ``\{`` as a brace, so an unpaired one would break the file).
* TeX math (``$...$``, ``$$...$$``, ``\(...\)``, ``\[...\]``) is kept when it is safe
  to keep: non-empty, braces balanced, no unescaped ``% # &``, not ending in a
  backslash.  Unicode letters and symbols inside it are written as macros (``$ω$`` is
  ``$\omega$``), so arXiv's API and its snapshot give the same entry.  When the
  dollars of a text do not pair up, every ``$`` is escaped and no prose becomes math.
  Math is TeX as the authors wrote it: macros from packages (``\mathbb`` needs
  ``amssymb``) need those packages when typeset.  See :mod:`digestconv.latex`.
* Text that is already LaTeX is never escaped twice, but only for a closed set of
  commands that are unambiguous and typeset everywhere: accents (``\"o``, ``\'{e}``,
  ``\c{c}``, ``\' c``, ...), letters (``\ss``, ``\o``, ...) and escaped specials
  (``\%``, ``\&``, ``\#``, ``\_``, ``\$``).
  Those are kept as written inside a brace group (``Schr{\"o}dinger``), which is
  also what marks them as source LaTeX for the reader.  Every other command
  (``\emph{x}``) is text: ``\textbackslash{}emph\{x\}``.
* In titles every word with a capital letter is brace-protected (``{BERT}``,
  ``{Transformers}``) so styles that change case keep it.
* Greek letters in titles become ``{$\alpha$}`` (pdflatex cannot typeset them as
  text); elsewhere they stay UTF-8.
* UTF-8 is kept (CJK survives).  With ``Batch.ascii`` precomposed Latin letters are
  written as accent commands (``\'{e}``, ``\ss{}``), Greek letters as math and the
  no-break space as ``~``; characters with no LaTeX spelling (CJK, emoji, combining
  marks, symbols) stay UTF-8, since dropping or transliterating them would lose text.
  Other characters pdflatex cannot typeset with its default fonts (CJK or emoji in an
  English title) are kept as well: typeset such files with XeLaTeX or LuaLaTeX.

Normalisation before writing (what a round trip gives back): control characters
other than tab (see :func:`~digestconv.formats._common.strip_illegal`) are removed,
line breaks become spaces, empty strings are omitted (read back as ``None``).

Fields carried (write then read gives them back): ``arxiv_id``, ``version``,
``url``, ``title``, ``title_zh``, ``summary_zh``, ``summary_en``, ``abstract``,
``abstract_zh``, ``announce_type``, ``primary_category``, ``abstract_truncated``,
``translation_truncated``.  Not carried: ``ref``, ``line``, ``end_line``; a paper
without ``url`` reads back with the canonical one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from ..arxiv import version_from_text
from ..latex import escape, to_unicode, unescape
from ..model import Paper
from ._common import (
    KeyedEntries,
    abs_url,
    class_codes,
    doi,
    dois,
    issued,
    labelled_lines,
    strip_illegal,
    withdrawal,
)
from .base import Batch, Format, FormatError, streamed

if TYPE_CHECKING:
    from ..enrich.merge import Merged
    from ..enrich.record import ArxivRecord, Author

__all__ = [
    "FLAG_ABSTRACT",
    "FLAG_TRANSLATION",
    "TRUNCATION_MARKER",
    "BibTeX",
    "escape",
    "name_list",
    "normalise",
    "to_unicode",
    "unescape",
]

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

#: marker appended to an English abstract the producer cut
TRUNCATION_MARKER = " [...]"
FLAG_ABSTRACT = "abstract-truncated"
FLAG_TRANSLATION = "translation-truncated"


def normalise(text: str | None) -> str | None:
    """What a text field becomes in every writer: controls removed, line breaks as spaces.

    ``None`` for ``None`` and for text that ends up empty.
    """
    if text is None:
        return None
    text = strip_illegal(text).replace("\n", " ")
    return text or None


def _flags(paper: Paper, abstract_truncated: bool | None = None) -> str | None:
    cut = paper.abstract_truncated if abstract_truncated is None else abstract_truncated
    flags = [
        name
        for name, on in (
            (FLAG_ABSTRACT, cut),
            (FLAG_TRANSLATION, paper.translation_truncated),
        )
        if on
    ]
    return ", ".join(flags) or None


#: what a verbatim field cannot hold: a brace, a backslash, white space (``str.isspace``)
_NOT_VERBATIM = re.compile(r"[{}\\\s]")


def _verbatim_ok(text: str) -> bool:
    """Whether a verbatim field can hold ``text`` (no braces, backslashes or spaces)."""
    return _NOT_VERBATIM.search(text) is None


_AND = re.compile(r"(?:^|\s)and(?:\s|$)", re.IGNORECASE)

#: ``annote`` lines of an entry with arXiv metadata: (Paper field, label)
ANNOTE_LABELS: tuple[tuple[str, str], ...] = (
    ("title_zh", "标题"),
    ("summary_zh", "摘要"),
    ("summary_en", "Summary"),
    ("abstract_zh", "译文"),
)
#: labels of the ``annote`` lines that carry arXiv's and the digest's other notes
COMMENT_LABEL = "arXiv comment"
DIGEST_TITLE_LABEL = "Digest title"
#: the version the digest announced, when arXiv has a later one
DIGEST_VERSION_LABEL = "Digest version"
#: the DOIs besides the one in ``doi``, space-separated (arXiv's, then further journal DOIs)
OTHER_DOIS_LABEL = "Other DOIs"
#: the MSC and ACM class codes arXiv lists, each with its scheme (``MSC 03B70``)
CLASSES_LABEL = "Class codes"


def name_part(text: str | None) -> str | None:
    """A name part as every writer uses it: normalised and stripped (Unicode white space
    included); ``None`` when nothing is left."""
    text = normalise(text)
    if text is None:
        return None
    return text.strip() or None


def _name_part(text: str, ascii_only: bool) -> str:
    latex = escape(text, ascii_only=ascii_only, pdflatex=True)
    # a comma or a free-standing "and" would split the name: brace the part whole;
    # so too a part that starts with a command (bibtexparser v2 does not split
    # " and \%..." into two names)
    if "," in text or _AND.search(text) or latex.startswith("\\"):
        return "{" + latex + "}"
    return latex


def bibtex_name(author: Author, ascii_only: bool = False) -> str | None:
    """One BibTeX name: ``Family, Given``, ``Family, Suffix, Given`` or ``{Literal}``.

    Parts holding a comma or a free-standing "and" are braced; collaborations and
    unsplittable names (``literal``) are braced whole, so no style splits or
    abbreviates them.  ``None`` for an author without any name.
    """
    family, given = name_part(author.family), name_part(author.given)
    suffix, literal = name_part(author.suffix), name_part(author.literal)
    if literal is None and family is None:
        literal = given
        given = None
    if literal is not None:
        return "{" + escape(literal, ascii_only=ascii_only, pdflatex=True) + "}"
    if family is None:
        return None
    parts = [_name_part(family, ascii_only)]
    if suffix is not None:
        parts.append(_name_part(suffix, ascii_only))
        parts.append(_name_part(given, ascii_only) if given is not None else "{}")
    elif given is not None:
        parts.append(_name_part(given, ascii_only))
    return ", ".join(parts)


def name_list(authors: tuple[Author, ...], ascii_only: bool = False) -> str | None:
    """The ``author`` field value: names joined by `` and ``, ``None`` when there are none."""
    names = [n for n in (bibtex_name(a, ascii_only) for a in authors) if n]
    return " and ".join(names) or None


class BibTeX(Format):
    """BibTeX ``@misc`` entries after arXiv's export; readable back with bibtexparser."""

    name: ClassVar[str] = "bibtex"
    suffixes: ClassVar[tuple[str, ...]] = (".bib", ".bibtex")
    aliases: ClassVar[tuple[str, ...]] = ("bib", "biblatex")
    media_type: ClassVar[str] = "application/x-bibtex"
    description: ClassVar[str] = "BibTeX/biblatex @misc entries (arXiv eprint, DOI, URL)"

    def chunks(self, batch: Batch) -> Iterator[str]:
        """One ``@misc`` entry per paper, in batch order, separated by blank lines."""
        return streamed(self.entry_stream(batch), batch.papers)

    def entry_stream(self, batch: Batch) -> _Entries:
        """The entries one at a time (each depends on its paper, key and record only)."""
        return _Entries(self, batch)

    def _entry(self, paper: Paper, key: str, ascii_only: bool) -> str:
        fields: list[tuple[str, str]] = []

        def text(name: str, value: str | None, title: bool = False) -> None:
            value = normalise(value)
            if value is not None:
                fields.append((name, "{" + escape(value, title, ascii_only) + "}"))

        def raw(name: str, value: str | None) -> None:
            value = normalise(value)
            if value is not None and _verbatim_ok(value):
                fields.append((name, "{" + value + "}"))

        text("title", paper.title, title=True)
        arxiv_id = normalise(paper.arxiv_id)
        if arxiv_id and _verbatim_ok(arxiv_id):
            fields.append(("key", "{arXiv:" + escape(arxiv_id) + "}"))
        fields.extend(_year_month(issued(paper)))
        if arxiv_id:
            text("eprint", arxiv_id)
            fields.append(("archiveprefix", "{arXiv}"))
        text("primaryclass", paper.primary_category)
        if paper.version is not None:
            fields.append(("version", f"{{{paper.version}}}"))
        raw("doi", doi(paper))
        url = abs_url(paper)
        raw("url", url)
        abstract = normalise(paper.abstract)
        if abstract is not None and paper.abstract_truncated:
            abstract += TRUNCATION_MARKER
        text("abstract", abstract)
        text("usera", paper.title_zh)
        text("userb", paper.summary_zh)
        text("userc", paper.summary_en)
        text("userd", paper.abstract_zh)
        text("usere", paper.announce_type)
        text("userf", _flags(paper))
        written = normalise(paper.url)
        if written is not None and written != url:
            raw("verba", written)
        return _format(key, fields)

    def _enriched(self, paper: Paper, record: ArxivRecord, key: str, ascii_only: bool) -> str:
        """The entry of a paper with arXiv metadata (see the module docstring)."""
        from ..enrich.merge import merge

        m = merge(paper, record)
        fields: list[tuple[str, str]] = []

        def text(name: str, value: str | None, title: bool = False) -> None:
            value = normalise(value)
            if value is not None:
                latex = escape(value, title, ascii_only, pdflatex=True)
                fields.append((name, "{" + latex + "}"))

        def raw(name: str, value: str | None) -> None:
            value = normalise(value)
            if value is not None and _verbatim_ok(value):
                fields.append((name, "{" + value + "}"))

        authors = name_list(m.authors, ascii_only)
        if authors is not None:
            fields.append(("author", "{" + authors + "}"))
        text("title", m.title, title=True)
        arxiv_id = normalise(paper.arxiv_id)
        if authors is None and arxiv_id and _verbatim_ok(arxiv_id):
            fields.append(("key", "{arXiv:" + escape(arxiv_id) + "}"))
        ymd = m.year_month_day
        if ymd is not None:
            fields.append(("date", "{" + f"{ymd[0]:04d}-{ymd[1]:02d}-{ymd[2]:02d}" + "}"))
            fields.extend(_year_month(ymd[:2]))
        else:
            fields.extend(_year_month(issued(paper)))
        if arxiv_id:
            text("eprint", arxiv_id)
            fields.append(("eprinttype", "{arxiv}"))
        text("eprintclass", m.primary_category or paper.primary_category)
        fields.append(("version", f"{{{m.version}}}"))
        printed, others = dois(paper, m.journal_doi)
        raw("doi", printed)
        url = abs_url(paper)
        raw("url", url)
        text("note", m.journal_ref)
        text("addendum", withdrawal(record))
        text("keywords", ", ".join(m.categories) or None)
        classes = class_codes(m.classes)
        text("lista", " and ".join(classes) or None)
        abstract = normalise(m.abstract)
        if abstract is not None and m.abstract_truncated:
            abstract += TRUNCATION_MARKER
        text("abstract", abstract)
        annote = _annote(paper, m, others, classes)
        if annote is not None:
            lines = (escape(line, ascii_only=ascii_only) for line in annote.split("\n"))
            fields.append(("annote", "{" + "\n".join(lines) + "}"))
        text("usere", paper.announce_type)
        text("userf", _flags(paper, m.abstract_truncated))
        written = normalise(paper.url)
        if written is not None and written != url:
            raw("verba", written)
        verbatim = [d for d in others if _verbatim_ok(d)]
        if verbatim:
            fields.append(("verbb", "{" + " ".join(verbatim) + "}"))
        return _format(key, fields)

    def read(self, text: str) -> list[Paper]:
        """Papers from BibTeX entries (inverse of :meth:`write`).

        Raises :class:`FormatError` when bibtexparser cannot parse a block.
        """
        import bibtexparser

        library = bibtexparser.parse_string(text)
        if library.failed_blocks:
            block = library.failed_blocks[0]
            line = getattr(block, "start_line", 0) + 1
            raise FormatError(f"BibTeX syntax error in the block starting on line {line}")
        return [self._paper({f.key.lower(): f.value for f in e.fields}) for e in library.entries]

    @staticmethod
    def _paper(f: dict[str, object]) -> Paper:
        def get(name: str) -> str | None:
            value = f.get(name)
            if value is None:
                return None
            value = str(value)
            return value or None

        def txt(name: str) -> str | None:
            value = get(name)
            return unescape(value) or None if value is not None else None

        flags = {x.strip() for x in (get("userf") or "").split(",")}
        abstract = txt("abstract")
        truncated = FLAG_ABSTRACT in flags
        if abstract is not None and truncated and abstract.endswith(TRUNCATION_MARKER):
            abstract = abstract[: -len(TRUNCATION_MARKER)] or None
        number = version_from_text(get("version"))
        notes = _read_annote(txt("annote"))
        return Paper(
            arxiv_id=txt("eprint"),
            version=number,
            url=get("verba") or get("url"),
            title=txt("title"),
            title_zh=txt("usera") or notes.get("title_zh"),
            summary_zh=txt("userb") or notes.get("summary_zh"),
            summary_en=txt("userc") or notes.get("summary_en"),
            abstract=abstract,
            abstract_zh=txt("userd") or notes.get("abstract_zh"),
            announce_type=txt("usere"),
            primary_category=txt("primaryclass") or txt("eprintclass"),
            abstract_truncated=truncated,
            translation_truncated=FLAG_TRANSLATION in flags,
        )


class _Entries(KeyedEntries):
    """BibTeX entries one at a time, a blank line between."""

    def __init__(self, fmt: BibTeX, batch: Batch) -> None:
        super().__init__(batch)
        self._fmt = fmt

    def render(self, paper: Paper, key: str) -> str:
        record = self.batch.record(paper)
        if record is None:
            return self._fmt._entry(paper, key, self.batch.ascii)
        return self._fmt._enriched(paper, record, key, self.batch.ascii)


def _year_month(date: tuple[int, ...] | None) -> list[tuple[str, str]]:
    """The ``year`` and ``month`` fields of a ``(year, month, ...)`` date, if there is one."""
    if not date:
        return []
    return [("year", f"{{{date[0]}}}"), ("month", _MONTHS[date[1] - 1])]


def _annote(
    paper: Paper,
    merged: Merged,
    other_dois: tuple[str, ...],
    classes: tuple[str, ...],
) -> str | None:
    """The digest's own text, the other DOIs, the class codes and arXiv's comment as
    labelled lines (``label: text``)."""
    lines = []
    for name, label in ANNOTE_LABELS:
        value = normalise(getattr(paper, name))
        if value is not None:
            lines.append(f"{label}: {value}")
    if merged.digest_title is not None and normalise(merged.digest_title):
        lines.append(f"{DIGEST_TITLE_LABEL}: {normalise(merged.digest_title)}")
    if merged.digest_version is not None:
        lines.append(f"{DIGEST_VERSION_LABEL}: v{merged.digest_version}")
    if other_dois:
        lines.append(f"{OTHER_DOIS_LABEL}: {' '.join(other_dois)}")
    if classes:
        lines.append(f"{CLASSES_LABEL}: {', '.join(classes)}")
    comment = normalise(merged.comment)
    if comment is not None:
        lines.append(f"{COMMENT_LABEL}: {comment}")
    return "\n".join(lines) or None


def _read_annote(value: str | None) -> dict[str, str]:
    """The Paper fields of an ``annote`` written by :func:`_annote`."""
    out: dict[str, str] = {}
    if not value:
        return out
    labels = {label: name for name, label in ANNOTE_LABELS}
    for label, text in labelled_lines(value):
        if label in labels:
            out[labels[label]] = text
    return out


def _format(key: str, fields: list[tuple[str, str]]) -> str:
    width = max([len(name) for name, _ in fields]) if fields else 0
    body = ",\n".join([f"  {name.ljust(width)} = {value}" for name, value in fields])
    return f"@misc{{{key},\n{body}\n}}\n"
