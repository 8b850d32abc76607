"""Conversion: digests -> merged, checked papers -> one output format.

Papers are merged across all inputs by arXiv identifier, first appearance
wins; a later copy that disagrees is reported.  Papers touched by an error
diagnostic are skipped (and reported), abstract pages are skipped, and the
rest are written.  Timestamps come from ``SOURCE_DATE_EPOCH`` when set,
otherwise from the newest arXiv identifier in the input, never the clock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import arxiv, pipeline
from .formats import Batch, Format, Source
from .model import Diagnostic, Digest, Paper, Report, Span
from .output import source_date_epoch
from .rules.facts import CONTENT_FIELDS, PaperFact, paper_fact
from .settings import Settings

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
    papers: tuple[Paper, ...]
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

    @property
    def exit_code(self) -> int:
        """0 when every paper was written, 1 when anything was skipped, 2 on I/O errors."""
        if self.io_error:
            return 2
        return 1 if self.skipped or not self.written else 0

    def report(self) -> Report:
        """The diagnostics as a :class:`Report` (for the renderers)."""
        return Report(self.diagnostics, self.files, len(self.papers))


def timestamp(papers: Iterable[Paper], env: Mapping[str, str] | None = None) -> dt.datetime:
    """``SOURCE_DATE_EPOCH`` if set, else the first day of the newest paper's month.

    A ``SOURCE_DATE_EPOCH`` outside 1970..9999 raises :class:`ValueError`
    (see :func:`digestconv.output.source_date_epoch`).
    """
    fixed = source_date_epoch(env)
    if fixed is not None:
        return fixed
    newest = (2000, 1)
    for paper in papers:
        if paper.arxiv_id:
            ident, _ = arxiv.check_id(paper.arxiv_id)
            if ident is not None:
                newest = max(newest, (ident.year, ident.month))
    return dt.datetime(newest[0], newest[1], 1, tzinfo=dt.timezone.utc)


def _diag(
    path: str, span: Span, code: str, rule: str, message: str, severity: str = "warning"
) -> Diagnostic:
    return Diagnostic(
        path, span.line, span.column, span.end_line, span.end_column, code, rule, severity, message
    )  # type: ignore[arg-type]


class Merger:
    """Fold files into sound papers merged by identifier, per-file sources and notes.

    Files arrive in input order (:meth:`add`); the first copy of a paper wins.
    Only one merged paper per arXiv identifier is held, never the digests.
    """

    def __init__(self) -> None:
        self.first: dict[str, tuple[Paper, str, int]] = {}
        self.papers: list[Paper] = []
        self.sources: list[Source] = []
        #: stems of the digest files with papers (for the default feed title)
        self.names: list[str] = []
        #: (identifier, content mark) -> fields in which that copy differs from the kept one
        self.variants: dict[tuple[str, bytes], list[str]] = {}
        #: (identifier, content mark) -> the paper a pool worker sent (later copies are marks)
        self.sent: dict[tuple[str, bytes], Paper] = {}
        #: identifier -> rules the source's suppression comments silenced on the kept copy
        self.accepted: dict[str, tuple[str, ...]] = {}

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
        if kind == "digest" and facts:
            self.names.append(Path(path).stem)
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
        mine: list[Paper] = []
        for index, fact in enumerate(facts):
            paper = papers[index]
            arxiv_id = fact.arxiv_id
            mark = marks[index] if marks is not None else None
            if mark is not None and arxiv_id is not None:
                # a copy sent before by the same worker, hence earlier in input order
                if paper is None:
                    paper = self.sent.get((arxiv_id, mark))
                    if paper is None:
                        raise LookupError(f"arXiv:{arxiv_id} at {path}:{fact.line} was never sent")
                else:
                    self.sent.setdefault((arxiv_id, mark), paper)
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
            if paper is None:
                raise LookupError(f"arXiv:{arxiv_id} at {path}:{fact.line} was never sent")
            seen = self.first.get(arxiv_id)
            if seen is None:
                self.first[arxiv_id] = (paper, path, fact.line)
                self.papers.append(paper)
                if accepted is not None and accepted[index]:
                    self.accepted[arxiv_id] = accepted[index]
                mine.append(paper)
                continue
            kept, kept_path, kept_line = seen
            differ = self.variants.get((arxiv_id, mark)) if mark is not None else None
            if differ is None:
                differ = [f for f in CONTENT_FIELDS if getattr(kept, f) != getattr(paper, f)]
                if mark is not None:
                    self.variants[(arxiv_id, mark)] = differ
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
            mine.append(kept)
        self.sources.append(Source(path, tuple(mine)))
        return notes


def merge(
    digests: Sequence[Digest], diagnostics: Sequence[Diagnostic]
) -> tuple[list[Paper], list[Source], list[Diagnostic]]:
    """Sound papers merged by identifier, per-file sources, and what was skipped."""
    by_path: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        by_path.setdefault(d.path, []).append(d)
    merger = Merger()
    notes: list[Diagnostic] = []
    for digest in digests:
        notes += merger.add(
            digest.path,
            digest.kind,
            digest.recognized,
            digest.papers,
            [paper_fact(p) for p in digest.papers],
            by_path.get(digest.path, ()),
        )
    return merger.papers, merger.sources, notes


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
) -> Conversion:
    """Convert every digest under ``paths`` to ``fmt``.

    Files are handled one at a time (by ``jobs`` worker processes for large
    inputs) and folded: only one merged paper per arXiv identifier is kept.
    ``inputs`` may give the discovered inputs of ``paths`` when the caller has them.
    With ``strict``, nothing is written when any input has an error.

    ``report``, when given, receives each file's diagnostics (in report order)
    as soon as the file is merged, and they are not kept: the returned
    :class:`Conversion` then has no diagnostics.  A ``SOURCE_DATE_EPOCH`` that
    is not a timestamp raises :class:`ValueError` before any file is read.

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
    merger = Merger()
    # a pool worker sends each paper copy once, unless every copy is looked up (enrich)
    task = pipeline.Task(settings, papers=True, elide=enrich is None)
    if inputs is None:
        inputs = pipeline.files(paths, settings)
    all_diags: list[Diagnostic] = []
    located: list[tuple[str, Paper]] = []  # for enrichment: papers with their link spans
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

                located.extend(located_papers(result.name, result.papers or (), result.facts))
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
    papers = merger.papers
    records: Mapping[str, ArxivRecord] = {}
    unenriched = 0
    warnings: tuple[str, ...] = ()
    if enrich is not None:
        from .enrich.apply import enrich_papers
        from .rules.engine import enrichment_diagnostics

        written = {p.arxiv_id for p in papers}
        outcome = enrich_papers(
            [(name, p) for name, p in located if p.arxiv_id in written],
            enrich,
            **dict(enrich_hooks or {}),
        )
        records = {k: v for k, v in outcome.records.items() if k in written}
        unenriched = len(outcome.not_enriched())
        warnings = outcome.warnings
        found = sorted(enrichment_diagnostics(outcome, settings), key=Diagnostic.sort_key)
        if report is None:
            all_diags.extend(found)
        elif found:
            report(found)
    all_diags.sort(key=Diagnostic.sort_key)
    batch = Batch(
        papers=tuple(papers),
        sources=tuple(merger.sources),
        updated=timestamp(papers, env),
        title=title or _default_title(merger.names),
        link=link or "https://arxiv.org/",
        ascii=ascii,
        records=records,
        accepted=merger.accepted,
    )
    files = fold.files
    extra = {"records": records, "unenriched": unenriched, "warnings": warnings}
    if strict and has_errors:
        return Conversion(
            b"", tuple(papers), tuple(all_diags), skipped, files, False, io_error, **extra
        )
    output = fmt.write_bytes(batch)
    return Conversion(
        output, tuple(papers), tuple(all_diags), skipped, files, True, io_error, **extra
    )


def _configured(notes: list[Diagnostic], planner: pipeline.Planner) -> list[Diagnostic]:
    """Emit conversion notes through the registry: selection and severity overrides apply."""
    out = []
    for d in notes:
        severity = planner.plan(d.path).severity.get(d.rule)
        if severity is not None:
            out.append(dataclasses.replace(d, severity=severity))  # type: ignore[arg-type]
    return out


def _default_title(names: Sequence[str]) -> str:
    if len(names) == 1:
        return f"arXiv digest {names[0]}"
    return f"arXiv digest ({len(names)} files)" if names else "arXiv digest"
