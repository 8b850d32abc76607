"""Discovery: the inputs of a run, in argument order, and reading their bytes.

Folders are walked in path order; paths that cannot be read become inputs that
carry their I/O error, so every report stays in input order.  Only names and
sizes are held here: a file's bytes are read by the worker that handles it.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..settings import Resolver, Settings, _path_matches
from ..streams import display_path

STDIN = "-"
STDIN_NAME = "<stdin>"


@dataclass(frozen=True)
class Input:
    """One file to read: its display name and where its bytes come from.

    ``path`` is ``None`` for standard input.  ``explicit`` says whether the file
    was named on the command line (``False``: found by walking a folder).
    ``error`` carries the I/O problem of a path that cannot be read at all.
    ``settings`` are those of a configuration file nearer to the file than the
    run's own (``None``: the run's settings govern it).
    """

    name: str
    path: Path | None  # None: standard input
    explicit: bool = True
    size: int = 0
    error: str | None = None
    settings: Settings | None = None


def _included(path: str, settings: Settings) -> bool:
    return any(_path_matches(path, p) for p in settings.include)


def _excluded(path: str, settings: Settings) -> bool:
    return any(_path_matches(path, p) for p in settings.exclude)


def _strerror(exc: OSError) -> str:
    return exc.strerror or str(exc)


class _Fixed:
    """One set of settings for every path (no configuration discovery)."""

    def __init__(self, settings: Settings) -> None:
        self.base = settings

    def settings_for(self, path: str) -> Settings:
        return self.base


def iter_inputs(
    paths: Iterable[str | os.PathLike[str]], settings: Settings | Resolver | None = None
) -> Iterator[Input]:
    """Expand files and folders into inputs, in argument order.

    Folders are walked recursively (hidden folders skipped, symbolic links to
    folders not followed) and their files kept in path order when they match
    ``settings.include`` and no ``settings.exclude`` pattern; FIFOs, sockets
    and devices in a folder are skipped without being opened.  Files named
    explicitly are kept unless excluded.  ``-`` is standard input.  A path that
    does not exist, a folder that cannot be listed and a named path that is not
    a regular file are yielded with :attr:`Input.error` set.

    ``settings`` may be a :class:`~digestconv.settings.Resolver`: each path is
    then governed by the settings it gives for it (the configuration nearest
    to it), and an input whose settings are not the run's carries them
    (:attr:`Input.settings`; :func:`bind` hands them to the rest of the run).
    """
    resolver: Resolver = (
        _Fixed(settings or Settings())
        if settings is None or isinstance(settings, Settings)
        else settings
    )
    base = resolver.base
    seen: set[str] = set()
    for raw in paths:
        name = os.fspath(raw)
        if name == STDIN:
            if STDIN_NAME not in seen:
                seen.add(STDIN_NAME)
                yield Input(STDIN_NAME, None)
            continue
        own = resolver.settings_for(name)
        if _excluded(name, own):
            continue
        try:
            info = os.stat(name)
        except FileNotFoundError:
            yield Input(display_path(name), None, error="no such file or folder")
            continue
        except OSError as exc:
            yield Input(display_path(name), None, error=f"cannot read: {_strerror(exc)}")
            continue
        if stat.S_ISDIR(info.st_mode):
            for item in _walk(name, resolver, base):
                if item.name not in seen:
                    seen.add(item.name)
                    yield item
        elif name not in seen:
            seen.add(name)
            if stat.S_ISREG(info.st_mode):
                yield Input(
                    display_path(name),
                    Path(name),
                    True,
                    info.st_size,
                    settings=None if own is base else own,
                )
            else:
                yield Input(
                    display_path(name), None, error=f"not a regular file ({_kind(info.st_mode)})"
                )


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a file"


def _walk(folder: str, resolver: Resolver, base: Settings) -> Iterator[Input]:
    """The files under ``folder`` in path order; an unlistable folder is an error item."""
    settings = resolver.settings_for(folder)
    own = None if settings is base else settings
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield Input(display_path(folder), None, error=f"cannot read folder: {_strerror(exc)}")
        return
    items: list[tuple[str, os.DirEntry[str] | None, bool]] = []
    for entry in entries:
        full = os.path.join(folder, entry.name)
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_dir = False
        if is_dir:
            if not entry.name.startswith(".") and not _excluded(full, settings):
                items.append((full, None, True))
        elif _included(full, settings) and not _excluded(full, settings):
            items.append((full, entry, False))
    # path order: "a/b.md" < "a/c/d.md" < "a/e.md", as a sorted listing shows them
    items.sort(key=lambda item: item[0].split(os.sep))
    for full, entry, is_dir in items:
        if is_dir:
            yield from _walk(full, resolver, base)
            continue
        assert entry is not None
        try:
            info = entry.stat()  # follows a symbolic link to its file
        except FileNotFoundError:
            yield Input(display_path(full), None, error="broken symbolic link")
            continue
        except OSError as exc:
            yield Input(display_path(full), None, error=f"cannot read: {_strerror(exc)}")
            continue
        if stat.S_ISREG(info.st_mode):
            yield Input(display_path(full), Path(full), False, info.st_size, settings=own)
        # FIFOs, sockets, devices and links to folders are not digests: never opened


def read_bytes(source: Input, stdin: BinaryIO | None = None) -> bytes:
    """The bytes of ``source``; raises :class:`OSError` with a clear message.

    A file is opened without blocking and must still be a regular file, so a
    FIFO put in its place never hangs the run.
    """
    if source.error is not None:
        raise OSError(source.error)
    if source.path is None:
        stream = stdin
        if stream is None:
            raw = sys.stdin
            stream = getattr(raw, "buffer", None) if raw is not None else None
        if stream is None:
            raise OSError("standard input is closed")
        try:
            return stream.read()
        except (OSError, ValueError) as exc:
            raise OSError(f"cannot read standard input: {exc}") from None
    try:
        fd = os.open(source.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except IsADirectoryError:
        raise OSError("is a folder, not a file") from None
    except OSError as exc:
        raise OSError(f"cannot read: {_strerror(exc)}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise OSError("is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"not a regular file ({_kind(info.st_mode)})")
        chunks = []
        while True:
            try:
                chunk = os.read(fd, max(info.st_size + 1, 65536))
            except OSError as exc:
                raise OSError(f"cannot read: {_strerror(exc)}") from None
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


# ------------------------------------------------------ settings, resolved


def files(
    paths: Iterable[str | os.PathLike[str]], settings: Settings | Resolver | None = None
) -> list[Input]:
    """Every input under ``paths`` (see :func:`iter_inputs`), as a list."""
    return list(iter_inputs(paths, settings))


def bind(settings: Settings, inputs: Iterable[Input]) -> Settings:
    """``settings`` carrying the own settings of ``inputs`` that have them.

    Everything downstream (the worker, the rule engine, the fold, the
    converters) asks ``settings.for_path(name)``, so a file governed by a
    nearer configuration is read and checked with that configuration.  Without
    such inputs ``settings`` is returned unchanged.
    """
    own = {i.name: i.settings for i in inputs if i.settings is not None}
    if not own:
        return settings
    import dataclasses

    return dataclasses.replace(settings, by_path=own)
