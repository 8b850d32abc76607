"""What the commands share that needs no typer: settings, discovery, reports, exits.

The commands' typer definitions live in :mod:`~digestconv.cli.base` and the
modules beside it; the work they do, and these helpers, import typer only to
leave with an error (:func:`_fail`), so a plain ``validate`` never loads it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
from collections.abc import Iterable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer


class OutputFormat(str, Enum):
    """Diagnostic output formats."""

    text = "text"
    json = "json"
    github = "github"
    sarif = "sarif"
    junit = "junit"


@dataclasses.dataclass(frozen=True)
class LookupFlags:
    """The arXiv metadata flags as a command got them (``--offline`` to ``--budget``).

    ``validate``, ``to`` and ``enrich`` take the same seven; they travel together
    from the command to :func:`digestconv.cli.lookup.options_from_cli`.
    """

    offline: bool = False
    snapshot: Path | None = None
    cache_dir: Path | None = None
    max_age: str | None = None
    refresh: bool = False
    contact: str | None = None
    budget: str | None = None

    def given(self) -> list[str]:
        """The flags given that mean something only with ``--enrich`` (not ``--offline``:
        without ``--enrich`` nothing touches the network anyway)."""
        return [
            f"--{field.name.replace('_', '-')}"
            for field in dataclasses.fields(self)
            if field.name != "offline" and getattr(self, field.name) not in (None, False)
        ]


def _fail(message: str, code: int = 2) -> typer.Exit:
    """Say ``message`` on standard error; the exit to raise (code 2 unless told)."""
    import typer

    with contextlib.suppress(OSError):
        typer.echo(f"digestconv: {message}", err=True)
    return typer.Exit(code)


def _split(values: list[str] | None) -> tuple[str, ...]:
    out: list[str] = []
    for v in values or ():
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return tuple(out)


def _overrides(
    select: list[str] | None,
    extend_select: list[str] | None,
    ignore: list[str] | None,
    exclude: list[str] | None,
    flags: dict[str, Any],
) -> Any:
    """The command line as a function applied to every configuration's settings."""
    from .. import config as cfg

    given = {"select": select, "extend-select": extend_select, "ignore": ignore, "exclude": exclude}
    # split once; --select replaces the configuration's list, the others add to it
    split = {key: list(_split(values)) for key, values in given.items() if values}
    changes = {k: v for k, v in flags.items() if v is not None}

    def apply(settings: Any) -> Any:
        overrides = {
            key: values if key == "select" else [*getattr(settings, key.replace("-", "_")), *values]
            for key, values in split.items()
        }
        if overrides:
            settings = cfg.settings_from_table(overrides, "command line", settings)
        return dataclasses.replace(settings, **changes)

    return apply


def _resolver(
    config: Path | None,
    select: list[str] | None = None,
    extend_select: list[str] | None = None,
    ignore: list[str] | None = None,
    exclude: list[str] | None = None,
    **flags: Any,
) -> Any:
    """A :class:`digestconv.config.Resolver`: each input's settings from the configuration
    nearest to it (``--config``: that file for all), the command line on top."""
    from .. import config as cfg

    try:
        return cfg.Resolver(config, _overrides(select, extend_select, ignore, exclude, flags))
    except cfg.ConfigError as exc:
        raise _fail(f"invalid configuration: {exc}") from None


def _discover(paths: Iterable[str], resolver: Any, jobs: int | None) -> tuple[list[Any], Any]:
    """The inputs under ``paths``, and the run's settings carrying each input's own
    (``--jobs`` applied); exit 2 when there is no input at all, unless empty is allowed."""
    from .. import config as cfg
    from .. import pipeline

    paths = list(paths)
    try:
        inputs = pipeline.files(paths, resolver)
    except cfg.ConfigError as exc:
        raise _fail(f"invalid configuration: {exc}") from None
    settings = _jobs(jobs, pipeline.bind(resolver.base, inputs))
    if not inputs and not settings.allow_empty:
        raise _no_digest(paths)
    return inputs, settings


def _watched() -> bool:
    """Whether standard error is a terminal someone watches (not a CI log): a bar may show."""
    return sys.stderr.isatty() and not os.environ.get("CI")


def _progress(quiet: bool, total: int | None = None) -> Any:
    """A progress wrapper for 20 files or more on a TTY; ``None`` otherwise.

    The wrapper passes the items through as they come (``total`` says how many
    there will be; without it they are counted first).
    """
    if quiet or (total is not None and total < 20):
        return None
    if not _watched():
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
            f"invalid value for DIGESTCONV_OUTPUT_FORMAT: {env!r} is not one of "
            + ", ".join(f"'{name}'" for name in OutputFormat.__members__)
        )
    return env or "text"


def _report_writer(fmt: str, write: Any, stream: Any, quiet: bool) -> Any:
    """A :class:`digestconv.report.StreamWriter` of ``fmt`` writing through ``write``:
    coloured when ``stream`` may be, locations relative to ``GITHUB_WORKSPACE`` (else the
    current folder)."""
    from ..report import StreamWriter, want_color

    return StreamWriter(
        fmt,
        write,
        color=want_color(stream, os.environ),
        root=Path(os.environ.get("GITHUB_WORKSPACE") or Path.cwd()),
        quiet=quiet,
    )


def _jobs(jobs: int | None, settings: Any) -> Any:
    return dataclasses.replace(settings, jobs=jobs) if jobs is not None else settings


def _write_text(text: str, stream: Any = None) -> None:
    """Write ``text`` to ``stream`` (standard output by default); a failed write exits 2."""
    from ..streams import OutputError, write_text

    try:
        write_text(text, stream)
    except OutputError as exc:
        raise _fail(str(exc)) from None


def _emit(data: bytes, output: Path | None) -> None:
    """Write ``data`` to ``-o output`` or standard output; a failed write exits 2."""
    from ..output import OutputError, write_output, write_stdout

    try:
        if output is None:
            write_stdout(data)
        else:
            write_output(output, data)
    except OutputError as exc:
        raise _fail(str(exc)) from None


def _check_output(output: Path | None) -> None:
    """Exit 2 before reading anything when ``-o output`` could not be written."""
    if output is None:
        return
    from ..output import OutputError, check_writable

    try:
        check_writable(output)
    except OutputError as exc:
        raise _fail(str(exc)) from None


def _refuse_inputs(inputs: list[Any], output: Path | None) -> None:
    """Exit 2 before reading anything when the output is one of the inputs."""
    from ..output import OutputError, refuse_inputs

    try:
        refuse_inputs(output, ((i.name, i.path) for i in inputs if i.error is None))
    except OutputError as exc:
        raise _fail(str(exc)) from None


def _no_digest(paths: Iterable[str], skipped: int = 0) -> typer.Exit:
    """Exit 2: the inputs hold no digest (an empty or mistyped folder; only non-digests)."""
    from ..streams import display_path

    names = [display_path(p) for p in paths]
    where = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    extra = f" ({_count(skipped, 'file')} without digest structure skipped)" if skipped else ""
    return _fail(
        f"no digest found in {where}{extra}: check the path, or pass --allow-empty "
        "(config: allow-empty = true) if that is expected"
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"
