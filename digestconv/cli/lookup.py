"""The arXiv lookup's options as the command line gives them, checked (no typer needed).

``--enrich`` and the options beside it, the ``[tool.digestconv.enrich]`` table
and the environment, merged by :func:`options_from_cli`; :func:`requested` is
what ``validate`` and ``to`` ask, and answers ``None`` at once without
``--enrich``, so a plain run imports nothing of the lookup.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import _fail

if TYPE_CHECKING:
    from ..enrich.options import EnrichOptions
    from .common import LookupFlags


def _say(message: str) -> None:
    import typer

    typer.echo(f"digestconv: {message}", err=True)


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


def options_from_cli(config: Path | None, flags: LookupFlags) -> EnrichOptions:
    """Enrichment options from the config file, the environment and the flags (exit 2 if bad)."""
    import dataclasses

    from ..enrich.options import OptionsError, resolve

    table, where, base = _config_table(config)
    try:
        options = resolve(
            table=table, table_where=where, table_base=base, **dataclasses.asdict(flags)
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


def requested(enrich: bool, config: Path | None, flags: LookupFlags) -> EnrichOptions | None:
    """The options of ``to``/``validate --enrich``; ``None`` without ``--enrich``.

    The metadata options mean nothing without ``--enrich``: given alone they are
    a usage error rather than silently ignored (``--offline`` alone is allowed:
    without ``--enrich`` nothing touches the network anyway).
    """
    if not enrich:
        given = flags.given()
        if given:
            raise _fail(f"{', '.join(given)} only applies with --enrich")
        return None
    return lookup_options(options_from_cli(config, flags))


def report_warnings(warnings: Any) -> None:
    """Print enrichment warnings (an unusable cache) on standard error."""
    for warning in warnings:
        _say(f"warning: {warning}")
