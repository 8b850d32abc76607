"""The per-file pipeline: find the inputs, handle each file on its own, fold the results.

Every command that reads digests (``validate``, ``parse``, ``to``, ``fmt``)
runs the same three steps:

1. :func:`discover` expands the arguments into :class:`Input` items, in
   argument order (a folder's files in path order).  Paths that cannot be
   read become items that carry the I/O error, so every report stays in
   input order.
2. :func:`process` handles one item: it reads the file, parses it, runs the
   enabled file rules with the settings resolved once for that path, applies
   the file's suppressions and returns a small, picklable :class:`FileResult`.
   The parsed :class:`~digestconv.model.Digest` is dropped there; the result
   keeps only what the command asked for (:class:`Task`).  :func:`run` maps
   :func:`process` over the items, in this process or in a pool of worker
   processes, and yields the results in input order.
3. A :class:`Fold` runs the cross-file (corpus) rules on the folded facts of
   each file, in input order, and finishes the file's diagnostics
   (suppressions of cross-file findings, unused suppressions).

Memory: at most one parsed file per worker is alive, plus the compact
:class:`CorpusIndex` (the first place of each arXiv identifier) and whatever
the command folds (counts for ``validate``, one merged paper per identifier
for ``to``).
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Literal, NamedTuple

from ._gccontrol import keep as _keep
from ._gccontrol import long_lived as _long_lived
from .model import (
    ENTRY_FIELDS,
    IO_ERROR_CODE,
    Diagnostic,
    Digest,
    Paper,
    Source,
    Span,
    Suppression,
)
from .output import display_path
from .settings import Settings, _path_matches

if TYPE_CHECKING:
    from .rules import Finding, Rule

STDIN = "-"
STDIN_NAME = "<stdin>"
IO_RULE = "io-error"
INTERNAL_RULE = "internal-error"
SCHEMA_RULE = "schema"
UNUSED_RULE = "unused-suppression"
NOT_CONVERTED_RULE = "not-converted"
#: rules the pipeline itself emits (their registered check functions find nothing)
ENGINE_RULES = frozenset({IO_RULE, INTERNAL_RULE, UNUSED_RULE, NOT_CONVERTED_RULE})
#: rules that always report at error severity and cannot be deselected
FATAL_RULES = frozenset({IO_RULE, INTERNAL_RULE})

#: a pool starts only for inputs of at least this many bytes ...
POOL_MIN_BYTES = 1_000_000
#: ... or at least this many files
POOL_MIN_FILES = 64
#: environment variable overriding :data:`POOL_MIN_BYTES` (``0`` forces a pool for >= 2 files)
POOL_ENV = "DIGESTCONV_POOL_MIN_BYTES"
#: a chunk of work sent to a worker holds about this many bytes, or this many files
CHUNK_BYTES = 2_000_000
CHUNK_FILES = 64


# ----------------------------------------------------------------- discovery


@dataclass(frozen=True)
class Input:
    """One file to read: its display name and where its bytes come from.

    ``path`` is ``None`` for standard input.  ``explicit`` says whether the file
    was named on the command line (``False``: found by walking a folder).
    ``error`` carries the I/O problem of a path that cannot be read at all.
    """

    name: str
    path: Path | None  # None: standard input
    explicit: bool = True
    size: int = 0
    error: str | None = None


def default_jobs() -> int:
    """The number of CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _included(path: str, settings: Settings) -> bool:
    return any(_path_matches(path, p) for p in settings.include)


def _excluded(path: str, settings: Settings) -> bool:
    return any(_path_matches(path, p) for p in settings.exclude)


def _strerror(exc: OSError) -> str:
    return exc.strerror or str(exc)


