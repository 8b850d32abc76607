"""The ``digestconv`` command: a thin typer layer over :mod:`digestconv.api`.

Exit codes: 0 clean (warnings allowed), 1 findings at error severity (or
warnings with ``--strict``), 2 usage, I/O or internal error.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
from collections.abc import Iterable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from . import __version__
from .enrich import cli as _enrich_cli

app = typer.Typer(
    name="digestconv",
    help="Validate Chinese arXiv digests and convert them to BibTeX, CSL-JSON, RSS, Atom, OPML.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class OutputFormat(str, Enum):
    """Diagnostic output formats."""

    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"
    junit = "junit"


def _fail(message: str, code: int = 2) -> typer.Exit:
    with contextlib.suppress(OSError):
        typer.echo(f"digestconv: {message}", err=True)
    return typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"digestconv {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Validate Chinese arXiv digests and convert them to other formats."""


PathsArg = Annotated[
    list[str],
    typer.Argument(help="Files or folders ('-' reads standard input).", show_default=False),
]
ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="Config file (pyproject.toml or digestconv.toml).")
]
SelectOpt = Annotated[
    list[str] | None, typer.Option("--select", help="Only these rules (codes, prefixes, names).")
]
ExtendOpt = Annotated[
    list[str] | None, typer.Option("--extend-select", help="Add rules to the selection.")
]
IgnoreOpt = Annotated[list[str] | None, typer.Option("--ignore", help="Skip these rules.")]
ExcludeOpt = Annotated[
    list[str] | None, typer.Option("--exclude", help="Skip files matching this glob.")
]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Warnings fail too (exit 1).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar, no summary line.")]
JobsOpt = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        help="Worker processes for large inputs (default: the 'jobs' setting, else every CPU).",
        show_default=False,
    ),
]


def _split(values: list[str] | None) -> tuple[str, ...]:
    out: list[str] = []
    for v in values or ():
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return tuple(out)


def _settings(
    config: Path | None,
    select: list[str] | None = None,
    extend_select: list[str] | None = None,
    ignore: list[str] | None = None,
    exclude: list[str] | None = None,
    **flags: Any,
) -> tuple[Any, Path | None]:
    from . import config as cfg

    try:
        settings, source = cfg.load(config)
        overrides: dict[str, Any] = {}
        if select:
            overrides["select"] = _split(select)
        if extend_select:
            overrides["extend-select"] = list(settings.extend_select) + list(_split(extend_select))
        if ignore:
            overrides["ignore"] = list(settings.ignore) + list(_split(ignore))
        if exclude:
            overrides["exclude"] = list(settings.exclude) + list(_split(exclude))
        overrides = {k: list(v) for k, v in overrides.items()}
        if overrides:
            settings = cfg.settings_from_table(overrides, "command line", settings)
    except cfg.ConfigError as exc:
        raise _fail(f"invalid configuration: {exc}") from None
    changes = {k: v for k, v in flags.items() if v is not None}
    return dataclasses.replace(settings, **changes), source


def _progress(quiet: bool, total: int | None = None) -> Any:
    """A progress wrapper for 20 files or more on a TTY; ``None`` otherwise.

    The wrapper passes the items through as they come (``total`` says how many
    there will be; without it they are counted first).
    """
    if quiet or (total is not None and total < 20):
        return None
    if not sys.stderr.isatty() or os.environ.get("CI"):
        return None

    def wrap(items: Iterable[Any]) -> Iterable[Any]:
        count = total
        if count is None:
            items = list(items)
            count = len(items)
        if count < 20:
            return items
        import itertools

        from rich.console import Console
        from rich.progress import track

        # the first result comes before the bar's thread starts: worker processes are forked
        # while this process has one thread
        it = iter(items)
        first = list(itertools.islice(it, 1))
        return track(
            itertools.chain(first, it),
            total=count,
            description="checking",
            console=Console(stderr=True),
            transient=True,
        )

    return wrap


