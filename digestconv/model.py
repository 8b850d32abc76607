"""The digest model: plain, immutable dataclasses with no I/O.

Readers build these objects from text, rules read them and emit
:class:`Diagnostic` objects, and formats turn them into other text.

Positions are 1-based.  Columns count Unicode code points (not bytes), and an
end column points just past the last character, so a span of one whole line
``text`` is ``Span(n, 1, n, len(text) + 1)``.

Everything here pickles (plain dicts and tuples, no proxies), so a parsed file
can cross a process boundary.  The reader builds hundreds of thousands of these
objects per second, so construction is kept cheap: :class:`Span` is a named
tuple, and the frozen dataclasses get an ``__init__`` that stores each slot
directly (see :func:`_fast_frozen`), with the same signature and defaults as
the one ``dataclasses`` writes.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from operator import attrgetter
from typing import Any, Literal, NamedTuple, TypeVar

Severity = Literal["error", "warning"]
Kind = Literal["digest", "abstract-page"]

#: the largest footnote number ``[^N]`` a digest may use; larger ones are reported, never parsed
MAX_REF = 999_999

_T = TypeVar("_T")


def _fast_frozen(cls: type[_T]) -> type[_T]:
    """Give a frozen, slotted dataclass a faster ``__init__`` and a compact pickle form.

    The ``__init__`` that ``dataclasses`` writes for a frozen class stores every
    field through ``object.__setattr__``, about three times slower than setting
    the slot directly through its descriptor.  The replacement has the same
    parameters and defaults (``default_factory`` included) and sets the slots
    through their descriptors; instances stay frozen (assignment still raises).
    ``__reduce__`` pickles an instance as a constructor call with its field
    values, which works on every supported Python.
    """
    params: list[str] = []
    body: list[str] = []
    namespace: dict[str, Any] = {"_MISSING": MISSING}
    names = []
    for f in fields(cls):  # type: ignore[arg-type]
        name = f.name
        names.append(name)
        namespace[f"_set_{name}"] = cls.__dict__[name].__set__
        if f.default is not MISSING:
            namespace[f"_default_{name}"] = f.default
            params.append(f"{name}=_default_{name}")
        elif f.default_factory is not MISSING:
            namespace[f"_factory_{name}"] = f.default_factory
            params.append(f"{name}=_MISSING")
            body.append(f"if {name} is _MISSING: {name} = _factory_{name}()")
        else:
            params.append(name)
        body.append(f"_set_{name}(self, {name})")
    source = f"def __init__(self, {', '.join(params)}):\n    " + "\n    ".join(body)
    exec(source, namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    init.__annotations__ = cls.__init__.__annotations__
    cls.__init__ = init  # type: ignore[misc]
    values = attrgetter(*names)

    def __reduce__(self: Any) -> tuple[Any, ...]:
        state = values(self)
        return (cls, state if isinstance(state, tuple) else (state,))

    cls.__reduce__ = __reduce__  # type: ignore[assignment,method-assign]
    return cls


#: Field names of a paper in the JSON form, in contract order.
ENTRY_FIELDS: tuple[str, ...] = (
    "ref",
    "arxiv_id",
    "version",
    "url",
    "title",
    "title_zh",
    "summary_zh",
    "summary_en",
    "abstract",
    "abstract_zh",
    "announce_type",
    "primary_category",
    "abstract_truncated",
    "translation_truncated",
    "line",
    "end_line",
)


class Span(NamedTuple):
    """A region of a source file: 1-based lines, 1-based code-point columns.

    ``end_column`` is exclusive: it is the column just after the last character.
    A named tuple: immutable, ordered by position, cheap to build and to pickle.
    """

    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def of_line(cls, line: int, text: str, start: int = 0) -> Span:
        """The span of ``text[start:]`` on line ``line``."""
        return _new_span(cls, (line, start + 1, line, len(text) + 1))

    @classmethod
    def point(cls, line: int, column: int = 1) -> Span:
        """A zero-width span at ``line:column``."""
        return _new_span(cls, (line, column, line, column))


#: ``_new_span(Span, (line, column, end_line, end_column))`` builds a span without
#: the keyword handling of ``Span(...)``: the reader's hot path
_new_span = tuple.__new__


@_fast_frozen
@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding about one place in one file."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    rule: str
    severity: Severity
    message: str

    @property
    def span(self) -> Span:
        """The region this diagnostic points at."""
        return Span(self.line, self.column, self.end_line, self.end_column)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Order by file, position, then code: the order every report uses."""
        return (self.path, self.line, self.column, self.code, self.message)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (design contract field names)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@_fast_frozen