def iter_inputs(
    paths: Iterable[str | os.PathLike[str]], settings: Settings | None = None
) -> Iterator[Input]:
    """Expand files and folders into inputs, in argument order.

    Folders are walked recursively (hidden folders skipped, symbolic links to
    folders not followed) and their files kept in path order when they match
    ``settings.include`` and no ``settings.exclude`` pattern; FIFOs, sockets
    and devices in a folder are skipped without being opened.  Files named
    explicitly are kept unless excluded.  ``-`` is standard input.  A path that
    does not exist, a folder that cannot be listed and a named path that is not
    a regular file are yielded with :attr:`Input.error` set.
    """
    settings = settings or Settings()
    seen: set[str] = set()
    for raw in paths:
        name = os.fspath(raw)
        if name == STDIN:
            if STDIN_NAME not in seen:
                seen.add(STDIN_NAME)
                yield Input(STDIN_NAME, None)
            continue
        if _excluded(name, settings):
            continue
        try:
            info = os.stat(name)
        except FileNotFoundError:
            yield Input(display_path(name), None, error="no such file or folder")
            continue
        except OSError as exc:
            yield Input(display_path(name), None, error=f"cannot read: {_strerror(exc)}")
            continue
        if stat.S_ISDIR(info.st_mode):
            for item in _walk(name, settings):
                if item.name not in seen:
                    seen.add(item.name)
                    yield item
        elif name not in seen:
            seen.add(name)
            if stat.S_ISREG(info.st_mode):
                yield Input(display_path(name), Path(name), True, info.st_size)
            else:
                yield Input(
                    display_path(name), None, error=f"not a regular file ({_kind(info.st_mode)})"
                )


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a file"


def _walk(folder: str, settings: Settings) -> Iterator[Input]:
    """The files under ``folder`` in path order; an unlistable folder is an error item."""
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield Input(display_path(folder), None, error=f"cannot read folder: {_strerror(exc)}")
        return
    items: list[tuple[str, os.DirEntry[str] | None, bool]] = []
    for entry in entries:
        full = os.path.join(folder, entry.name)
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_dir = False
        if is_dir:
            if not entry.name.startswith(".") and not _excluded(full, settings):
                items.append((full, None, True))
        elif _included(full, settings) and not _excluded(full, settings):
            items.append((full, entry, False))
    # path order: "a/b.md" < "a/c/d.md" < "a/e.md", as a sorted listing shows them
    items.sort(key=lambda item: item[0].split(os.sep))
    for full, entry, is_dir in items:
        if is_dir:
            yield from _walk(full, settings)
            continue
        assert entry is not None
        try:
            info = entry.stat()  # follows a symbolic link to its file
        except FileNotFoundError:
            yield Input(display_path(full), None, error="broken symbolic link")
            continue
        except OSError as exc:
            yield Input(display_path(full), None, error=f"cannot read: {_strerror(exc)}")
            continue
        if stat.S_ISREG(info.st_mode):
            yield Input(display_path(full), Path(full), False, info.st_size)
        # FIFOs, sockets, devices and links to folders are not digests: never opened


