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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import arxiv
from .api import check, discover, load
from .formats import Batch, Format, Source
from .model import ENTRY_FIELDS, Diagnostic, Digest, Paper, Report, Span
from .output import source_date_epoch
from .settings import Settings

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


def _paper_lines(paper: Paper) -> set[int]:
    lines = set(range(paper.line or 0, (paper.end_line or paper.line or 0) + 1))
    if paper.source.row is not None:
        lines.add(paper.source.row.line)
    return lines


def merge(
    digests: Sequence[Digest], diagnostics: Sequence[Diagnostic]
) -> tuple[list[Paper], list[Source], list[Diagnostic]]:
    """Sound papers merged by identifier, per-file sources, and what was skipped."""
    errors: dict[str, set[int]] = {}
    for d in diagnostics:
        if d.severity == "error":
            errors.setdefault(d.path, set()).update(range(d.line, d.end_line + 1))
    first: dict[str, tuple[Paper, str]] = {}
    merged: list[Paper] = []
    sources: list[Source] = []
    notes: list[Diagnostic] = []
    for digest in digests:
        if digest.kind == "abstract-page" or not digest.recognized:
            notes.append(
                _diag(
                    digest.path,
                    Span.point(1),
                    SKIPPED_CODE,
                    SKIPPED_RULE,
                    "not converted: the file is not a digest (no citable papers)",
                    "error",
                )
            )
            continue
        bad_lines = errors.get(digest.path, set())
        mine: list[Paper] = []
        for paper in digest.papers:
            where = paper.span("block")
            if paper.arxiv_id is None:
                notes.append(
                    _diag(
                        digest.path,
                        where,
                        SKIPPED_CODE,
                        SKIPPED_RULE,
                        f"[^{paper.ref}] not converted: no valid arXiv identifier",
                        "error",
                    )
                )
                continue
            if bad_lines & _paper_lines(paper):
                notes.append(
                    _diag(
                        digest.path,
                        where,
                        SKIPPED_CODE,
                        SKIPPED_RULE,
                        f"[^{paper.ref}] arXiv:{paper.arxiv_id} not converted: fix the "
                        "errors reported in it",
                        "error",
                    )
                )
                continue
            seen = first.get(paper.arxiv_id)
            if seen is None:
                first[paper.arxiv_id] = (paper, digest.path)
                merged.append(paper)
                mine.append(paper)
                continue
            kept, kept_path = seen
            differ = [
                f
                for f in ENTRY_FIELDS
                if f not in ("ref", "line", "end_line") and getattr(kept, f) != getattr(paper, f)
            ]
            if differ:
                notes.append(
                    _diag(
                        digest.path,
                        paper.span("url"),
                        MERGE_CODE,
                        MERGE_RULE,
                        f"arXiv:{paper.arxiv_id} differs from its copy at {kept_path}:{kept.line} "
                        f"in {', '.join(differ)}: the first copy is kept",
                    )
                )
            mine.append(kept)
        sources.append(Source(digest.path, tuple(mine)))
    return merged, sources, notes


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
) -> Conversion:
    """Convert every digest under ``paths`` to ``fmt``.

    With ``strict``, nothing is written when any input has an error.
    """
    settings = settings or Settings()
    inputs, problems = discover(paths, settings)
    digests: list[Digest] = []
    for source in inputs:
        loaded = load(source, settings, stdin)  # type: ignore[arg-type]
        if isinstance(loaded, Diagnostic):
            problems.append(loaded)
        else:
            digests.append(loaded)
    diagnostics = problems + check(digests, settings)
    papers, sources, notes = merge(digests, diagnostics)
    notes = _configured(notes, settings)
    # a merge note says more than the plain duplicate-paper warning at the same place
    merged_at = {(d.path, d.line, d.column) for d in notes if d.code == MERGE_CODE}
    diagnostics = [
        d
        for d in diagnostics
        if not (d.code == MERGE_CODE and (d.path, d.line, d.column) in merged_at)
    ]
    all_diags = sorted(diagnostics + notes, key=Diagnostic.sort_key)
    skipped = sum(d.code == SKIPPED_CODE for d in notes)
    has_errors = any(d.severity == "error" for d in diagnostics)
    io_error = bool(problems)
    batch = Batch(
        papers=tuple(papers),
        sources=tuple(sources),
        updated=timestamp(papers, env),
        title=title or _default_title(digests),
        link=link or "https://arxiv.org/",
        ascii=ascii,
    )
    if strict and has_errors:
        return Conversion(
            b"", tuple(papers), tuple(all_diags), skipped, len(digests), False, io_error
        )
    output = fmt.write_bytes(batch)
    return Conversion(
        output,
        tuple(papers),
        tuple(all_diags),
        skipped,
        len(digests),
        True,
        io_error,
    )


def _configured(notes: list[Diagnostic], settings: Settings) -> list[Diagnostic]:
    """Apply rule selection and severity overrides to conversion notes."""
    out = []
    for d in notes:
        if settings.enabled(d.code, d.rule, d.path):
            severity = settings.severity_of(d.code, d.rule, d.severity)
            out.append(dataclasses.replace(d, severity=severity))
    return out


def _default_title(digests: Sequence[Digest]) -> str:
    names = [Path(d.path).stem for d in digests if d.kind == "digest" and d.papers]
    if len(names) == 1:
        return f"arXiv digest {names[0]}"
    return f"arXiv digest ({len(names)} files)" if names else "arXiv digest"