def _output_format(value: OutputFormat | None) -> str:
    if value is not None:
        return value.value
    env = os.environ.get("DIGESTCONV_OUTPUT_FORMAT", "").strip().lower()
    if env and env not in OutputFormat.__members__:
        raise _fail(
            f"DIGESTCONV_OUTPUT_FORMAT={env!r} is not one of {', '.join(OutputFormat.__members__)}"
        )
    return env or "text"


def _render(report: Any, fmt: str, stream: Any, quiet: bool = False) -> None:
    from .report import render, want_color

    color = want_color(stream, os.environ)
    root = Path(os.environ.get("GITHUB_WORKSPACE") or Path.cwd())
    if quiet and fmt == "text":
        # diagnostics only, no summary line
        from .report import sorted_diagnostics
        from .report.text import line

        text = "".join(line(d, color=color) + "\n" for d in sorted_diagnostics(report))
    else:
        text = render(fmt, report, color=color, root=root)
    from .output import OutputError, write_text

    try:
        write_text(text, stream)
    except OutputError as exc:
        raise _fail(str(exc)) from None


def _jobs(jobs: int | None, settings: Any) -> Any:
    return dataclasses.replace(settings, jobs=jobs) if jobs is not None else settings


@app.command()
def validate(
    paths: PathsArg,
    output_format: Annotated[
        OutputFormat | None,
        typer.Option(
            "--output-format",
            "-f",
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
        int | None, typer.Option("--abstract-cut", min=1, help="The producer's abstract cut.")
    ] = None,
    show_settings: Annotated[
        bool, typer.Option("--show-settings", help="Print the effective settings and exit.")
    ] = False,
    jobs: JobsOpt = None,
    enrich: _enrich_cli.EnrichFlag = False,
    offline: _enrich_cli.OfflineOpt = False,
    snapshot: _enrich_cli.SnapshotOpt = None,
    cache_dir: _enrich_cli.CacheDirOpt = None,
    max_age: _enrich_cli.MaxAgeOpt = None,
    refresh: _enrich_cli.RefreshOpt = False,
) -> None:
    """Check digests and report problems with file, line and column.

    With --enrich, each paper is also compared with its arXiv metadata (the
    cache, --snapshot, then the arXiv API; --offline: no network).
    """
    settings, source = _settings(
        config,
        select,
        extend_select,
        ignore,
        exclude,
        cross_file=False if per_file else None,
        skip_non_digests=True if skip_non_digests else None,
        abstract_cut=abstract_cut,
    )
    if show_settings:
        from .config import show

        typer.echo(show(settings, source), nl=False)
        raise typer.Exit(0)
    fmt = _output_format(output_format)
    settings = _jobs(jobs, settings)
    metadata = _enrich_cli.requested(
        enrich,
        config,
        offline=offline,
        snapshot=snapshot,
        cache_dir=cache_dir,
        max_age=max_age,
        refresh=refresh,
    )
    from . import pipeline
    from .output import OutputError, write_text
    from .report import StreamWriter, want_color

    inputs = pipeline.files(paths, settings)
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
                from .enrich.apply import located_papers

                held.append((result.name, list(found)))
                located.extend(located_papers(result.name, result.papers or (), result.facts))
                continue
            writer.file(found)
        if metadata is not None:
            from .enrich.apply import enrich_papers, enrichment_diagnostics
            from .model import Diagnostic

            outcome = enrich_papers(
                located, metadata, progress=_enrich_cli.progress_bar(quiet or fmt != "text")
            )
            _enrich_cli.report_warnings(outcome.warnings)
            extra: dict[str, list[Diagnostic]] = {}
            for d in enrichment_diagnostics(outcome, settings):
                extra.setdefault(d.path, []).append(d)
            for name, found in held:
                writer.file(sorted(found + extra.pop(name, []), key=Diagnostic.sort_key))
        writer.finish(fold.files, fold.papers, fold.skipped)
    except (OutputError, BrokenPipeError) as exc:
        close = getattr(results, "close", None)
        if close is not None:
            close()  # stop the workers now, not at interpreter exit
        if isinstance(exc, BrokenPipeError):
            raise
        raise _fail(str(exc)) from None
    if fatal:
        raise typer.Exit(2)
    raise typer.Exit(1 if writer.errors or (strict and writer.warnings) else 0)


@app.command()
def parse(
    paths: PathsArg,
    config: ConfigOpt = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to FILE.")] = None,
    jobs: JobsOpt = None,
) -> None:
    """Print the JSON form of each file (a JSON array, one object per file)."""
    from . import pipeline

    settings, _ = _settings(config)
    settings = _jobs(jobs, settings)
    inputs = pipeline.files(paths, settings)
    _refuse_inputs(inputs, output)
    task = pipeline.Task(settings, check=False, document=True)
    parts: list[str] = []
    problems = 0
    for result in pipeline.run(inputs, task):
        if result.document is not None:
            parts.append(result.document)
        for d in result.diagnostics:
            problems += 1
            typer.echo(f"{d.path}: {d.message}", err=True)
    text = ("[\n" + ",\n".join(parts) + "\n]\n") if parts else "[]\n"
    _emit(text.encode("utf-8", "backslashreplace"), output)
    raise typer.Exit(2 if problems else 0)


def _emit(data: bytes, output: Path | None) -> None:
    """Write ``data`` to ``-o output`` or standard output; a failed write exits 2."""
    from .output import OutputError, write_output, write_stdout

    try:
        if output is None:
            write_stdout(data)
        else:
            write_output(output, data)
    except OutputError as exc:
        raise _fail(str(exc)) from None


def _refuse_inputs(inputs: list[Any], output: Path | None) -> None:
    """Exit 2 before reading anything when the output is one of the inputs."""
    from .output import OutputError, refuse_inputs

    try:
        refuse_inputs(output, ((i.name, i.path) for i in inputs if i.error is None))
    except OutputError as exc:
        raise _fail(str(exc)) from None


@app.command("to")
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
        Path | None, typer.Option("--output", "-o", help="Write atomically to FILE.")
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Write nothing if any input has an error.")
    ] = False,
    feed_title: Annotated[str | None, typer.Option("--feed-title", help="Feed title.")] = None,
    feed_link: Annotated[str | None, typer.Option("--feed-link", help="Feed link.")] = None,
    ascii_: Annotated[
        bool, typer.Option("--ascii", help="BibTeX: LaTeX escapes instead of UTF-8 letters.")
    ] = False,
    quiet: QuietOpt = False,
    config: ConfigOpt = None,
    output_format: Annotated[
        OutputFormat | None,
        typer.Option("--diagnostics-format", help="Format of the diagnostics on stderr."),
    ] = None,
    jobs: JobsOpt = None,
    show_warnings: Annotated[
        bool,
        typer.Option(
            "--show-warnings",
            help="List every warning; by default each kind of warning is one line with a count.",
        ),
    ] = False,
    enrich: _enrich_cli.EnrichFlag = False,
    offline: _enrich_cli.OfflineOpt = False,
    snapshot: _enrich_cli.SnapshotOpt = None,
    cache_dir: _enrich_cli.CacheDirOpt = None,
    max_age: _enrich_cli.MaxAgeOpt = None,
    refresh: _enrich_cli.RefreshOpt = False,
    style: Annotated[
        str | None,
        typer.Option(
            "--style",
            help="text/html/markdown-refs: CSL style NAME or FILE.csl "
            "(default GB/T 7714 numeric; see 'digestconv styles').",
        ),
    ] = None,
    locale: Annotated[
        str | None,
        typer.Option(
            "--locale",
            help="Locale of the references (default zh-CN for GB/T 7714, else the style's).",
        ),
    ] = None,
    with_chinese: Annotated[
        bool, typer.Option("--with-chinese", help="Chinese title and summary after each reference.")
    ] = False,
) -> None:
    """Convert digests to FORMAT on stdout (diagnostics go to stderr).

    With --enrich, arXiv metadata (authors, dates, full abstracts) is added from
    the cache, --snapshot, then the arXiv API (--offline: no network); papers
    that cannot be enriched are written from the digest alone, with a warning.
    """
    from . import formats

    args = list(fmt_or_path)
    fmt = formats.find(args[0]) if args else None
    if fmt is not None:
        args = args[1:]
    elif output is not None:
        fmt = formats.find(filename=str(output))
        if fmt is None and args and not Path(args[0]).exists():
            raise _fail(f"unknown format '{args[0]}' (see 'digestconv formats')")
        if fmt is None:
            raise _fail(f"cannot tell the format from '{output.name}': name it, e.g. 'to bibtex'")
    else:
        name = args[0] if args else ""
        raise _fail(f"unknown format '{name}' (see 'digestconv formats')")
    if not args:
        raise _fail("no input: give files, folders or '-'")
    if not fmt.can_write:
        raise _fail(f"format '{fmt.name}' cannot be written")
    from .formats._styles import configure

    try:  # the reference options, checked before any input is read
        fmt = configure(fmt, style=style, locale=locale, with_chinese=with_chinese)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    settings, _ = _settings(config)
    settings = _jobs(jobs, settings)
    metadata = _enrich_cli.requested(
        enrich,
        config,
        offline=offline,
        snapshot=snapshot,
        cache_dir=cache_dir,
        max_age=max_age,
        refresh=refresh,
    )
    from .output import OutputError, check_option_text, source_date_epoch

    try:
        check_option_text("--feed-title", feed_title)
        check_option_text("--feed-link", feed_link)
        source_date_epoch()  # a bad SOURCE_DATE_EPOCH is refused before any file is read
    except (OutputError, ValueError) as exc:
        raise _fail(str(exc)) from None
    from . import pipeline
    from .output import write_text
    from .report import StreamWriter, want_color

    inputs = pipeline.files(args, settings)
    _refuse_inputs(inputs, output)
    from .conversion import convert

    def write(text: str) -> None:
        try:
            write_text(text, sys.stderr)
        except OutputError as exc:
            raise _fail(str(exc)) from None

    # diagnostics go to stderr file by file, as the files are merged (never all kept);
    # as text, errors in full and one line per kind of warning unless --show-warnings
    diagnostics_format = _output_format(output_format)
    writer: Any
    if diagnostics_format == "text" and not show_warnings:
        from .report.summary import SummaryWriter

        writer = SummaryWriter(
            write,
            color=want_color(sys.stderr, os.environ),
            cut=settings.abstract_cut,
            enriched=metadata is not None,
            quiet=quiet,
        )
    else:
        writer = StreamWriter(
            diagnostics_format,
            write,
            color=want_color(sys.stderr, os.environ),
            root=Path(os.environ.get("GITHUB_WORKSPACE") or Path.cwd()),
            quiet=quiet,
        )
    try:
        result = convert(
            args,
            fmt,
            settings,
            strict=strict,
            title=feed_title,
            link=feed_link,
            ascii=ascii_,
            inputs=inputs,
            report=writer.file,
            enrich=metadata,
            enrich_hooks={"progress": _enrich_cli.progress_bar(quiet)} if metadata else None,
        )
    except ValueError as exc:
        raise _fail(str(exc)) from None
    _enrich_cli.report_warnings(result.warnings)
    if writer.errors or writer.warnings:
        writer.finish(result.files, len(result.papers))
    if result.written:
        _emit(result.output, output)
    else:
        typer.echo("digestconv: nothing written (--strict and errors in the input)", err=True)
    # papers written without their metadata fail only --strict runs
    raise typer.Exit(max(result.exit_code, 1 if strict and result.unenriched else 0))


