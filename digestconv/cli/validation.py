"""What ``validate`` does, without typer: the command's typer form is in
:mod:`~digestconv.cli.check`, and :func:`digestconv.cli.main` calls :func:`run`
directly for a command line of paths and plain flags.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from .common import (
    LookupFlags,
    OutputFormat,
    _discover,
    _fail,
    _jobs,
    _no_digest,
    _output_format,
    _progress,
    _report_writer,
    _resolver,
)

#: no metadata flag given
NO_FLAGS = LookupFlags()


def _write_errors() -> tuple[type[Exception], ...]:
    """What a failed write of the report raises (called only once something was raised:
    the spill module loads only when the report spills to disk)."""
    from ..spill import SpillError
    from ..streams import OutputError

    return (OutputError, SpillError, BrokenPipeError)


def _echo(text: str) -> None:
    import typer

    typer.echo(text, nl=False)


def run(
    paths: list[str] | None,
    *,
    output_format: OutputFormat | None = None,
    strict: bool = False,
    quiet: bool = False,
    config: Path | None = None,
    select: list[str] | None = None,
    extend_select: list[str] | None = None,
    ignore: list[str] | None = None,
    exclude: list[str] | None = None,
    per_file: bool = False,
    skip_non_digests: bool = False,
    abstract_cut: int | None = None,
    show_settings: bool = False,
    jobs: int | None = None,
    allow_empty: bool = False,
    enrich: bool = False,
    flags: LookupFlags = NO_FLAGS,
) -> int:
    """Check the digests under ``paths`` and write the report on standard output.

    The arguments are ``validate``'s options, with its defaults.  Returns the
    exit code (0 clean, 1 findings, 2 a file that could not be read); a usage
    or I/O error raises the :class:`typer.Exit` :func:`_fail` makes.
    """
    resolver = _resolver(
        config,
        select,
        extend_select,
        ignore,
        exclude,
        cross_file=False if per_file else None,
        skip_non_digests=True if skip_non_digests else None,
        abstract_cut=abstract_cut,
        allow_empty=True if allow_empty else None,
    )
    if show_settings:
        from ..config import show

        # the settings of the first path, else those of the current folder
        first = next((p for p in paths or () if p != "-"), None)
        if first is None:
            _echo(show(_jobs(jobs, resolver.base), resolver.source))
        else:
            own = _jobs(jobs, resolver.settings_for(first))
            _echo(show(own, resolver.source_for(first), first))
        return 0
    if not paths:
        raise _fail(
            "missing argument PATH...: give files or folders ('-' reads standard input); "
            "see 'digestconv validate -h'"
        )
    fmt = _output_format(output_format)
    metadata = None
    if enrich or flags != NO_FLAGS:
        # without a flag, requested() answers None: the lookup is not even imported
        from .lookup import requested

        metadata = requested(enrich, config, flags)
    from .. import pipeline
    from ..streams import write_text

    inputs, settings = _discover(paths, resolver, jobs)
    stream = sys.stdout

    # checked: a short write is an error
    writer = _report_writer(fmt, lambda text: write_text(text, stream), stream, quiet)
    planner = pipeline.Planner(settings)
    fold = pipeline.Fold(settings, planner)
    task = pipeline.Task(settings, papers=metadata is not None)
    results = pipeline.run(inputs, task, planner=planner)
    fatal = False
    held: list[tuple[str, list[Any]]] = []  # --enrich: files wait for the lookup
    located: list[Any] = []
    try:
        for result, found in pipeline.each(results, fold, _progress(quiet, len(inputs))):
            fatal = fatal or any(d.rule in pipeline.FATAL_RULES for d in found)
            if metadata is not None:
                from ..enrich.apply import located_papers

                held.append((result.name, list(found)))
                located.extend(located_papers(result.name, result.papers or (), result.facts))
                continue
            writer.file(found)
        if metadata is not None:
            from ..enrich.apply import enrich_papers
            from ..model import Diagnostic
            from ..rules.engine import enrichment_diagnostics
            from .lookup import report_warnings
            from .progress import progress_bar

            outcome = enrich_papers(
                located, metadata, progress=progress_bar(quiet, bar=fmt == "text")
            )
            report_warnings(outcome.warnings)
            extra: dict[str, list[Diagnostic]] = {}
            for d in enrichment_diagnostics(outcome, settings):
                extra.setdefault(d.path, []).append(d)
            for name, found in held:
                writer.file(sorted(found + extra.pop(name, []), key=Diagnostic.sort_key))
        writer.finish(fold.files, fold.papers, fold.skipped)
    except _write_errors() as exc:
        close = getattr(results, "close", None)
        if close is not None:
            close()  # stop the workers now, not at interpreter exit
        if isinstance(exc, BrokenPipeError):
            raise
        raise _fail(str(exc)) from None
    if fatal:
        return 2
    if not fold.files and not settings.allow_empty:
        raise _no_digest(paths, fold.skipped)
    return 1 if writer.errors or (strict and writer.warnings) else 0
