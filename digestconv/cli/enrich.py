"""The ``enrich`` and ``cache`` commands.

Registered on the main typer app by :func:`register`.  The options they share
with ``to``/``validate`` are in :mod:`~digestconv.cli.base` (their typer form)
and :mod:`~digestconv.cli.lookup` (what they mean); the lookup machinery is
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

from .base import (
    AllowEmptyOpt,
    BudgetOpt,
    CacheDirOpt,
    Command,
    ConfigOpt,
    ContactOpt,
    MaxAgeOpt,
    OfflineOpt,
    RefreshOpt,
    SnapshotOpt,
)
from .common import LookupFlags, _check_output, _count, _emit, _fail, _no_digest, _resolver
from .lookup import lookup_options, options_from_cli, report_warnings
from .progress import progress_bar

__all__ = ["register"]

if TYPE_CHECKING:
    from ..enrich.options import EnrichOptions


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
    allow_empty: AllowEmptyOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Fetch arXiv metadata of every paper in the digests into the cache.

    Exit 0 when every paper was found, 1 when some are missing or failed, 2 on
    usage or I/O errors.
    """
    from .. import config as cfg
    from ..api import discover, load
    from ..enrich.apply import enrich_papers, papers_of
    from ..model import Diagnostic, Digest
    from ..pipeline import bind
    from ..report.text import line
    from ..rules.engine import paper_diagnostics

    resolver = _resolver(config, allow_empty=True if allow_empty else None)
    settings = resolver.base
    flags = LookupFlags(offline, snapshot, cache_dir, max_age, refresh, contact, budget)
    options = lookup_options(options_from_cli(config, flags))
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
        f"{_count(result.requests, 'request')}"
    )
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

    return (
        options_from_cli(config, LookupFlags(cache_dir=cache_dir)).resolved_cache_dir() / FILE_NAME
    )


@contextlib.contextmanager
def _open_cache(cache_dir: Path | None, config: Path | None) -> Iterator[Any]:
    """The cache, its warnings printed (those of a repair too), a failure exiting 2."""
    from ..enrich.cache import Cache, CacheError

    options = options_from_cli(config, LookupFlags(cache_dir=cache_dir))
    cache = Cache(options.resolved_cache_dir())
    try:
        yield cache
    except CacheError as exc:
        raise _fail(str(exc)) from None
    finally:
        report_warnings(cache.warnings)
        cache.close()


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
    typer.echo(f"cleared {_count(count, 'record')} from {where}")


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

    _check_output(output)
    buffer = io.StringIO()
    count = 0
    if _cache_file(cache_dir, config).exists():  # no cache: nothing to export, nothing made
        with _open_cache(cache_dir, config) as cache:
            count = cache.export(buffer)
    data = buffer.getvalue().encode("utf-8")
    _emit(data, output)
    typer.echo(f"exported {_count(count, 'record')}", err=True)


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
    typer.echo(f"imported {_count(count, 'record')}")


def register(app: typer.Typer) -> None:
    """Add ``enrich`` and ``cache`` to the main app."""
    app.command("enrich", cls=Command)(enrich_command)
    app.add_typer(cache_app, name="cache")