@app.command("fmt")
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
) -> None:
    """Rewrite digests into the canonical layout (safe fixes only)."""
    from . import pipeline
    from .output import OutputError, write_atomic, write_text

    settings, _ = _settings(config, skip_non_digests=True if skip_non_digests else None)
    settings = _jobs(jobs, settings)
    inputs = pipeline.files(paths, settings)
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
            try:
                write_text((outcome.diff or "") if diff else (outcome.text or ""))
            except OutputError as exc:
                raise _fail(str(exc)) from None
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
        f"{changed} file{'s' * (changed != 1)} {verb}, {unchanged} unchanged, "
        f"{refused} not formatted"
        + (f", {failed} could not be written" if failed else "")
        + (f", {unreadable} could not be read" if unreadable else "")
        + (f", {crashed} failed with an internal error" if crashed else "")
        + (f", {_count(skipped, 'non-digest file')} skipped" if skipped else ""),
        err=True,
    )
    status = 2 if unreadable or failed or crashed else 0
    if status == 0 and (refused or ((check_only or diff) and changed)):
        status = 1
    raise typer.Exit(status)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def _unified_diff(old: str, new: str, name: str) -> str:
    """A unified diff that ``patch`` applies, also when a file lacks its final newline."""
    import difflib

    def lines(text: str) -> list[str]:
        parts = [line + "\n" for line in text.split("\n")]
        parts[-1] = parts[-1][:-1]
        return parts if parts[-1] else parts[:-1]

    out = []
    for line in difflib.unified_diff(lines(old), lines(new), *_diff_names(name)):
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _diff_names(name: str) -> tuple[str, str]:
    if os.path.isabs(name) or name.startswith("<"):
        return name, name
    return f"a/{name}", f"b/{name}"


