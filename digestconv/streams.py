"""Standard output, checked, and file names any output can carry.

The part of :mod:`digestconv.output` every command needs (a run that writes
only its report to standard output imports nothing else of it):

- :func:`write_stdout` and :func:`write_text` write standard output, checked:
  a broken pipe is :class:`StdoutGone`, any other failure (a short write, a
  full disk) an :class:`OutputError`.
- :func:`display_path` renders a file name that is not valid UTF-8 (Linux
  hands those to Python as surrogate escapes) with ``\\xNN`` escapes, so every
  report, JSON, XML, SARIF and JUnit output can carry it.
"""

from __future__ import annotations

import os
import sys
from typing import Any

__all__ = ["OutputError", "StdoutGone", "display_path", "write_stdout", "write_text"]


class StdoutGone(BrokenPipeError):
    """Standard output's reader went away (``| head``): the run may end quietly.

    Only a write to standard output raises it, so a broken pipe anywhere else
    (a worker process, a socket) is never mistaken for a reader that left.
    """


class OutputError(Exception):
    """Output could not be written, or must not be: the message says which and why."""


def display_path(name: str | os.PathLike[str]) -> str:
    r"""``name`` as text that any output can carry.

    A file name that is not valid UTF-8 reaches Python with surrogate escapes
    (``bad\udcff.md``); it is shown with the byte escaped (``bad\xff.md``).
    Valid names are returned unchanged.
    """
    text = os.fspath(name)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        pass
    else:
        return text
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that no file name produced
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to ``fd``; a write that makes no progress is an error."""
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except BlockingIOError:  # a non-blocking pipe or terminal that is full: wait
            import select

            select.select([], [fd], [])
            continue
        if written <= 0:
            raise OSError(0, "the write made no progress (short write)")
        view = view[written:]


def _why(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def write_stdout(data: bytes, stream: Any = None) -> None:
    """Write ``data`` to standard output (or ``stream``), checked; flushes.

    a broken pipe is :class:`StdoutGone` (the reader went away: ``| head``);
    any other failure, including a short write, is an :class:`OutputError`.
    """
    stream = sys.stdout if stream is None else stream
    if stream is None:
        raise OutputError("cannot write standard output: it is closed")
    try:
        stream.flush()
        try:
            fd = stream.fileno()
        except (AttributeError, OSError, ValueError):
            fd = None
        if fd is not None:
            _write_all(fd, data)
            return
        binary = getattr(stream, "buffer", None)
        if binary is None:
            stream.write(data.decode("utf-8", "replace"))
        else:
            written = binary.write(data)
            if isinstance(written, int) and written != len(data):
                raise OSError(0, f"short write ({written} of {len(data)} bytes)")
            binary.flush()
        stream.flush()
    except BrokenPipeError as exc:
        raise StdoutGone(*exc.args) from None
    except (OSError, ValueError) as exc:
        reason = _why(exc) if isinstance(exc, OSError) else str(exc)
        raise OutputError(f"cannot write standard output: {reason}") from None


def write_text(text: str, stream: Any = None) -> None:
    """Write ``text`` as UTF-8 to ``stream`` (standard output by default), checked.

    Stray surrogates (from names no other place escaped) are written as
    ``\\udcXX`` escapes rather than failing.
    """
    write_stdout(text.encode("utf-8", "backslashreplace"), stream)
