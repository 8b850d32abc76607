"""``to`` and ``fmt``: convert digests to another format, or lay them out canonically."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from .base import (
    AllowEmptyOpt,
    BudgetOpt,
    CacheDirOpt,
    Command,
    ConfigOpt,
    ContactOpt,
    EnrichFlag,
    JobsOpt,
    MaxAgeOpt,
    OfflineOpt,
    PathsArg,
    QuietOpt,
    RefreshOpt,
    SnapshotOpt,
    app,
)
from .common import (
    LookupFlags,
    OutputFormat,
    _count,
    _discover,
    _emit,
    _fail,
    _no_digest,
    _output_format,
    _refuse_inputs,
    _report_writer,
    _resolver,
    _write_text,
)
from .lookup import report_warnings, requested
from .progress import progress_bar


@app.command("to", cls=Command)
def to(
    fmt_or_path: Annotated[
        list[str],
        typer.Argument(
            metavar="FORMAT PATH...",
            help="Output format (see 'digestconv formats'; may be omitted with -o FILE.EXT), "
            "then files or folders.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write atomically to FILE."),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Write nothing if any input has an error.")
    ] = False,
    feed_author: Annotated[
        str | None,
        typer.Option(
            "--feed-author",
            metavar="TEXT",
            help="Feed author (RSS, Atom, OPML; default: the feed title).",
        ),
    ] = None,
    feed_title: Annotated[
        str | None,
        typer.Option("--feed-title", metavar="TEXT", help="Feed title (default 'arXiv digest')."),
    ] = None,
    feed_link: Annotated[
        str | None, typer.Option("--feed-link", metavar="URL", help="Feed link.")
    ] = None,
    ascii_: Annotated[
        bool, typer.Option("--ascii", help="BibTeX: LaTeX escapes instead of UTF-8 letters.")
    ] = False,
    quiet: QuietOpt = False,
    config: ConfigOpt = None,
    output_format: Annotated[
        OutputFormat | None,
        typer.Option(
            "--diagnostics-format",
            metavar="FORMAT",
            case_sensitive=False,
            help="text, json, github, sarif or junit: the diagnostics on stderr "
            "(env DIGESTCONV_OUTPUT_FORMAT).",
        ),
    ] = None,
    jobs: JobsOpt = None,
    allow_empty: AllowEmptyOpt = False,
    show_warnings: Annotated[
        bool,
        typer.Option(
            "--show-warnings",
            help="List every warning; by default each kind of warning is one line with a count.",
        ),
    ] = False,
    enrich: EnrichFlag = False,
    offline: OfflineOpt = False,
    snapshot: SnapshotOpt = None,
    cache_dir: CacheDirOpt = None,
    max_age: MaxAgeOpt = None,
    refresh: RefreshOpt = False,
    style: Annotated[
        str | None,
        typer.Option(
            "--style",
            metavar="STYLE",
            help="text/html/markdown-refs: CSL style NAME or FILE.csl "
            "(default GB/T 7714 numeric; see 'digestconv styles').",
        ),
    ] = None,
    locale: Annotated[
        str | None,
        typer.Option(
            "--locale",
            metavar="TAG",
            help="Locale of the references (default zh-CN for GB/T 7714, else the style's).",
        ),
    ] = None,
    with_chinese: Annotated[
        bool, typer.Option("--with-chinese", help="Chinese title and summary after each reference.")
    ] = False,
    contact: ContactOpt = None,
    budget: BudgetOpt = None,
) -> None:
    """Convert digests to FORMAT on stdout (diagnostics go to stderr).

    With --enrich, arXiv metadata (authors, dates, full abstracts) is added from
    the cache, --snapshot, then the arXiv API (--offline: no network); papers
    that cannot be enriched are written from the digest alone, with a warning.
    """
    from .options import check_to_options, pick_format

    # every option is checked before any input is read or any output written
    fmt, args = pick_format(fmt_or_path, output)
    from ..formats._styles import configure

    try:  # the reference options, checked before any input is read
        fmt = configure(fmt, style=style, locale=locale, with_chinese=with_chinese)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    check_to_options(
        fmt,
        output,
        feed_title=feed_title,
        feed_link=feed_link,
        ascii_=ascii_,
        feed_author=feed_author,
    )
    resolver = _resolver(config, allow_empty=True if allow_empty else None)
    flags = LookupFlags(offline, snapshot, cache_dir, max_age, refresh, contact, budget)
    metadata = requested(enrich, config, flags)
    from ..report import want_color

    inputs, settings = _discover(args, resolver, jobs)
    _refuse_inputs(inputs, output)
    from ..conversion import convert

    def write(text: str) -> None:
        _write_text(text, sys.stderr)

    # diagnostics go to stderr file by file, as the files are merged (never all kept);
    # as text, errors in full and one line per kind of warning unless --show-warnings
    diagnostics_format = _output_format(output_format)
    writer: Any
    if diagnostics_format == "text" and not show_warnings:
        from ..report.summary import SummaryWriter

        writer = SummaryWriter(
            write,
            color=want_color(sys.stderr, os.environ),
            cut=settings.abstract_cut,
            enriched=metadata is not None,
            quiet=quiet,
        )
    else:
        writer = _report_writer(diagnostics_format, write, sys.stderr, quiet)
    from ..output import OutputError, Sink
    from ..spill import SpillError

    try:
        sink = Sink(output)  # made now: a target that cannot be written stops the run here
    except OutputError as exc:
        raise _fail(str(exc)) from None
    with sink:
        try:
            result = convert(
                args,
                fmt,
                settings,
                strict=strict,
                title=feed_title,
                author=feed_author,
                link=feed_link,
                ascii=ascii_,
                inputs=inputs,
                report=writer.file,
                enrich=metadata,
                enrich_hooks={"progress": progress_bar(quiet)} if metadata else None,
                sink=sink,
            )
            empty = not result.files and not result.io_error and not settings.allow_empty
            if result.written and not empty:
                sink.commit()
        except (ValueError, OutputError, SpillError) as exc:
            raise _fail(str(exc)) from None
    report_warnings(result.warnings)
    if writer.errors or writer.warnings:
        writer.finish(
            result.files, result.paper_count, found=len(result.records) if metadata else None
        )
    if empty:
        # every input was a file without digest structure: nothing is written
        raise _no_digest(args, len(inputs))
    if not result.written:
        typer.echo("digestconv: nothing written (--strict and errors in the input)", err=True)
    # papers written without their metadata fail only --strict runs
    raise typer.Exit(max(result.exit_code, 1 if strict and result.unenriched else 0))


@app.command("fmt", cls=Command)
def fmt_command(
    paths: PathsArg,
    check_only: Annotated[
        bool, typer.Option("--check", help="Change nothing; exit 1 if a file would change.")
    ] = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Print a unified diff; change nothing.")
    ] = False,
    skip_non_digests: Annotated[
        bool,
        typer.Option(
            "--skip-non-digests",
            help="Silently leave files without digest structure alone (README.md).",
        ),
    ] = False,
    config: ConfigOpt = None,
    jobs: JobsOpt = None,
    allow_empty: AllowEmptyOpt = False,
) -> None:
    """Rewrite digests into the canonical layout (safe fixes only)."""
    from .. import pipeline
    from ..output import write_atomic

    resolver = _resolver(
        config,
        skip_non_digests=True if skip_non_digests else None,
        allow_empty=True if allow_empty else None,
    )
    inputs, settings = _discover(paths, resolver, jobs)
    mode = "diff" if diff else "check" if check_only else "write"
    task = pipeline.Task(settings, check=False, fmt=mode)
    changed = unchanged = refused = skipped = unreadable = failed = crashed = 0
    for source, result in zip(inputs, pipeline.run(inputs, task), strict=True):
        name = result.name
        # as a filter (stdin to stdout), a file fmt leaves alone is passed on unchanged
        original = result.formatting.original if result.formatting else None
        if result.status == "skipped":
            skipped += 1
            if original is not None:
                _emit(original, None)
            continue
        outcome = result.formatting
        if outcome is None:  # unreadable, or an internal error
            if result.status == "unreadable":
                unreadable += 1
            else:
                crashed += 1
            for d in result.diagnostics:
                typer.echo(f"{d.path}: {d.message}", err=True)
            continue
        if outcome.reason is not None:
            refused += 1
            typer.echo(f"{name}: not formatted: {outcome.reason}", err=True)
            if original is not None:
                _emit(original, None)
            continue
        if not outcome.changed:
            unchanged += 1
            if original is not None:
                _emit(original, None)
            continue
        if diff or (outcome.text is not None and source.path is None):
            _write_text((outcome.diff or "") if diff else (outcome.text or ""))
        elif check_only:
            typer.echo(f"would reformat {name}", err=True)
        elif outcome.text is not None and source.path is not None:
            try:
                write_atomic(source.path, outcome.text.encode("utf-8"))
            except OSError as exc:
                typer.echo(f"{name}: cannot write: {exc.strerror or exc}", err=True)
                failed += 1
                continue
            typer.echo(f"reformatted {name}", err=True)
        changed += 1
    verb = "would be reformatted" if check_only or diff else "reformatted"
    typer.echo(
        f"{_count(changed, 'file')} {verb}, {unchanged} unchanged, "
        f"{refused} not formatted"
        + (f", {failed} could not be written" if failed else "")
        + (f", {unreadable} could not be read" if unreadable else "")
        + (f", {crashed} failed with an internal error" if crashed else "")
        + (f", {_count(skipped, 'non-digest file')} skipped" if skipped else ""),
        err=True,
    )
    handled = changed + unchanged + refused + unreadable + failed + crashed
    if not handled and not settings.allow_empty:
        raise _no_digest(paths, skipped)
    status = 2 if unreadable or failed or crashed else 0
    if status == 0 and (refused or ((check_only or diff) and changed)):
        status = 1
    raise typer.Exit(status)