@app.command()
def formats() -> None:
    """List the output formats: name, suffixes, media type, read/write."""
    from . import formats as registry

    rows = [("name", "suffixes", "media type", "can")]
    for f in registry.all_formats():
        can = "/".join(x for x, ok in (("read", f.can_read), ("write", f.can_write)) if ok)
        names = f.name + (f" ({', '.join(f.aliases)})" if f.aliases else "")
        rows.append((names, " ".join(f.suffixes), f.media_type, can))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for r in rows:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[3])
    for name, why in sorted(registry.broken.items()):
        typer.echo(f"digestconv: format plugin '{name}' failed to load: {why}", err=True)


@app.command()
def styles(
    search: Annotated[
        str | None, typer.Option("--search", help="Only styles whose name or title contains WORD.")
    ] = None,
) -> None:
    """List the CSL styles for --style: name and title."""
    from .formats._styles import StyleError, styles_listing

    try:
        lines, code = styles_listing(search)
    except StyleError as exc:
        raise _fail(str(exc)) from None
    typer.echo("\n".join(lines), err=code != 0)
    raise typer.Exit(code)


@app.command()
def rules() -> None:
    """List every rule: code, name, default severity, summary."""
    from .rules import all_rules

    for r in all_rules():
        typer.echo(f"{r.code}  {r.name:<22} {r.severity:<8} {r.summary}")


@app.command()
def rule(name: Annotated[str, typer.Argument(help="Rule name or code.")]) -> None:
    """Explain one rule, with a bad and a good example."""
    from .rules import get

    r = get(name)
    if r is None:
        raise _fail(f"no rule '{name}' (see 'digestconv rules')")
    indent = lambda s: "\n".join("    " + line for line in s.splitlines())  # noqa: E731
    typer.echo(
        f"{r.code} {r.name} ({r.severity})\n\n{r.summary}\n\n{r.explanation}\n\n"
        f"Bad:\n\n{indent(r.bad)}\n\nGood:\n\n{indent(r.good)}"
    )


_enrich_cli.register(app)  # the enrich and cache commands


def main() -> None:
    """Console-script entry point: run the app, never show a traceback."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.stderr.write("digestconv: interrupted\n")
        raise SystemExit(130) from None
    except BrokenPipeError:
        # the reader went away (| head): stop quietly
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        raise SystemExit(0) from None
    except Exception as exc:
        sys.stderr.write(
            f"digestconv: internal error: {type(exc).__name__}: {exc}\n"
            "Please report this with the input that caused it.\n"
        )
        raise SystemExit(2) from None