@dataclass(frozen=True, slots=True)
class Issue:
    """Something the reader met and could not place in the model.

    Rules turn issues into diagnostics; the reader itself never reports.
    ``rule`` names the rule that reports it (``syntax``, ``encoding``, ...).
    """

    rule: str
    span: Span
    message: str


@_fast_frozen
@dataclass(frozen=True, slots=True)
class Suppression:
    """An inline ``<!-- digestconv: ignore[...] -->`` comment and what it covers.

    ``rules`` empty means every rule.  ``start``/``end`` are the lines covered:
    the whole file for ``ignore-file``, else the construct after the comment.
    """

    span: Span
    rules: tuple[str, ...]
    start: int
    end: int
    file_level: bool

    @property
    def comment(self) -> str:
        """The canonical comment text of this suppression."""
        kind = "ignore-file" if self.file_level else "ignore"
        names = f"[{', '.join(self.rules)}]" if self.rules else ""
        return f"<!-- digestconv: {kind}{names} -->"


@_fast_frozen
@dataclass(frozen=True, slots=True)
class TableRow:
    """One row of the ``# 摘要`` summary table, as written."""

    ref: int | None
    title: str
    url: str
    summary: str
    line: int
    #: field name (``ref``, ``title``, ``url``, ``summary``) -> span of its text
    spans: dict[str, Span] = field(default_factory=dict, compare=False, repr=False)
    #: identifier and version written in :attr:`url` (``None`` when it is no arXiv URL shape)
    url_id: str | None = field(default=None, compare=False, repr=False)
    url_version: int | None = field(default=None, compare=False, repr=False)
    #: whether :attr:`url` is an arXiv abstract or PDF URL on an arXiv host
    url_arxiv: bool = field(default=False, compare=False, repr=False)


@_fast_frozen
@dataclass(frozen=True, slots=True)
class Source:
    """Where a paper came from and what was written there, for the rules.

    Writers never need this: it is provenance, not content.
    """

    #: field name -> span of that field's text (``ref``, ``title``, ``url``, ...)
    spans: dict[str, Span] = field(default_factory=dict)
    #: the summary-table row of this paper, when there is one
    row: TableRow | None = None
    #: whether a ``[^N]:`` detail block exists for this paper
    has_detail: bool = False
    #: the detail block's English title exactly as written (with any suffix)
    raw_title: str | None = None
    #: what the summary table shows for this title: :attr:`raw_title` without its
    #: old-feed suffix (see :func:`digestconv.arxiv.table_title`)
    table_title: str | None = None
    #: the visible text of the detail block's ``[text](target)`` link
    link_text: str | None = None
    #: the identifier exactly as written in the URL (before validation)
    url_id: str | None = None
    #: the version written in the URL (``/abs/2403.15711v2``), if any
    url_version: int | None = None
    #: identifier and version from an old-style ``(arXiv:IDvN [cat])`` title suffix
    title_id: str | None = None
    title_version: int | None = None
    #: identifier and version from a new-style ``arXiv:IDvN Announce Type:`` prefix
    abstract_id: str | None = None
    abstract_version: int | None = None
    #: length of the English abstract as the producer cut it (prefix included)
    raw_abstract_length: int = 0
    #: fields the block lacks entirely (not merely empty)
    missing: tuple[str, ...] = ()
    #: whether :attr:`Paper.url` is an arXiv abstract or PDF URL on an arXiv host
    url_arxiv: bool = False
    #: ``(where, digits, span)`` of each version written above
    #: :data:`digestconv.arxiv.MAX_VERSION` (where: ``URL``, ``table URL``,
    #: ``title suffix`` or ``abstract prefix``); the paper's version ignores them
    bad_versions: tuple[tuple[str, str, Span], ...] = ()
    #: why the Chinese abstract looks cut (``None``: it looks whole)
    translation_cut: str | None = None


