"""``validate`` and ``parse``: check digests, or print their JSON form.

``validate``'s work is in :mod:`~digestconv.cli.validation`, which needs no typer.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from .base import (
    AllowEmptyOpt,
    BudgetOpt,
    CacheDirOpt,
    Command,
    ConfigOpt,
    ContactOpt,
    EnrichFlag,
    ExcludeOpt,
    ExtendOpt,
    IgnoreOpt,
    JobsOpt,
    MaxAgeOpt,
    OfflineOpt,
    PathsArg,
    QuietOpt,
    RefreshOpt,
    SelectOpt,
    SnapshotOpt,
    StrictOpt,
    app,
)
from .common import (
    LookupFlags,
    OutputFormat,
    _check_output,
    _discover,
    _emit,
    _no_digest,
    _refuse_inputs,
    _resolver,
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
    enrich: EnrichFlag = False,
    offline: OfflineOpt = False,
    snapshot: SnapshotOpt = None,
    cache_dir: CacheDirOpt = None,
    max_age: MaxAgeOpt = None,
    refresh: RefreshOpt = False,
    contact: ContactOpt = None,
    budget: BudgetOpt = None,
) -> None:
    """Check digests and report problems with file, line and column.

    With --enrich, each paper is also compared with its arXiv metadata (the
    cache, --snapshot, then the arXiv API; --offline: no network).
    """
    from .validation import run

    raise typer.Exit(
        run(
            paths,
            output_format=output_format,
            strict=strict,
            quiet=quiet,
            config=config,
            select=select,
            extend_select=extend_select,
            ignore=ignore,
            exclude=exclude,
            per_file=per_file,
            skip_non_digests=skip_non_digests,
            abstract_cut=abstract_cut,
            show_settings=show_settings,
            jobs=jobs,
            allow_empty=allow_empty,
            enrich=enrich,
            flags=LookupFlags(offline, snapshot, cache_dir, max_age, refresh, contact, budget),
        )
    )


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
