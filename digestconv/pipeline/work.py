"""The per-file worker: one file in, one small picklable :class:`FileResult` out.

:func:`process` reads a file, parses it, runs the enabled file rules with the
settings resolved once for its path, applies its suppressions and keeps only
what the command asked for (:class:`Task`): the diagnostics, a few facts per
paper, and the papers (``to``), the JSON form (``parse``) or the new text
(``fmt``).  The parsed :class:`~digestconv.model.Digest` is dropped here.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .._gccontrol import keep as _keep
from .._gccontrol import long_lived as _long_lived
from ..model import Diagnostic, Digest, Paper, Source, Suppression
from ..rules.engine import (
    FATAL_RULES,
    Planner,
    internal_error,
    io_error,
    run_file_rules,
    suppress,
)
from ..rules.facts import PaperFact, content_mark, paper_fact
from ..settings import Settings
from .discover import Input, read_bytes


@dataclass(frozen=True, slots=True)
class Formatting:
    """What ``fmt`` made of one file."""

    changed: bool
    #: the new text (only when it changed and the command writes it)
    text: str | None = None
    #: why the file was left alone (``None``: it was formatted)
    reason: str | None = None
    not_a_digest: bool = False
    #: the unified diff (``fmt --diff`` only)
    diff: str | None = None
    #: the input as read, when ``fmt`` filters standard input and passes unchanged files on
    original: bytes | None = None


Status = Literal["ok", "skipped", "unreadable"]


@dataclass(frozen=True, slots=True)
class FileResult:
    """Everything a command keeps of one file once the worker is done with it.

    Picklable and small: the parsed digest is not kept.  ``diagnostics`` are
    the file rules' findings after the file's suppressions, sorted;
    ``suppressions`` and ``used`` let the fold finish the suppression work on
    cross-file findings.
    """

    name: str
    status: Status = "ok"
    kind: str = "digest"
    recognized: bool = True
    diagnostics: tuple[Diagnostic, ...] = ()
    facts: tuple[PaperFact, ...] = ()
    suppressions: tuple[Suppression, ...] = ()
    used: frozenset[int] = frozenset()
    #: the papers without their source maps (``to`` only; ``None`` for a paper left out)
    papers: tuple[Paper | None, ...] | None = None
    #: the JSON form, indented as one element of ``parse``'s array (``parse`` only)
    document: str | None = None
    formatting: Formatting | None = None
    size: int = 0
    #: content marks of the sound papers when copies were left out of ``papers`` (pool only)
    marks: tuple[bytes | None, ...] | None = None
    #: per paper, the rules the file's suppression comments silenced on it (``to`` only;
    #: ``None`` when they silenced nothing)
    accepted: tuple[tuple[str, ...], ...] | None = None

    @property
    def paper_count(self) -> int:
        """Number of papers in the file."""
        return len(self.facts)

    @property
    def fatal(self) -> bool:
        """Whether an I/O or internal error was reported for this file."""
        return any(d.rule in FATAL_RULES for d in self.diagnostics)

    def __reduce__(self) -> tuple[Any, ...]:
        # diagnostics, facts and papers travel as plain tuples: unpickling objects field by
        # field costs several times more, and the parent process receives every result
        rows = tuple(
            (
                d.path,
                d.line,
                d.column,
                d.end_line,
                d.end_column,
                d.code,
                d.rule,
                d.severity,
                d.message,
            )
            for d in self.diagnostics
        )
        papers = None
        if self.papers is not None:
            papers = tuple(None if p is None else _CONTENT(p) for p in self.papers)
        return (
            _rebuild,
            (
                self.name,
                self.status,
                self.kind,
                self.recognized,
                rows,
                tuple(map(tuple, self.facts)),
                self.suppressions,
                self.used,
                papers,
                self.document,
                self.formatting,
                self.size,
                self.marks,
                self.accepted,
            ),
        )


#: a :class:`PaperFact` from the plain tuple it travels as (pickling the named tuple
#: calls its Python-level ``__getnewargs__`` and ``__new__`` for every paper)
_fact = functools.partial(tuple.__new__, PaperFact)


def _rebuild(
    name: str,
    status: Status,
    kind: str,
    recognized: bool,
    rows: tuple[tuple[Any, ...], ...],
    facts: tuple[tuple[Any, ...], ...],
    suppressions: tuple[Suppression, ...],
    used: frozenset[int],
    papers: tuple[tuple[Any, ...] | None, ...] | None,
    document: str | None,
    formatting: Formatting | None,
    size: int,
    marks: tuple[bytes | None, ...] | None,
    accepted: tuple[tuple[str, ...], ...] | None,
) -> FileResult:
    return FileResult(
        name,
        status,
        kind,
        recognized,
        tuple(Diagnostic(*row) for row in rows),
        tuple(map(_fact, facts)),
        suppressions,
        used,
        None
        if papers is None
        else tuple(
            None if row is None else Paper(*row)  # the fields in constructor order
            for row in papers
        ),
        document,
        formatting,
        size,
        marks,
        accepted,
    )


@dataclass(frozen=True)
class Task:
    """What the worker does with each file (sent once to every worker process)."""

    settings: Settings = field(default_factory=Settings)
    #: run the file rules (``validate``, ``to``)
    check: bool = True
    #: keep the JSON form (``parse``)
    document: bool = False
    #: keep the papers (``to``)
    papers: bool = False
    #: ``fmt``: None, "write", "check" or "diff"
    fmt: str | None = None
    #: ``to``: pool workers send each paper copy once (see :func:`_elide`)
    elide: bool = False


def process(
    source: Input,
    task: Task,
    planner: Planner | None = None,
    data: bytes | None = None,
    sent: set[tuple[str, bytes]] | None = None,
) -> FileResult:
    """Handle one file: read, parse, check, suppress; never raises on content or I/O.

    ``data`` is the file's bytes when the caller already read them (standard input).
    """
    planner = planner or Planner(task.settings)
    try:
        if data is None:
            data = read_bytes(source)
    except OSError as exc:
        return FileResult(source.name, "unreadable", diagnostics=(io_error(source.name, str(exc)),))
    try:
        if task.fmt is not None:
            return _format(source, data, task)
        from ..reader import read

        settings = task.settings.for_path(source.name)
        digest = read(data, source.name, cut=settings.abstract_cut)
    except Exception as exc:  # one file's crash never stops the run
        return FileResult(
            source.name, diagnostics=(internal_error(source.name, exc, "the reader"),)
        )
    if skipped(digest, source, settings):
        return FileResult(source.name, "skipped", digest.kind, False, size=len(data))
    return examine(digest, task, planner, len(data), sent)


def skipped(digest: Digest, source: Input, settings: Settings) -> bool:
    """A file with no digest structure at all, found by walking (or with ``skip_non_digests``).

    A file that cannot be decoded (a NUL byte, invalid UTF-8) may be a damaged
    digest, so it is never skipped by the walk.
    """
    if digest.recognized or digest.kind != "digest":
        return False
    if settings.skip_non_digests:
        return True
    return not source.explicit and not any(i.rule == "encoding" for i in digest.issues)


def _no_structure(data: bytes) -> bool:
    from ..reader import read

    digest = read(data)
    return skipped(digest, Input("", None, explicit=False), Settings())


def examine(
    digest: Digest,
    task: Task,
    planner: Planner,
    size: int = 0,
    sent: set[tuple[str, bytes]] | None = None,
) -> FileResult:
    """The :class:`FileResult` of a parsed digest (the worker minus reading).

    ``sent`` (pool workers only) remembers the papers this worker already sent
    to ``to``, so repeated copies travel as marks (see :func:`_elide`).
    """
    with _long_lived():  # the model lives until the result is built
        return _examine(digest, task, planner, size, sent)


def _examine(
    digest: Digest,
    task: Task,
    planner: Planner,
    size: int,
    sent: set[tuple[str, bytes]] | None,
) -> FileResult:
    path = digest.path
    diagnostics: tuple[Diagnostic, ...] = ()
    used: frozenset[int] = frozenset()
    silenced: list[Diagnostic] = []
    if task.check:
        found = run_file_rules(digest, planner)
        _keep()
        kept, used_set = suppress(found, digest.suppressions, planner.plan(path))
        if task.papers and len(kept) < len(found):
            shown = {id(d) for d in kept}
            silenced = [d for d in found if id(d) not in shown]
        kept.sort(key=Diagnostic.sort_key)
        diagnostics, used = tuple(kept), frozenset(used_set)
        del found, kept
        _keep()
    papers: tuple[Paper | None, ...] | None = None
    marks: tuple[bytes | None, ...] | None = None
    facts = tuple(paper_fact(p) for p in digest.papers)
    accepted = _accepted(silenced, digest.suppressions, facts) if silenced else None
    if task.papers:
        if task.elide and sent is not None and not planner.corpus_errors(path):
            papers, marks = _elide(digest.papers, facts, diagnostics, sent)
        else:
            papers = tuple(_without_source(p) for p in digest.papers)
    document = None
    if task.document:
        if digest.kind == "digest" and not digest.recognized:
            # no JSON form: say why, as validate does (README.md, an empty or binary file)
            diagnostics = _not_a_digest(digest)
        else:
            document = _document_json(digest)
    return FileResult(
        path,
        "ok",
        digest.kind,
        digest.recognized,
        diagnostics,
        facts,
        digest.suppressions,
        used,
        papers,
        document,
        None,
        size,
        marks,
        accepted,
    )


def _accepted(
    silenced: Sequence[Diagnostic],
    suppressions: Sequence[Suppression],
    facts: Sequence[PaperFact],
) -> tuple[tuple[str, ...], ...] | None:
    """Per paper, the names of the rules whose findings on its lines were silenced.

    ``"*"`` stands for every rule: a finding there was silenced by a comment
    that names no rule.  ``to markdown`` carries them into the new digest, so
    a paper the user accepted does not fail there.  Linear: one map of the
    papers' lines, and one more suppression sweep for the comments without rules.
    """
    owner: dict[int, int] = {}
    for index, fact in enumerate(facts):
        for first, last in fact.lines:
            for number in range(first, last + 1):
                owner.setdefault(number, index)
    rules: list[set[str]] = [set() for _ in facts]
    bare = [s for s in suppressions if not s.rules]
    every: set[int] = set()
    if bare:
        left, _ = suppress(silenced, bare)
        shown = {id(d) for d in left}
        every = {id(d) for d in silenced if id(d) not in shown}
    for d in silenced:
        index = owner.get(d.line)
        if index is not None:
            rules[index].add("*" if id(d) in every else d.rule)
    if not any(rules):
        return None
    return tuple(tuple(sorted(r)) for r in rules)


def _elide(
    papers: Sequence[Paper],
    facts: Sequence[PaperFact],
    diagnostics: Sequence[Diagnostic],
    sent: set[tuple[str, bytes]],
) -> tuple[tuple[Paper | None, ...], tuple[bytes | None, ...]]:
    """The papers ``to`` needs from this file, with copies already sent left out.

    A paper with no identifier or touched by an error is never written, so it
    is not sent.  A sound paper is sent once per worker and content: a later
    copy with the same identifier and content carries only its mark, and the
    merge reuses what it found for the earlier copy (chunks reach a worker in
    input order, so that copy has always been merged first).  Only pool workers
    elide, and their results are pickled at once: a paper is kept with its
    source map, which pickling leaves behind.
    """
    bad: set[int] = set()
    for d in diagnostics:
        if d.severity == "error":
            bad.update(range(d.line, d.end_line + 1))
    out: list[Paper | None] = []
    marks: list[bytes | None] = []
    for paper, fact in zip(papers, facts, strict=True):
        if paper.arxiv_id is None or (bad and any(fact.covers(n) for n in bad)):
            out.append(None)
            marks.append(None)
            continue
        mark = content_mark(paper)
        key = (paper.arxiv_id, mark)
        if key in sent:
            out.append(None)
        else:
            sent.add(key)
            out.append(paper)  # its source map stays behind: the result is pickled without it
        marks.append(mark)
    return tuple(out), tuple(marks)


_EMPTY_SOURCE = Source()


#: every field of a paper but its source map, in order (as ``Paper`` takes them)
_CONTENT = operator.attrgetter(*(f.name for f in dataclasses.fields(Paper) if f.name != "source"))


def _without_source(paper: Paper) -> Paper:
    """``paper`` without its source map (writers never read it; it holds spans of every field)."""
    return Paper(*_CONTENT(paper), _EMPTY_SOURCE)


_NOT_A_DIGEST: Planner | None = None


def _not_a_digest(digest: Digest) -> tuple[Diagnostic, ...]:
    """What validate says of a file that is no digest: its ``not-a-digest`` or ``encoding``
    findings."""
    global _NOT_A_DIGEST
    if _NOT_A_DIGEST is None:
        _NOT_A_DIGEST = Planner(Settings(select=("not-a-digest", "encoding")))
    found = run_file_rules(digest, _NOT_A_DIGEST)
    return tuple(sorted(found, key=Diagnostic.sort_key))


def _document_json(digest: Digest) -> str:
    """The JSON form of ``digest`` as one element of an indented JSON array."""
    from ..jsontext import dumps

    text = dumps(digest.to_dict(), ensure_ascii=False)  # json.dumps(indent=2), no cycles
    return "  " + text.replace("\n", "\n  ")


def _format(source: Input, data: bytes, task: Task) -> FileResult:
    from ..fmt import format_digest, unified_diff

    result = format_digest(data, source.name)
    # as a filter (standard input to standard output) a file left alone is passed on
    original = data if source.path is None and task.fmt == "write" else None
    if result.text is None:
        if result.not_a_digest and (
            task.settings.for_path(source.name).skip_non_digests
            or (not source.explicit and _no_structure(data))
        ):
            outcome = Formatting(False, None, result.reason, True, None, original)
            return FileResult(source.name, "skipped", recognized=False, formatting=outcome)
        outcome = Formatting(False, None, result.reason, result.not_a_digest, None, original)
    elif not result.changed:
        outcome = Formatting(False, original=original)
    elif task.fmt == "diff":
        # the diff keeps the old line ends (CRLF), so it shows and applies that change
        old = data.decode("utf-8", "replace")
        outcome = Formatting(True, None, None, False, unified_diff(old, result.text, source.name))
    elif task.fmt == "check":
        outcome = Formatting(True)
    else:
        outcome = Formatting(True, result.text)
    return FileResult(source.name, formatting=outcome, size=len(data))
