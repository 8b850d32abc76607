"""The ``enrich`` and ``cache`` commands, and the enrichment options ``to``/``validate`` share.

Registered on the main typer app by :func:`register`.  Only typer and the
light options module are imported at start-up; the lookup machinery is
imported when a command runs.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .base import Command
from .progress import Heartbeat, heartbeat_seconds, progress_bar

__all__ = ["Heartbeat", "heartbeat_seconds", "progress_bar", "register"]

if TYPE_CHECKING:
    from ..enrich.options import EnrichOptions

EnrichFlag = Annotated[
    bool,
    typer.Option(
        "--enrich",
        help="Add arXiv metadata (authors, dates, full abstracts): cache, snapshot, then the API.",
    ),
]
OfflineOpt = Annotated[
    bool,
    typer.Option(
        "--offline", help="Never touch the network: cache and snapshot only (DIGESTCONV_OFFLINE=1)."
    ),
]
SnapshotOpt = Annotated[
    Path | None,
    typer.Option(
        "--snapshot", metavar="FILE", help="arXiv's bulk metadata file (JSON Lines, plain or gzip)."
    ),
]
CacheDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir", metavar="DIR", help="Metadata cache folder (DIGESTCONV_CACHE_DIR)."
    ),
]
MaxAgeOpt = Annotated[
    str | None,
    typer.Option(
        "--max-age", metavar="AGE", help="How long cached records stay fresh (30d, 12h, 90m)."
    ),
]
RefreshOpt = Annotated[
    bool, typer.Option("--refresh", help="Ask arXiv again even for fresh cached records.")
]
ContactOpt = Annotated[
    str | None,
    typer.Option(
        "--contact",
        metavar="EMAIL",
        help="E-mail address for the User-Agent (DIGESTCONV_CONTACT).",
    ),
]
BudgetOpt = Annotated[
    str | None,
    typer.Option(
        "--budget", metavar="TIME", help="Time the arXiv requests may take in all (300s, 10m)."
    ),
]


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"digestconv: {message}", err=True)
    return typer.Exit(code)


def _config_table(config: Path | None) -> tuple[dict[str, Any], str, Path | None]:
    """The ``[tool.digestconv.enrich]`` table of the config in use (checked already)."""
    from .. import config as cfg

    try:
        path = config or cfg.find_config(Path.cwd())
        if path is None:
            return {}, "configuration", None
        table = cfg.load_table(path).get("enrich", {})
    except cfg.ConfigError as exc:
        raise _fail(f"invalid configuration: {exc}") from None
    if not isinstance(table, dict):
        raise _fail(f"invalid configuration: {path}: 'enrich' must be a table")
    return table, str(path), path.parent


def options_from_cli(
    config: Path | None,
    *,
    offline: bool = False,
    snapshot: Path | None = None,
    cache_dir: Path | None = None,
    max_age: str | None = None,
    refresh: bool = False,
    contact: str | None = None,
    budget: str | None = None,
) -> EnrichOptions:
    """Enrichment options from the config file, the environment and the flags (exit 2 if bad)."""
    from ..enrich.options import OptionsError, resolve

    table, where, base = _config_table(config)
    try:
        options = resolve(
            table=table,
            table_where=where,
            table_base=base,
            offline=offline,
            snapshot=snapshot,
            cache_dir=cache_dir,
            max_age=max_age,
            refresh=refresh,
            contact=contact,
            budget=budget,
        )
    except OptionsError as exc:
        raise _fail(str(exc)) from None
    if options.snapshot is not None:
        _check_snapshot(Path(options.snapshot))
    return options


def _check_snapshot(path: Path) -> None:
    """Exit 2 unless ``path`` looks like arXiv's metadata file: its first line a JSON record.

    Only the start of the file is read (through gzip when it is compressed).
    """
    import gzip
    import json

    if path.is_dir():
        raise _fail(
            f"snapshot {path} is a folder: give arXiv's metadata file "
            "(arxiv-metadata-oai-snapshot.json, plain or gzip)"
        )
    if not path.is_file():
        raise _fail(f"snapshot {path}: no such file")
    try:
        with open(path, "rb") as raw:
            compressed = raw.read(2) == b"\x1f\x8b"
        opener: Any = gzip.open if compressed else open
        with opener(path, "rb") as stream:
            first = stream.readline(1 << 20)
    except (OSError, EOFError) as exc:
        raise _fail(
            f"snapshot {path}: cannot read: {getattr(exc, 'strerror', None) or exc}"
        ) from None
    what = "not arXiv's metadata file (JSON Lines, one paper per line with its 'id')"
    if not first.strip():
        raise _fail(f"snapshot {path} is empty: {what}")
    try:
        record = json.loads(first)
    except ValueError:
        raise _fail(f"snapshot {path}: line 1 is not JSON: {what}") from None
    if not isinstance(record, dict) or not isinstance(record.get("id"), str):
        raise _fail(f"snapshot {path}: line 1 has no 'id': {what}")


def lookup_options(options: EnrichOptions) -> EnrichOptions:
    """``options`` for a lookup; a run that can store nothing makes no cache.

    Offline, without a snapshot and without a cache file, no record can be
    found or kept: the lookup then runs on a cache in memory, so no empty
    database is left behind.
    """
    import dataclasses

    from ..enrich.cache import FILE_NAME

    if (
        options.offline
        and options.snapshot is None
        and options.use_cache
        and not (options.resolved_cache_dir() / FILE_NAME).exists()
    ):
        return dataclasses.replace(options, use_cache=False)
    return options


def _require_cache(options: EnrichOptions) -> None:
    """Exit 2 when the cache cannot be written: ``enrich`` exists to fill it."""
    from ..enrich.cache import Cache
    from ..output import display_path

    folder = options.resolved_cache_dir()
    hint = "give a writable --cache-dir (or DIGESTCONV_CACHE_DIR)"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _fail(
            f"cannot keep arXiv metadata in {display_path(folder)}: {exc.strerror or exc}; {hint}"
        ) from None
    with Cache(folder) as probe:
        if probe.in_memory:
            reason = probe.warnings[0] if probe.warnings else "it cannot be opened"
            raise _fail(f"cannot keep arXiv metadata: {reason.split(': using a')[0]}; {hint}")


def requested(enrich: bool, config: Path | None, **flags: Any) -> EnrichOptions | None:
    """The options of ``to``/``validate --enrich``; ``None`` without ``--enrich``.

    ``flags`` are :func:`options_from_cli`'s keyword arguments, as the command got
    them.  The metadata options mean nothing without ``--enrich``: given alone they
    are a usage error rather than silently ignored (``--offline`` alone is
    allowed: without ``--enrich`` nothing touches the network anyway).
    """
    if not enrich:
        given = [
            f"--{name.replace('_', '-')}"
            for name in ("snapshot", "cache_dir", "max_age", "refresh", "contact", "budget")
            if flags.get(name) not in (None, False)
        ]
        if given:
            raise _fail(f"{', '.join(given)} only applies with --enrich")
        return None
    options = options_from_cli(config, **flags)
    return lookup_options(options)


def report_warnings(warnings: Any) -> None:
    """Print enrichment warnings (an unusable cache) on standard error."""
    for warning in warnings:
        typer.echo(f"digestconv: warning: {warning}", err=True)


def enrich_command(
    paths: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH...",
            help="Digest files or folders ('-' reads standard input).",
            show_default=False,
        ),
    ],
    offline: OfflineOpt = False,
    snapshot: SnapshotOpt = None,
    cache_dir: CacheDirOpt = None,
    max_age: MaxAgeOpt = None,
    refresh: RefreshOpt = False,
    contact: ContactOpt = None,
    budget: BudgetOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    allow_empty: Annotated[
        bool,
        typer.Option(
            "--allow-empty",
            help="No digest among the inputs is not an error (config: allow-empty).",
        ),
    ] = False,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", metavar="FILE", help="Config file (pyproject.toml or digestconv.toml)."
        ),
    ] = None,
) -> None:
    """Fetch arXiv metadata of every paper in the digests into the cache.

    Exit 0 when every paper was found, 1 when some are missing or failed, 2 on
    usage or I/O errors.
    """
    from .. import config as cfg
    from ..api import discover, load
    from ..enrich.apply import enrich_papers, papers_of
    from ..model import Diagnostic, Digest, Report
    from ..pipeline import bind
    from ..report.text import line
    from ..rules.engine import paper_diagnostics
    from .base import _no_digest, _resolver

    resolver = _resolver(config, allow_empty=True if allow_empty else None)
    settings = resolver.base
    options = options_from_cli(
        config,
        offline=offline,
        snapshot=snapshot,
        cache_dir=cache_dir,
        max_age=max_age,
        refresh=refresh,
        contact=contact,
        budget=budget,
    )
    options = lookup_options(options)
    if options.use_cache:
        _require_cache(options)
    try:
        inputs, problems = discover(paths, resolver)
    except cfg.ConfigError as exc:
        raise _fail(f"invalid configuration: {exc}") from None
    settings = bind(settings, inputs)
    digests: list[Digest] = []
    for source in inputs:
        loaded = load(source, settings.for_path(source.name))
        if isinstance(loaded, Diagnostic):
            problems.append(loaded)
        else:
            digests.append(loaded)
    recognized = [d for d in digests if d.recognized or d.kind != "digest"]
    if not recognized and not problems and not settings.allow_empty:
        raise _no_digest(paths, len(digests))
    pairs = papers_of(digests)
    outcome = enrich_papers(pairs, options, progress=progress_bar(quiet))
    report_warnings(outcome.warnings)
    diagnostics = sorted(problems + paper_diagnostics(outcome, settings), key=Diagnostic.sort_key)
    report = Report(tuple(diagnostics), len(digests), len(pairs))
    from ..report import want_color

    color = want_color(sys.stdout, os.environ)
    for d in diagnostics:
        typer.echo(line(d, color=color))
    result = outcome.result
    ids = {p.arxiv_id for _, p in outcome.papers if p.arxiv_id}
    origins = list(result.origin.values())
    typer.echo(
        f"{len(ids)} papers: {len(result.records)} found ({origins.count('cache')} cached, "
        f"{origins.count('snapshot')} from the snapshot, {origins.count('api')} from arXiv"
        + (f", {len(result.stale)} stale" if result.stale else "")
        + f"), {len(result.missing)} not found, {len(result.failed)} failed; "
        f"{result.requests} request{'s' * (result.requests != 1)}"
    )
    del report
    if problems:
        raise typer.Exit(2)
    raise typer.Exit(1 if result.missing or result.failed else 0)


cache_app = typer.Typer(
    name="cache",
    help="See, clear, export or import the arXiv metadata cache.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


def _cache_file(cache_dir: Path | None, config: Path | None) -> Path:
    """The cache database this command would use (it may not exist yet)."""
    from ..enrich.cache import FILE_NAME

    return options_from_cli(config, cache_dir=cache_dir).resolved_cache_dir() / FILE_NAME


@contextlib.contextmanager
def _open_cache(cache_dir: Path | None, config: Path | None) -> Iterator[Any]:
    """The cache, its warnings printed (those of a repair too), a failure exiting 2."""
    from ..enrich.cache import Cache, CacheError

    options = options_from_cli(config, cache_dir=cache_dir)
    cache = Cache(options.resolved_cache_dir())
    try:
        yield cache
    except CacheError as exc:
        raise _fail(str(exc)) from None
    finally:
        report_warnings(cache.warnings)
        cache.close()


ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config", metavar="FILE", help="Config file (pyproject.toml or digestconv.toml)."
    ),
]


@cache_app.command("info", cls=Command)
def cache_info(cache_dir: CacheDirOpt = None, config: ConfigOpt = None) -> None:
    """Where the cache is, how many records it holds and its size."""
    where = _cache_file(cache_dir, config)
    if not where.exists():  # looking creates nothing
        typer.echo(f"path:     {where}")
        typer.echo("records:  0")
        typer.echo("misses:   0")
        typer.echo("size:     0 bytes")
        typer.echo("journal:  none (no cache yet: 'digestconv enrich' makes it)")
        return
    with _open_cache(cache_dir, config) as cache:
        info = cache.info()
    typer.echo(f"path:     {info.path}")
    typer.echo(f"records:  {info.records}")
    typer.echo(f"misses:   {info.misses}")
    typer.echo(f"size:     {info.size} bytes")
    typer.echo(f"journal:  {info.journal}")


@cache_app.command("clear", cls=Command)
def cache_clear(cache_dir: CacheDirOpt = None, config: ConfigOpt = None) -> None:
    """Delete every cached record."""
    where = _cache_file(cache_dir, config)
    if not where.exists():
        typer.echo(f"cleared 0 records: there is no cache at {where}")
        return
    with _open_cache(cache_dir, config) as cache:
        count = cache.clear()
        where = cache.info().path
    typer.echo(f"cleared {count} record{'s' * (count != 1)} from {where}")


@cache_app.command("export", cls=Command)
def cache_export(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write to FILE (default stdout)."),
    ] = None,
    cache_dir: CacheDirOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Write every record as JSON Lines sorted by identifier (a file a team can commit)."""
    import io

    from .base import _check_output

    _check_output(output)
    buffer = io.StringIO()
    count = 0
    if _cache_file(cache_dir, config).exists():  # no cache: nothing to export, nothing made
        with _open_cache(cache_dir, config) as cache:
            count = cache.export(buffer)
    data = buffer.getvalue().encode("utf-8")
    from ..output import OutputError, write_output, write_stdout

    try:
        if output is None:
            write_stdout(data)
        else:
            write_output(output, data)
    except OutputError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"exported {count} record{'s' * (count != 1)}", err=True)


@cache_app.command("import", cls=Command)
def cache_import(
    source: Annotated[
        str,
        typer.Argument(
            metavar="FILE",
            help="JSON Lines file written by 'cache export' ('-': stdin).",
            show_default=False,
        ),
    ],
    cache_dir: CacheDirOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Read records written by 'cache export' into the cache (all or nothing)."""
    import io
    import time

    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
        text = data.decode("utf-8")
    except OSError as exc:
        raise _fail(f"cannot read {source}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise _fail(f"{source}: not UTF-8") from None
    from ..enrich.cache import read_export

    try:
        records = read_export(io.StringIO(text), time.time())
    except ValueError as exc:
        raise _fail(f"{source}: {exc}") from None
    with _open_cache(cache_dir, config) as cache:
        count = cache.store(records)
    typer.echo(f"imported {count} record{'s' * (count != 1)}")


def register(app: typer.Typer) -> None:
    """Add ``enrich`` and ``cache`` to the main app."""
    app.command("enrich", cls=Command)(enrich_command)
    app.add_typer(cache_app, name="cache")
