"""``validate`` and ``parse``: check digests, or print their JSON form."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from . import enrich as _enrich_cli
from .base import (
    AllowEmptyOpt,
    Command,
    ConfigOpt,
    ExcludeOpt,
    ExtendOpt,
    IgnoreOpt,
    JobsOpt,
    OutputFormat,
    PathsArg,
    QuietOpt,
    SelectOpt,
    StrictOpt,
    _check_output,
    _discover,
    _emit,
    _fail,
    _jobs,
    _no_digest,
    _output_format,
    _progress,
    _refuse_inputs,
    _resolver,
    app,
)


@app.command(cls=Command)
def validate(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="PATH...",
            help="Files or folders ('-' reads standard input).",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        OutputFormat | None,
        typer.Option(
            "--output-format",
            "-f",
            metavar="FORMAT",
            case_sensitive=False,
            help="text, json, github, sarif or junit (env DIGESTCONV_OUTPUT_FORMAT).",
            show_default=False,
        ),
    ] = None,
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
    config: ConfigOpt = None,
    select: SelectOpt = None,
    extend_select: ExtendOpt = None,
    ignore: IgnoreOpt = None,
    exclude: ExcludeOpt = None,
    per_file: Annotated[
        bool, typer.Option("--per-file", help="No cross-file checks (for pre-commit batches).")
    ] = False,
    skip_non_digests: Annotated[
        bool,
        typer.Option(
            "--skip-non-digests", help="Leave files without digest structure alone (README.md)."
        ),
    ] = False,
    abstract_cut: Annotated[
        int | None,
        typer.Option("--abstract-cut", min=1, metavar="N", help="The producer's abstract cut."),
    ] = None,
    show_settings: Annotated[
        bool, typer.Option("--show-settings", help="Print the effective settings and exit.")
    ] = False,
    jobs: JobsOpt = None,
    allow_empty: AllowEmptyOpt = False,
    enrich: _enrich_cli.EnrichFlag = False,
    offline: _enrich_cli.OfflineOpt = False,
    snapshot: _enrich_cli.SnapshotOpt = None,
    cache_dir: _enrich_cli.CacheDirOpt = None,
    max_age: _enrich_cli.MaxAgeOpt = None,
    refresh: _enrich_cli.RefreshOpt = False,
    contact: _enrich_cli.ContactOpt = None,
    budget: _enrich_cli.BudgetOpt = None,
) -> None:
    """Check digests and report problems with file, line and column.

    With --enrich, each paper is also compared with its arXiv metadata (the
    cache, --snapshot, then the arXiv API; --offline: no network).
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
            typer.echo(show(_jobs(jobs, resolver.base), resolver.source), nl=False)
        else:
            own = _jobs(jobs, resolver.settings_for(first))
            typer.echo(show(own, resolver.source_for(first), first), nl=False)
        raise typer.Exit(0)
    if not paths:
        raise _fail(
            "missing argument PATH...: give files or folders ('-' reads standard input); "
            "see 'digestconv validate -h'"
        )
    fmt = _output_format(output_format)
    metadata = _enrich_cli.requested(
        enrich,
        config,
        offline=offline,
        snapshot=snapshot,
        cache_dir=cache_dir,
        max_age=max_age,
        refresh=refresh,
        contact=contact,
        budget=budget,
    )
    from .. import pipeline
    from ..output import OutputError, write_text
    from ..report import StreamWriter, want_color
    from ..spill import SpillError

    inputs, settings = _discover(paths, resolver, jobs)
    stream = sys.stdout

    writer = StreamWriter(
        fmt,
        lambda text: write_text(text, stream),  # checked: a short write is an error
        color=want_color(stream, os.environ),
        root=Path(os.environ.get("GITHUB_WORKSPACE") or Path.cwd()),
        quiet=quiet,
    )
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

            outcome = enrich_papers(
                located, metadata, progress=_enrich_cli.progress_bar(quiet, bar=fmt == "text")
            )
            _enrich_cli.report_warnings(outcome.warnings)
            extra: dict[str, list[Diagnostic]] = {}
            for d in enrichment_diagnostics(outcome, settings):
                extra.setdefault(d.path, []).append(d)
            for name, found in held:
                writer.file(sorted(found + extra.pop(name, []), key=Diagnostic.sort_key))
        writer.finish(fold.files, fold.papers, fold.skipped)
    except (OutputError, SpillError, BrokenPipeError) as exc:
        close = getattr(results, "close", None)
        if close is not None:
            close()  # stop the workers now, not at interpreter exit
        if isinstance(exc, BrokenPipeError):
            raise
        raise _fail(str(exc)) from None
    if fatal:
        raise typer.Exit(2)
    if not fold.files and not settings.allow_empty:
        raise _no_digest(paths, fold.skipped)
    raise typer.Exit(1 if writer.errors or (strict and writer.warnings) else 0)


@app.command(cls=Command)
def parse(
    paths: PathsArg,
    config: ConfigOpt = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", metavar="FILE", help="Write to FILE.")
    ] = None,
    jobs: JobsOpt = None,
    allow_empty: AllowEmptyOpt = False,
) -> None:
    """Print the JSON form of each file (a JSON array, one object per file)."""
    from .. import pipeline

    _check_output(output)
    resolver = _resolver(config, allow_empty=True if allow_empty else None)
    inputs, settings = _discover(paths, resolver, jobs)
    _refuse_inputs(inputs, output)
    task = pipeline.Task(settings, check=False, document=True)
    parts: list[str] = []
    problems = not_digests = skipped = 0
    from ..report import want_color
    from ..report.text import line

    color = want_color(sys.stderr, os.environ)
    for result in pipeline.run(inputs, task):
        if result.document is not None:
            parts.append(result.document)
        elif result.status == "skipped":
            skipped += 1
            continue
        elif result.status == "ok":
            # no digest (README.md, an empty or binary file): left out, said as validate says it
            not_digests += 1
            for d in result.diagnostics:
                typer.echo(line(d, color=color), err=True)
            continue
        for d in result.diagnostics:
            problems += 1
            typer.echo(f"{d.path}: {d.message}", err=True)
    if not parts and not problems and not not_digests and not settings.allow_empty:
        raise _no_digest(paths, skipped)
    text = ("[\n" + ",\n".join(parts) + "\n]\n") if parts else "[]\n"
    _emit(text.encode("utf-8", "backslashreplace"), output)
    raise typer.Exit(2 if problems else 1 if not_digests else 0)