def read_bytes(source: Input, stdin: BinaryIO | None = None) -> bytes:
    """The bytes of ``source``; raises :class:`OSError` with a clear message.

    A file is opened without blocking and must still be a regular file, so a
    FIFO put in its place never hangs the run.
    """
    if source.error is not None:
        raise OSError(source.error)
    if source.path is None:
        stream = stdin
        if stream is None:
            raw = sys.stdin
            stream = getattr(raw, "buffer", None) if raw is not None else None
        if stream is None:
            raise OSError("standard input is closed")
        try:
            return stream.read()
        except (OSError, ValueError) as exc:
            raise OSError(f"cannot read standard input: {exc}") from None
    try:
        fd = os.open(source.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except IsADirectoryError:
        raise OSError("is a folder, not a file") from None
    except OSError as exc:
        raise OSError(f"cannot read: {_strerror(exc)}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise OSError("is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"not a regular file ({_kind(info.st_mode)})")
        chunks = []
        while True:
            try:
                chunk = os.read(fd, max(info.st_size + 1, 65536))
            except OSError as exc:
                raise OSError(f"cannot read: {_strerror(exc)}") from None
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


# ------------------------------------------------------ settings, resolved


@dataclass(frozen=True)
class Plan:
    """Settings resolved for one path: the enabled file rules and every severity."""

    #: enabled file rules the pipeline calls, with their severity, in code order
    file_rules: tuple[tuple[Rule, str], ...]
    #: rule name -> severity, for every enabled rule (engine and corpus rules included)
    severity: Mapping[str, str]

    def on(self, name: str) -> bool:
        """Whether rule ``name`` is enabled here."""
        return name in self.severity


class Planner:
    """Resolves :class:`Settings` into a :class:`Plan` per path, once per distinct answer."""

    def __init__(self, settings: Settings) -> None:
        from . import rules

        self.settings = settings
        self.rules = rules.all_rules()
        self._patterns = tuple(settings.per_file_ignores)
        self._plans: dict[tuple[str, ...], Plan] = {}

    def plan(self, path: str) -> Plan:
        """The plan of ``path``."""
        key = tuple(p for p in self._patterns if _path_matches(path, p))
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._resolve(path if key else None)
        return plan

    def _resolve(self, path: str | None) -> Plan:
        s = self.settings
        severity: dict[str, str] = {}
        file_rules = []
        for r in self.rules:
            if r.name in FATAL_RULES:
                severity[r.name] = "error"
                continue
            if not s.enabled(r.code, r.name, path):
                continue
            severity[r.name] = s.severity_of(r.code, r.name, r.severity)
            if r.scope == "file" and r.name not in ENGINE_RULES and r.name != SCHEMA_RULE:
                file_rules.append((r, severity[r.name]))
        return Plan(tuple(file_rules), severity)

    def corpus_errors(self, path: str) -> bool:
        """Whether a cross-file rule reports at error severity on ``path``."""
        severity = self.plan(path).severity
        return any(severity.get(r.name) == "error" for r in self.rules if r.scope == "corpus")

    def emit(self, name: str, path: str, span: Span, message: str) -> Diagnostic | None:
        """A diagnostic of registered rule ``name`` at ``path``, or ``None`` when disabled there."""
        severity = self.plan(path).severity.get(name)
        if severity is None:
            return None
        return _registered(name).diagnostic(path, _finding(span, message), severity)  # type: ignore[arg-type]


def _registered(name: str) -> Rule:
    from . import rules

    found = rules.get(name)
    if found is None:  # pragma: no cover - the registry lists every engine rule
        raise LookupError(f"rule {name} is not registered")
    return found


def _finding(span: Span, message: str, path: str | None = None) -> Finding:
    from .rules import Finding

    return Finding(span, message, path)


def io_error(name: str, message: str) -> Diagnostic:
    """The ``io-error`` diagnostic of a path that could not be read (always an error)."""
    rule = _registered(IO_RULE)
    assert rule.code == IO_ERROR_CODE
    return rule.diagnostic(name, _finding(Span.point(1), message), "error")


def internal_error(name: str, exc: BaseException, where: str = "") -> Diagnostic:
    """The ``internal-error`` diagnostic of an unexpected exception while handling ``name``."""
    rule = _registered(INTERNAL_RULE)
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if len(text) > 300:
        text = text[:300] + "…"
    message = (
        f"internal error{' in ' + where if where else ''}: {text}; the rest of this file was "
        "not checked (please report this with the file)"
    )
    return rule.diagnostic(name, _finding(Span.point(1), message), "error")


# --------------------------------------------------------------- the worker


SpanTuple = tuple[int, int, int, int]


def _span_tuple(span: Span) -> SpanTuple:
    return (span.line, span.column, span.end_line, span.end_column)


class PaperFact(NamedTuple):
    """What the cross-file rules and the merge need to know about one paper.

    ``line`` is the paper's first line (its detail block, else its table row);
    ``url`` and ``block`` are the spans of its link and block as ``(line,
    column, end_line, end_column)`` tuples (cheap to send between processes;
    :meth:`span` makes a :class:`~digestconv.model.Span`); ``lines`` are the
    ``(first, last)`` line ranges the paper occupies, so a diagnostic can be
    matched to its paper.
    """

    arxiv_id: str | None
    ref: int | None
    line: int
    url: SpanTuple
    block: SpanTuple
    lines: tuple[tuple[int, int], ...]

    def covers(self, line: int) -> bool:
        """Whether ``line`` belongs to this paper."""
        return any(a <= line <= b for a, b in self.lines)

    def span(self, name: str) -> Span:
        """The span ``url`` or ``block`` as a :class:`~digestconv.model.Span`."""
        return Span(*getattr(self, name))


def paper_fact(paper: Paper) -> PaperFact:
    """The facts of ``paper`` (see :class:`PaperFact`)."""
    first = paper.line or 1
    lines = [(first, paper.end_line or first)]
    row = paper.source.row
    if row is not None and not lines[0][0] <= row.line <= lines[0][1]:
        lines.append((row.line, row.line))
    return PaperFact(
        paper.arxiv_id,
        paper.ref,
        first,
        _span_tuple(paper.span("url")),
        _span_tuple(paper.span("block")),
        tuple(lines),
    )


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
        # diagnostics and papers travel as plain tuples: unpickling dataclass objects field by
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
            papers = tuple(
                None if p is None else tuple(getattr(p, f) for f in _PAPER_FIELDS)
                for p in self.papers
            )
        return (
            _rebuild,
            (
                self.name,
                self.status,
                self.kind,
                self.recognized,
                rows,
                self.facts,
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


#: the content fields of a paper, in constructor order (the source map is not sent)
_PAPER_FIELDS = tuple(f for f in Paper.__dataclass_fields__ if f != "source")


def _rebuild(
    name: str,
    status: Status,
    kind: str,
    recognized: bool,
    rows: tuple[tuple[Any, ...], ...],
    facts: tuple[PaperFact, ...],
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
        facts,
        suppressions,
        used,
        None
        if papers is None
        else tuple(
            None if row is None else Paper(**dict(zip(_PAPER_FIELDS, row, strict=True)))
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
        from .reader import read

        digest = read(data, source.name, cut=task.settings.abstract_cut)
    except Exception as exc:  # one file's crash never stops the run
        return FileResult(
            source.name, diagnostics=(internal_error(source.name, exc, "the reader"),)
        )
    if _skipped(digest, source, task.settings):
        return FileResult(source.name, "skipped", digest.kind, False, size=len(data))
    return examine(digest, task, planner, len(data), sent)


def _skipped(digest: Digest, source: Input, settings: Settings) -> bool:
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
    from .reader import read

    digest = read(data)
    return _skipped(digest, Input("", None, explicit=False), Settings())


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


#: the fields two copies of a paper are compared on (``duplicate-paper`` merge notes)
CONTENT_FIELDS = tuple(f for f in ENTRY_FIELDS if f not in ("ref", "line", "end_line"))


def content_mark(paper: Paper) -> bytes:
    """A fingerprint of ``paper``'s content: equal marks, equal :data:`CONTENT_FIELDS`."""
    import hashlib

    content = repr(tuple(getattr(paper, f) for f in CONTENT_FIELDS))
    return hashlib.blake2b(content.encode("utf-8", "surrogatepass"), digest_size=16).digest()


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
    input order, so that copy has always been merged first).
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
            out.append(_without_source(paper))
        marks.append(mark)
    return tuple(out), tuple(marks)


_EMPTY_SOURCE = Source()


def _without_source(paper: Paper) -> Paper:
    """``paper`` without its source map (writers never read it; it holds spans of every field)."""
    import dataclasses

    return dataclasses.replace(paper, source=_EMPTY_SOURCE)


def _document_json(digest: Digest) -> str:
    """The JSON form of ``digest`` as one element of an indented JSON array."""
    import json

    text = json.dumps(digest.to_dict(), ensure_ascii=False, indent=2)
    return "  " + text.replace("\n", "\n  ")


def _format(source: Input, data: bytes, task: Task) -> FileResult:
    from .fmt import format_digest

    result = format_digest(data, source.name)
    # as a filter (standard input to standard output) a file left alone is passed on
    original = data if source.path is None and task.fmt == "write" else None
    if result.text is None:
        if result.not_a_digest and (
            task.settings.skip_non_digests or (not source.explicit and _no_structure(data))
        ):
            outcome = Formatting(False, None, result.reason, True, None, original)
            return FileResult(source.name, "skipped", recognized=False, formatting=outcome)
        outcome = Formatting(False, None, result.reason, result.not_a_digest, None, original)
    elif not result.changed:
        outcome = Formatting(False, original=original)
    elif task.fmt == "diff":
        from .cli import _unified_diff

        # the diff keeps the old line ends (CRLF), so it shows and applies that change
        old = data.decode("utf-8", "replace")
        outcome = Formatting(True, None, None, False, _unified_diff(old, result.text, source.name))
    elif task.fmt == "check":
        outcome = Formatting(True)
    else:
        outcome = Formatting(True, result.text)
    return FileResult(source.name, formatting=outcome, size=len(data))


# -------------------------------------------------------------- file rules

#: which rules already report a defect in each field of the JSON form
_FIELD_OWNERS: dict[str, frozenset[str]] = {
    "ref": frozenset({"ref-order", "ref-duplicate"}),
    "arxiv_id": frozenset({"id-malformed", "id-mismatch", "url-not-arxiv", "missing-field"}),
    "version": frozenset({"version-mismatch", "id-malformed", "id-mismatch"}),
    "url": frozenset({"url-not-arxiv", "url-mismatch"}),
    "primary_category": frozenset({"unknown-category"}),
}


def run_file_rules(digest: Digest, planner: Planner) -> list[Diagnostic]:
    """Every enabled file rule's diagnostics on ``digest`` (before suppressions).

    A rule that raises gives one ``internal-error`` diagnostic; the other rules
    still run.  The JSON Schema check runs last and reports only what no other
    rule reported (one defect, one diagnostic).
    """
    path = digest.path
    plan = planner.plan(path)
    settings = planner.settings
    found: list[Diagnostic] = []
    for rule, severity in plan.file_rules:
        try:
            found.extend(
                rule.diagnostic(path, f, severity)  # type: ignore[arg-type]
                for f in rule.check(digest, settings)  # type: ignore[arg-type]
            )
        except Exception as exc:
            found.append(internal_error(path, exc, f"rule {rule.name}"))
    if plan.on(SCHEMA_RULE):
        try:
            found.extend(_schema(digest, plan, found))
        except Exception as exc:
            found.append(internal_error(path, exc, f"rule {SCHEMA_RULE}"))
    return found


def _schema(digest: Digest, plan: Plan, found: list[Diagnostic]) -> Iterator[Diagnostic]:
    from . import schema as json_schema

    document = digest.to_dict()
    errors = list(json_schema.errors(document))
    if not errors:
        return
    rule = _registered(SCHEMA_RULE)
    severity = plan.severity[SCHEMA_RULE]
    at = {(d.line, d.column) for d in found}
    for where, message in errors:
        span = json_schema.locate(digest, where)
        if (span.line, span.column) in at:
            continue  # another rule reports this very place
        if len(where) >= 3 and where[0] == "entries" and isinstance(where[1], int):
            owners = _FIELD_OWNERS.get(str(where[2]))
            if owners and where[1] < len(digest.papers):
                fact = paper_fact(digest.papers[where[1]])
                if any(d.rule in owners and fact.covers(d.line) for d in found):
                    continue  # the field's own rule reports it on this paper
        text = "/".join(map(str, where)) or "(file)"
        yield rule.diagnostic(digest.path, _finding(span, f"{text}: {message}"), severity)  # type: ignore[arg-type]


# ------------------------------------------------------------- suppressions


def suppress(
    diagnostics: Iterable[Diagnostic], suppressions: Sequence[Suppression], plan: Plan | None = None
) -> tuple[list[Diagnostic], set[int]]:
    """Drop the diagnostics a suppression covers; also the indices of the suppressions used.

    I/O, internal and unused-suppression diagnostics cannot be suppressed.
    The matching (:func:`digestconv.suppress.suppress`) grows with the
    diagnostics and suppressions, not their product.
    """
    from .suppress import suppress as match

    return match(diagnostics, suppressions, exempt={*FATAL_RULES, UNUSED_RULE})


def unused_suppressions(
    path: str, suppressions: Sequence[Suppression], used: Iterable[int], planner: Planner
) -> list[Diagnostic]:
    """One ``unused-suppression`` diagnostic per suppression that silenced nothing or names an
    unknown rule."""
    from . import rules

    if not suppressions or not planner.plan(path).on(UNUSED_RULE):
        return []
    used = set(used)
    out = []
    for i, s in enumerate(suppressions):
        unknown = [r for r in s.rules if rules.get(r) is None]
        if unknown:
            message = (
                f"suppression names unknown rule(s) {', '.join(unknown)}: see 'digestconv rules'"
            )
        elif i not in used:
            what = ", ".join(s.rules) or "any rule"
            message = f"suppression of {what} silences nothing here: delete it"
        else:
            continue
        diag = planner.emit(UNUSED_RULE, path, s.span, message)
        if diag is not None:
            out.append(diag)
    return out


# ------------------------------------------------------------------ the fold


@dataclass
class CorpusIndex:
    """The compact cross-file index: where each arXiv identifier first appeared."""

    #: arXiv identifier -> (path, line) of its first copy
    first: dict[str, tuple[str, int]] = field(default_factory=dict)

    def add(self, path: str, facts: Iterable[PaperFact]) -> None:
        """Record the papers of one more file (first appearance wins)."""
        for f in facts:
            if f.arxiv_id is not None and f.arxiv_id not in self.first:
                self.first[f.arxiv_id] = (path, f.line)


class Fold:
    """Finish each file's diagnostics in input order: cross-file rules, then suppressions."""

    def __init__(self, settings: Settings, planner: Planner | None = None) -> None:
        from . import rules

        self.settings = settings
        self.planner = planner or Planner(settings)
        self.corpus = list(rules.iter_corpus_rules())
        self.index = CorpusIndex()
        self.files = 0
        self.papers = 0
        self.skipped = 0

    def add(self, result: FileResult) -> list[Diagnostic]:
        """The final, sorted diagnostics of ``result``'s file."""
        with _long_lived():  # the result lives until it is reported
            return self._add(result)

    def _add(self, result: FileResult) -> list[Diagnostic]:
        if result.status == "skipped":
            self.skipped += 1
            return []
        if result.status == "unreadable":
            return list(result.diagnostics)
        self.files += 1
        self.papers += result.paper_count
        path = result.name
        extra: list[Diagnostic] = []
        plan = self.planner.plan(path)
        index = self.index if self.settings.cross_file else CorpusIndex()
        for rule in self.corpus:
            severity = plan.severity.get(rule.name)
            if severity is None:
                continue
            try:
                extra.extend(
                    rule.diagnostic(path, f, severity)  # type: ignore[arg-type]
                    for f in rule.check(path, result.facts, index, self.settings)  # type: ignore[call-arg]
                )
            except Exception as exc:
                extra.append(internal_error(path, exc, f"rule {rule.name}"))
        if self.settings.cross_file:
            self.index.add(path, result.facts)
        if not extra and not result.suppressions:
            return list(result.diagnostics)
        kept, used = suppress(extra, result.suppressions)
        out = list(result.diagnostics) + kept
        out += unused_suppressions(path, result.suppressions, result.used | used, self.planner)
        out.sort(key=Diagnostic.sort_key)
        return out


# ---------------------------------------------------------------- execution

_WORKER: tuple[Task, Planner, set[tuple[str, bytes]]] | None = None


def _init_worker(task: Task) -> None:
    import signal

    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the pool on Ctrl-C
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _WORKER = (task, Planner(task.settings), set())


class _SigintDeferred:
    """Hold Ctrl-C back while worker processes are forked.

    An interrupt that lands in Python's at-fork handlers is printed and lost;
    blocked here, it is delivered right after, as a clean ``KeyboardInterrupt``.
    Forked workers inherit the block and ignore SIGINT before lifting it.
    """

    def __enter__(self) -> None:
        import signal

        self.blocked = hasattr(signal, "pthread_sigmask")
        if self.blocked:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})

    def __exit__(self, *exc: object) -> None:
        import signal

        if self.blocked:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _work_chunk(chunk: list[tuple[Input, bytes | None]]) -> list[FileResult]:
    assert _WORKER is not None
    task, planner, sent = _WORKER
    out = []
    for source, data in chunk:
        try:
            out.append(process(source, task, planner, data, sent))
        except Exception as exc:  # pragma: no cover - process() catches what it can
            out.append(FileResult(source.name, diagnostics=(internal_error(source.name, exc),)))
    return out


def pool_threshold() -> int:
    """Bytes of input from which a pool pays (``DIGESTCONV_POOL_MIN_BYTES`` overrides)."""
    value = os.environ.get(POOL_ENV, "").strip()
    if value.isdigit():
        return int(value)
    return POOL_MIN_BYTES


def _chunks(
    items: Sequence[tuple[Input, bytes | None]], jobs: int
) -> Iterator[list[tuple[Input, bytes | None]]]:
    """Consecutive runs of items for the workers: at most :data:`CHUNK_BYTES` or
    :data:`CHUNK_FILES`, and small enough that every worker gets several."""
    total = sum(s.size + len(d or b"") for s, d in items)
    most_bytes = max(1, min(CHUNK_BYTES, total // (jobs * 4)))
    most_files = max(1, min(CHUNK_FILES, len(items) // (jobs * 4)))
    chunk: list[tuple[Input, bytes | None]] = []
    size = 0
    for item in items:
        chunk.append(item)
        size += item[0].size + len(item[1] or b"")
        if size >= most_bytes or len(chunk) >= most_files:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def run(
    inputs: Sequence[Input],
    task: Task,
    *,
    jobs: int | None = None,
    stdin: BinaryIO | None = None,
    planner: Planner | None = None,
) -> Iterator[FileResult]:
    """Map :func:`process` over ``inputs``; results in input order.

    With ``jobs`` > 1 and enough input (:func:`pool_threshold` bytes or
    :data:`POOL_MIN_FILES` files) the files are handled by a pool of worker
    processes; the results are the same as with one job.  Standard input is
    read here, in this process.  On ``KeyboardInterrupt`` the workers are
    stopped before the exception propagates.
    """
    jobs = jobs or task.settings.jobs or default_jobs()
    items: list[tuple[Input, bytes | None]] = []
    for source in inputs:
        data = None
        if source.path is None and source.error is None:
            try:
                data = read_bytes(source, stdin)
            except OSError as exc:
                source = Input(source.name, None, error=str(exc))
        items.append((source, data))
    total = sum(s.size + len(d or b"") for s, d in items)
    readable = sum(s.error is None for s, _ in items)
    if jobs > 1 and readable > 1 and (total >= pool_threshold() or readable >= POOL_MIN_FILES):
        yield from _run_pool(items, task, jobs)
        return
    planner = planner or Planner(task.settings)
    for source, data in items:
        yield process(source, task, planner, data)


Chunk = list[tuple[Input, bytes | None]]
#: pools started again after a worker process died, before the rest is given up
MAX_RESTARTS = 8


class _PoolBroken(Exception):
    """A worker process died; ``done`` chunks had come back before it."""

    def __init__(self, done: int, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.done = done
        self.cause = cause


def _run_pool(
    items: Sequence[tuple[Input, bytes | None]], task: Task, jobs: int
) -> Iterator[FileResult]:
    """The results of ``items`` from a pool of ``jobs`` workers, in input order.

    A worker process that dies (killed for memory, a crash in an extension)
    breaks the pool.  The chunk it broke on is then handled file by file, each
    in a process of its own, so only the file that kills its process is
    reported (as ``internal-error``); a new pool takes the rest.
    """
    from . import rules

    rules.all_rules()  # loaded once here, inherited by forked workers
    chunks = list(_chunks(items, jobs))
    start = 0
    restarts = 0
    while start < len(chunks):
        try:
            for results in _pool_chunks(chunks[start:], task, jobs):
                start += 1
                yield from results
        except _PoolBroken as broken:
            # ``start`` counts the chunks already yielded: chunks[start] is the one that broke
            restarts += 1
            if restarts > MAX_RESTARTS:
                for chunk in chunks[start:]:
                    for source, _ in chunk:
                        yield _died(source, broken.cause)
                return
            for source, data in chunks[start]:
                yield _isolated(source, data, task, broken.cause)
            start += 1


def _context() -> Any:
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def _died(source: Input, cause: BaseException) -> FileResult:
    return FileResult(source.name, diagnostics=(internal_error(source.name, cause, "a worker"),))


def _isolated(source: Input, data: bytes | None, task: Task, cause: BaseException) -> FileResult:
    """Handle one file in a process of its own; its death is this file's internal error."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    executor = ProcessPoolExecutor(1, _context(), _init_worker, (task,))
    finished = False
    try:
        with _SigintDeferred():
            future = executor.submit(_work_chunk, [(source, data)])
        try:
            [result] = future.result()
        except BrokenProcessPool as exc:
            result = _died(source, exc)
        finished = True
        return result
    finally:
        if finished:
            executor.shutdown(wait=True)
        else:
            _stop(executor)


def _pool_chunks(chunks: Sequence[Chunk], task: Task, jobs: int) -> Iterator[list[FileResult]]:
    """Each chunk's results from one pool, in order; :class:`_PoolBroken` if a worker dies."""
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    workers = min(jobs, len(chunks)) or 1
    executor = ProcessPoolExecutor(workers, _context(), _init_worker, (task,))
    pending: deque[Future[list[FileResult]]] = deque()
    window = workers * 3  # chunks in flight: bounds the results waiting in memory
    submitted = done = 0
    finished = False
    defer = _SigintDeferred()
    try:
        with defer:  # submitting forks the workers
            while submitted < len(chunks) and len(pending) < window:
                pending.append(executor.submit(_work_chunk, chunks[submitted]))
                submitted += 1
        while pending:
            try:
                results = pending.popleft().result()
            except BrokenProcessPool as exc:
                raise _PoolBroken(done, exc) from None
            if submitted < len(chunks):
                with defer:
                    pending.append(executor.submit(_work_chunk, chunks[submitted]))
                submitted += 1
            done += 1
            yield results
        finished = True
    finally:
        if finished:
            executor.shutdown(wait=True)
        else:
            _stop(executor)


def _stop(executor: Any) -> None:
    """Stop a pool at once (Ctrl-C, an error or an abandoned iteration)."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for proc in processes:
        with contextlib.suppress(Exception):  # already gone
            proc.terminate()
    manager = getattr(executor, "_executor_manager_thread", None)
    # what is still queued for the terminated workers is dropped: the queue's feeder thread,
    # which may be blocked on a pipe no process reads, must not be joined at exit
    with contextlib.suppress(Exception):
        executor._call_queue.cancel_join_thread()
    executor.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        with contextlib.suppress(Exception):
            proc.join(timeout=5)
    if manager is not None:
        # let the pool's manager thread finish closing its pipes before the interpreter exits
        manager.join(timeout=10)


def files(paths: Iterable[str | os.PathLike[str]], settings: Settings | None = None) -> list[Input]:
    """Every input under ``paths`` (see :func:`iter_inputs`), as a list."""
    return list(iter_inputs(paths, settings))


def each(
    results: Iterable[FileResult],
    fold: Fold,
    progress: Callable[[Iterable[FileResult]], Iterable[FileResult]] | None = None,
) -> Iterator[tuple[FileResult, list[Diagnostic]]]:
    """Each result with its finished diagnostics, in input order."""
    for result in progress(results) if progress else results:
        yield result, fold.add(result)