@_fast_frozen
@dataclass(frozen=True, slots=True)
class Paper:
    """One paper of a digest, with the fields of the JSON contract.

    Every string field is ``None`` when the file has nothing for it.  Equality
    compares content only: the source map in :attr:`source` is ignored.
    """

    ref: int | None = None
    arxiv_id: str | None = None
    version: int | None = None
    url: str | None = None
    title: str | None = None
    title_zh: str | None = None
    summary_zh: str | None = None
    summary_en: str | None = None
    abstract: str | None = None
    abstract_zh: str | None = None
    announce_type: str | None = None
    primary_category: str | None = None
    abstract_truncated: bool = False
    translation_truncated: bool = False
    line: int | None = None
    end_line: int | None = None
    source: Source = field(default_factory=Source, compare=False, repr=False)

    def span(self, name: str) -> Span:
        """The source span of field ``name``, falling back to the whole block."""
        spans = self.source.spans
        if name in spans:
            return spans[name]
        if "block" in spans:
            block = spans["block"]
            return Span(block.line, block.column, block.line, block.end_column)
        line = self.line or 1
        return Span.point(line)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of this paper (contract field names, in order)."""
        return {name: getattr(self, name) for name in ENTRY_FIELDS}


@_fast_frozen
@dataclass(frozen=True, slots=True)
class Digest:
    """A parsed file: a digest or an abstract page.

    A file that is neither is read as a digest with no papers and
    ``recognized=False`` (the ``not-a-digest`` rule reports it).

    ``papers`` follow the summary table's order; detail blocks that no row
    names follow in their own order.
    """

    path: str
    kind: Kind
    papers: tuple[Paper, ...] = ()
    #: abstract-page content (``None`` for digests)
    abstract: str | None = None
    abstract_zh: str | None = None
    #: every summary-table row, in file order
    rows: tuple[TableRow, ...] = field(default=(), compare=False)
    #: every detail block's ``(ref, span of its "[^N]:" marker)``, in file order
    blocks: tuple[tuple[int | None, Span], ...] = field(default=(), compare=False)
    #: what the reader could not place (syntax, encoding, page chrome, ...)
    issues: tuple[Issue, ...] = field(default=(), compare=False)
    #: inline suppression comments, in file order
    suppressions: tuple[Suppression, ...] = field(default=(), compare=False)
    #: positions of the structural landmarks (``summary``, ``details``, ...)
    landmarks: dict[str, Span] = field(default_factory=dict, compare=False)
    #: whether the file has the shape of its kind at all
    recognized: bool = field(default=True, compare=False)
    #: the original text after decoding (for suppressions and fixers)
    text: str = field(default="", compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of this file (see ``schemas/digest.schema.json``)."""
        out: dict[str, Any] = {"path": self.path, "kind": self.kind}
        if self.kind == "abstract-page":
            out["abstract"] = self.abstract
            out["abstract_zh"] = self.abstract_zh
        out["entries"] = [p.to_dict() for p in self.papers]
        return out


#: code of the rule for files that could not be read at all (exit code 2)
IO_ERROR_CODE = "DC000"
#: code of the rule for an unexpected failure while handling one file (exit code 2)
INTERNAL_ERROR_CODE = "DC099"


@_fast_frozen
@dataclass(frozen=True, slots=True)
class Report:
    """The outcome of validating a set of files."""

    diagnostics: tuple[Diagnostic, ...]
    files: int = 0
    papers: int = 0
    #: files found by walking a folder that have no digest structure at all
    skipped: int = 0

    @property
    def errors(self) -> int:
        """Number of error-severity diagnostics."""
        return sum(d.severity == "error" for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        """Number of warning-severity diagnostics."""
        return sum(d.severity == "warning" for d in self.diagnostics)

    def exit_code(self, strict: bool = False) -> int:
        """2 when a file could not be read or handled, 1 on errors (or warnings if strict).

        0 otherwise.
        """
        if any(d.code in (IO_ERROR_CODE, INTERNAL_ERROR_CODE) for d in self.diagnostics):
            return 2
        if self.errors or (strict and self.warnings):
            return 1
        return 0
