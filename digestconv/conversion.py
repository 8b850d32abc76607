"""Conversion: digests -> merged, checked papers -> one output format.

Papers are merged across all inputs by arXiv identifier, first appearance
wins; a later copy that disagrees is reported.  Papers touched by an error
diagnostic are skipped (and reported), abstract pages are skipped, and the
rest are written.  Timestamps come from ``SOURCE_DATE_EPOCH`` when set,
otherwise from the newest arXiv identifier in the input, never the clock.

Memory stays bounded whatever the size of the input: the papers to write
(and, with ``--enrich``, every located copy) are spilled to a temporary file
(:mod:`digestconv.spill`) as the files are folded; what stays in memory per
unique paper is its identifier, where its first copy stands and a fingerprint
of its fields (:func:`~digestconv.rules.facts.content_mark`).  The output is
then written entry by entry to its target.  A format whose entries stand alone
(:meth:`~digestconv.formats.Format.entry_stream`) renders each paper as soon as
it is merged, while the other files are still being read, and only the entries'
text waits in the spill.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import arxiv, pipeline
from .formats import Batch, EntryStream, Format, Source
from .formats.base import DEFAULT_TITLE, has_authors
from .model import Diagnostic, Digest, Paper, Report, Span
from .output import Sink, source_date_epoch
from .rules.facts import PaperFact, content_mark, differing_fields, paper_fact
from .settings import Settings
from .spill import Spill, Subset

if TYPE_CHECKING:
    from .enrich.options import EnrichOptions
    from .enrich.record import ArxivRecord

#: rule reported for papers that were not written
SKIPPED_RULE = "not-converted"
SKIPPED_CODE = "DC900"
MERGE_RULE = "duplicate-paper"
MERGE_CODE = "DC210"


@dataclass(frozen=True)
class Conversion:
    """The result of a conversion: the output and what happened on the way."""

    output: bytes
    #: the papers written (empty when the output was streamed to a sink)
    papers: Sequence[Paper]
    diagnostics: tuple[Diagnostic, ...]
    skipped: int
    files: int
    written: bool = True
    io_error: bool = False
    #: arXiv metadata of the written papers (``enrich``); empty otherwise
    records: Mapping[str, ArxivRecord] = field(default_factory=dict)
    #: papers that could not be enriched (``enrich``), and other enrichment warnings
    unenriched: int = 0
    warnings: tuple[str, ...] = ()
    #: how many papers were written
    paper_count: int = 0
    #: whether an error was reported (the run then exits 1 even if everything was written)
    errors: bool = False

    @property
    def exit_code(self) -> int:
        """0 when every paper was written and no error was reported, 1 when anything was
        skipped or an error reported, 2 on I/O errors."""
        if self.io_error:
            return 2
        return 1 if self.skipped or not self.written or self.errors else 0

    def report(self) -> Report:
        """The diagnostics as a :class:`Report` (for the renderers)."""
        return Report(self.diagnostics, self.files, self.paper_count)


def _diag(
    path: str, span: Span, code: str, rule: str, message: str, severity: str = "warning"
) -> Diagnostic:
    return Diagnostic(
        path, span.line, span.column, span.end_line, span.end_column, code, rule, severity, message
    )  # type: ignore[arg-type]


class Merger:
    """Fold files into sound papers merged by identifier, per-file sources and notes.

    Files arrive in input order (:meth:`add`); the first copy of a paper wins.
    The kept papers go to a :class:`~digestconv.spill.Spill` as they arrive; per
    identifier only the first copy's place and fingerprint stay in memory.
    """

    def __init__(
        self,
        directory: str | None = None,
        stream: EntryStream | None = None,
        sink: Sink | None = None,
    ) -> None:
        #: identifier -> (index in :attr:`papers`, path, line, content mark) of its first copy
        self.first: dict[str, tuple[int, str, int, bytes]] = {}
        #: the kept papers in first-appearance order, on disk (unless rendered at once)
        self.papers: Spill[Paper] = Spill(directory)
        #: with ``stream``: each kept paper's entry, rendered as it is kept (UTF-8), in order
        self.stream = stream
        self.rendered: Spill[bytes] = Spill(directory)
        #: with ``stream``: where the entries go as they are rendered, instead of
        #: :attr:`rendered` (when nothing can stop the output from being written)
        self.sink = sink if stream is not None else None
        #: per digest file with papers: its path and the indices of its papers' kept copies
        self.sources: list[tuple[str, Subset[Paper]]] = []
        #: identifier -> rules the source's suppression comments silenced on the kept copy
        self.accepted: dict[str, tuple[str, ...]] = {}
        #: the newest (year, month) of a kept paper's identifier (the default timestamp)
        self.newest = (2000, 1)

    def add(
        self,
        path: str,
        kind: str,
        recognized: bool,
        papers: Sequence[Paper | None],
        facts: Sequence[PaperFact],
        diagnostics: Iterable[Diagnostic],
        marks: Sequence[bytes | None] | None = None,
        accepted: Sequence[tuple[str, ...]] | None = None,
    ) -> list[Diagnostic]:
        """Merge one file's papers; return its notes (not-converted, duplicate-paper).

        A paper may be ``None`` when it cannot be written, or when ``marks``
        says it is a copy whose content was merged before (pool workers send
        each identifier and content once).  ``accepted`` gives, per paper, the
        rules the file's suppression comments silenced on it.
        """
        notes: list[Diagnostic] = []
        if kind == "abstract-page" or not recognized:
            notes.append(
                _diag(
                    path,
                    Span.point(1),
                    SKIPPED_CODE,
                    SKIPPED_RULE,
                    "not converted: the file is not a digest (no citable papers)",
                    "error",
                )
            )
            return notes
        bad_lines: set[int] = set()
        for d in diagnostics:
            if d.severity == "error":
                bad_lines.update(range(d.line, d.end_line + 1))
        mine: list[int] = []
        for index, fact in enumerate(facts):
            paper = papers[index]
            arxiv_id = fact.arxiv_id
            if arxiv_id is None:
                notes.append(
                    _diag(
                        path,
                        fact.span("block"),
                        SKIPPED_CODE,
                        SKIPPED_RULE,
                        f"[^{fact.ref}] not converted: no valid arXiv identifier",
                        "error",
                    )
                )
                continue
            if bad_lines and any(fact.covers(n) for n in bad_lines):
                notes.append(
                    _diag(
                        path,
                        fact.span("block"),
                        SKIPPED_CODE,
                        SKIPPED_RULE,
                        f"[^{fact.ref}] arXiv:{arxiv_id} not converted: fix the "
                        "errors reported in it",
                        "error",
                    )
                )
                continue
            mark = marks[index] if marks is not None else None
            if mark is None:
                if paper is None:
                    raise LookupError(f"arXiv:{arxiv_id} at {path}:{fact.line} was never sent")
                mark = content_mark(paper)
            seen = self.first.get(arxiv_id)
            if seen is None:
                if paper is None:
                    # a copy a worker sent before is always merged before its marks
                    raise LookupError(f"arXiv:{arxiv_id} at {path}:{fact.line} was never sent")
                if self.sink is not None:
                    assert self.stream is not None
                    at = len(self.first)  # the entries written so far
                    if not at:
                        self.sink.write(self.stream.head().encode("utf-8"))
                    self.sink.write(self.stream.entry(paper).encode("utf-8"))
                elif self.stream is not None:
                    at = self.rendered.append(self.stream.entry(paper).encode("utf-8"))
                else:
                    at = self.papers.append(paper)
                self.first[arxiv_id] = (at, path, fact.line, mark)
                ident, _ = arxiv.check_id(arxiv_id)
                if ident is not None:
                    self.newest = max(self.newest, (ident.year, ident.month))
                if accepted is not None and accepted[index]:
                    self.accepted[arxiv_id] = accepted[index]
                mine.append(at)
                continue
            at, kept_path, kept_line, kept_mark = seen
            differ = differing_fields(kept_mark, mark)
            if differ:
                notes.append(
                    _diag(
                        path,
                        fact.span("url"),
                        MERGE_CODE,
                        MERGE_RULE,
                        f"arXiv:{arxiv_id} differs from its copy at {kept_path}:{kept_line} "
                        f"in {', '.join(differ)}: the first copy is kept",
                    )
                )
            mine.append(at)
        if self.stream is None:
            self.sources.append((path, Subset(self.papers, mine)))
        return notes

    def __len__(self) -> int:
        """How many papers are kept."""
        return len(self.first)

    def write_rendered(self, sink: Sink) -> None:
        """Write the output of the entries rendered as the papers were kept."""
        assert self.stream is not None
        if self.sink is None or not self.first:  # else the head went before the first entry
            sink.write(self.stream.head().encode("utf-8"))
        for entry in self.rendered:
            sink.write(entry)
        sink.write(self.stream.tail().encode("utf-8"))

    def close(self) -> None:
        """Delete the spill files."""
        self.papers.close()
        self.rendered.close()


def merge(
    digests: Sequence[Digest], diagnostics: Sequence[Diagnostic]
) -> tuple[list[Paper], list[Source], list[Diagnostic]]:
    """Sound papers merged by identifier, per-file sources, and what was skipped (in memory)."""
    by_path: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        by_path.setdefault(d.path, []).append(d)
    merger = Merger()
    notes: list[Diagnostic] = []
    try:
        for digest in digests:
            notes += merger.add(
                digest.path,
                digest.kind,
                digest.recognized,
                digest.papers,
                [paper_fact(p) for p in digest.papers],
                by_path.get(digest.path, ()),
            )
        papers = list(merger.papers)
        sources = [Source(path, tuple(subset)) for path, subset in merger.sources]
    finally:
        merger.close()
    return papers, sources, notes


def convert(
    paths: Iterable[str | os.PathLike[str]],
    fmt: Format,
    settings: Settings | None = None,
    *,
    strict: bool = False,
    title: str | None = None,
    link: str | None = None,
    ascii: bool = False,
    env: Mapping[str, str] | None = None,
    stdin: object = None,
    jobs: int | None = None,
    inputs: Sequence[pipeline.Input] | None = None,
    report: Callable[[Sequence[Diagnostic]], object] | None = None,
    enrich: EnrichOptions | None = None,
    enrich_hooks: Mapping[str, Any] | None = None,
    sink: Sink | None = None,
    author: str | None = None,
) -> Conversion:
    """Convert every digest under ``paths`` to ``fmt``.

    Files are handled one at a time (by ``jobs`` worker processes for large
    inputs) and folded.  The papers to write wait in a spill file, unless a
    ``sink`` takes the format's entries as they are rendered: then each entry is
    written as its paper is kept, or, with ``strict``, waits in a spill file
    until the last file shows whether anything may be written.
    ``inputs`` may give the discovered inputs of ``paths`` when the caller has them.
    With ``strict``, nothing is written when any input has an error.

    ``report``, when given, receives each file's diagnostics (in report order)
    as soon as the file is merged, and they are not kept: the returned
    :class:`Conversion` then has no diagnostics.  A ``SOURCE_DATE_EPOCH`` that
    is not a timestamp raises :class:`ValueError` before any file is read.

    ``sink``, when given, receives the output entry by entry (then the
    returned :class:`Conversion` holds neither output nor papers); it is
    neither committed nor discarded here.  Without it the output is returned
    as bytes.

    With ``enrich``, the written papers are looked up (cache, snapshot, arXiv
    API) and their metadata goes to the writer as ``Batch.records``; papers
    that cannot be enriched are written from the digest alone, with one
    ``enrich-unavailable`` warning.  ``enrich_hooks`` passes ``progress`` (and,
    for tests, ``clock``/``sleep``/``rng``/``transport``) to the lookup.
    """
    source_date_epoch(env)  # fail early on a bad SOURCE_DATE_EPOCH
    settings = settings or Settings()
    planner = pipeline.Planner(settings)
    fold = pipeline.Fold(settings, planner)
    stream = None
    if sink is not None and enrich is None:
        # entries that stand alone are rendered as their papers are merged
        options = Batch(
            papers=(), title=title or DEFAULT_TITLE, author=author,
            link=link or "https://arxiv.org/", ascii=ascii,
        )  # fmt: skip
        stream = fmt.entry_stream(options)
    # without --strict nothing can stop the output being written: entries go straight out
    merger = Merger(stream=stream, sink=None if strict else sink)
    located: Spill[tuple[str, Paper]] = Spill()  # for enrichment: copies with their spans
    try:
        return _convert(
            paths, fmt, settings, planner, fold, merger, located, strict=strict,
            title=title, link=link, ascii=ascii, env=env, stdin=stdin, jobs=jobs, inputs=inputs,
            report=report, enrich=enrich, enrich_hooks=enrich_hooks, sink=sink, author=author,
        )  # fmt: skip
    finally:
        merger.close()
        located.close()


def _convert(
    paths: Iterable[str | os.PathLike[str]],
    fmt: Format,
    settings: Settings,
    planner: pipeline.Planner,
    fold: pipeline.Fold,
    merger: Merger,
    located: Spill[tuple[str, Paper]],
    *,
    strict: bool,
    title: str | None,
    link: str | None,
    ascii: bool,
    env: Mapping[str, str] | None,
    stdin: object,
    jobs: int | None,
    inputs: Sequence[pipeline.Input] | None,
    report: Callable[[Sequence[Diagnostic]], object] | None,
    enrich: EnrichOptions | None,
    enrich_hooks: Mapping[str, Any] | None,
    sink: Sink | None,
    author: str | None,
) -> Conversion:
    # a pool worker sends each paper copy once, unless every copy is looked up (enrich)
    task = pipeline.Task(settings, papers=True, elide=enrich is None)
    if inputs is None:
        inputs = pipeline.files(paths, settings)
    all_diags: list[Diagnostic] = []
    skipped = 0
    has_errors = io_error = False
    for result in pipeline.run(inputs, task, jobs=jobs, stdin=stdin, planner=planner):  # type: ignore[arg-type]
        diagnostics = fold.add(result)
        if result.status == "skipped":
            continue
        if result.status == "unreadable" or result.fatal:
            io_error = True
        notes: list[Diagnostic] = []
        if result.status == "ok":
            notes = merger.add(
                result.name,
                result.kind,
                result.recognized,
                result.papers or (None,) * len(result.facts),
                result.facts,
                diagnostics,
                result.marks,
                result.accepted,
            )
            notes = _configured(notes, planner)
            if enrich is not None:
                from .enrich.apply import located_papers

                for pair in located_papers(result.name, result.papers or (), result.facts):
                    if pair[1].arxiv_id:
                        located.append(pair)
        # a merge note says more than the plain duplicate-paper warning at the same place
        merged_at = {(d.line, d.column) for d in notes if d.code == MERGE_CODE}
        if merged_at:
            diagnostics = [
                d
                for d in diagnostics
                if not (d.code == MERGE_CODE and (d.line, d.column) in merged_at)
            ]
        has_errors = has_errors or any(d.severity == "error" for d in diagnostics)
        skipped += sum(d.code == SKIPPED_CODE for d in notes)
        if report is None:
            all_diags.extend(diagnostics)
            all_diags.extend(notes)
        elif notes:
            report(sorted([*diagnostics, *notes], key=Diagnostic.sort_key))
        else:
            report(diagnostics)
    records: Mapping[str, ArxivRecord] = {}
    unenriched = 0
    warnings: tuple[str, ...] = ()
    if enrich is not None:
        from .enrich.apply import enrich_papers
        from .rules.engine import enrichment_diagnostics

        outcome = enrich_papers(
            _Written(located, merger.first), enrich, ids=list(merger.first),
            **dict(enrich_hooks or {}),
        )  # fmt: skip
        records = outcome.result.records
        unenriched = len(outcome.not_enriched())
        warnings = outcome.warnings
        found = sorted(enrichment_diagnostics(outcome, settings), key=Diagnostic.sort_key)
        has_errors = has_errors or any(d.severity == "error" for d in found)
        if report is None:
            all_diags.extend(found)
        elif found:
            report(found)
    all_diags.sort(key=Diagnostic.sort_key)
    fixed = source_date_epoch(env)
    newest = merger.newest
    batch = Batch(
        papers=merger.papers,
        sources=tuple(Source(path, subset) for path, subset in merger.sources),  # type: ignore[arg-type]
        updated=fixed or dt.datetime(newest[0], newest[1], 1, tzinfo=dt.timezone.utc),
        title=title or DEFAULT_TITLE,
        author=author,
        link=link or "https://arxiv.org/",
        ascii=ascii,
        records=records,
        accepted=merger.accepted,
        authored=bool(records) and all(has_authors(records.get(k)) for k in merger.first),
    )
    files = fold.files
    count = len(merger)
    extra: dict[str, Any] = {
        "records": records, "unenriched": unenriched, "warnings": warnings,
        "paper_count": count, "errors": has_errors,
    }  # fmt: skip
    if strict and has_errors:
        return Conversion(b"", (), tuple(all_diags), skipped, files, False, io_error, **extra)
    if sink is not None:
        if merger.stream is not None:
            merger.write_rendered(sink)
        else:
            fmt.write_to(sink, batch)  # type: ignore[arg-type]  # a Sink writes like a stream
        return Conversion(b"", (), tuple(all_diags), skipped, files, True, io_error, **extra)
    output = fmt.write_bytes(batch)
    papers = tuple(merger.papers)
    return Conversion(output, papers, tuple(all_diags), skipped, files, True, io_error, **extra)


class _Written(Sequence[tuple[str, Paper]]):
    """The located copies of the papers that are written (what the metadata rules check)."""

    def __init__(self, located: Spill[tuple[str, Paper]], written: Mapping[str, object]) -> None:
        self.located = located
        self.written = written

    def __len__(self) -> int:
        return len(self.located)

    def __getitem__(self, index: Any) -> Any:  # pragma: no cover - iterated, never indexed
        return self.located[index]

    def __iter__(self) -> Iterator[tuple[str, Paper]]:
        return (pair for pair in self.located if pair[1].arxiv_id in self.written)


def _configured(notes: list[Diagnostic], planner: pipeline.Planner) -> list[Diagnostic]:
    """Emit conversion notes through the registry: selection and severity overrides apply."""
    out = []
    for d in notes:
        severity = planner.plan(d.path).severity.get(d.rule)
        if severity is not None:
            out.append(dataclasses.replace(d, severity=severity))  # type: ignore[arg-type]
    return out
