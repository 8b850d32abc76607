"""The ``digestconv`` command: a thin typer layer over the library.

This package is the only place that knows typer.  :mod:`~digestconv.cli.base`
holds the app and the options commands share; each other module adds its
commands: ``validate``/``parse`` (:mod:`~digestconv.cli.check`),
``to``/``fmt`` (:mod:`~digestconv.cli.convert`), ``formats``/``rules``/``rule``
(:mod:`~digestconv.cli.info`), ``enrich``/``cache`` (:mod:`~digestconv.cli.enrich`).

Exit codes: 0 clean (warnings allowed), 1 findings at error severity (or
warnings with ``--strict``), 2 usage, I/O or internal error.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
from collections.abc import Callable, Iterator
from typing import Any

import typer

from ..output import StdoutGone
from . import check, convert, info  # noqa: F401  (registration)
from . import enrich as _enrich
from .base import app

_enrich.register(app)  # the enrich and cache commands

__all__ = ["app", "main"]

#: what each stopping signal says, and the exit code it ends the run with (128 + number)
_STOPPED = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated"}


class Stopped(BaseException):
    """Ctrl-C or SIGTERM reached the command: every ``finally`` runs, then the run ends.

    A :class:`BaseException` that typer does not know, so it reaches :func:`main`
    untouched wherever it was raised, through every ``finally`` on the way.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _ReaderGone(BaseException):
    """Standard output's reader went away (``| head``): end quietly."""


class _OutputFailed(BaseException):
    """Standard output could not be written (a full disk, a file-size limit)."""


class _CheckedStdout:
    """Standard output as commands see it: a failed write says so, whoever made it.

    typer's ``echo`` and ``print`` write here; a broken pipe passes on as it is,
    any other failure becomes :class:`_OutputFailed` (exit 2 with a message,
    never an internal error).
    """

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return int(self._stream.write(text))
        except BrokenPipeError:
            raise _ReaderGone() from None
        except OSError as exc:
            raise _OutputFailed(exc.strerror or str(exc)) from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise _ReaderGone() from None
        except OSError as exc:
            raise _OutputFailed(exc.strerror or str(exc)) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _on_signal(signum: int, frame: Any) -> None:
    # a second signal while the first one's cleanup runs (bounded: workers get a grace
    # period, then are killed) must not cut that cleanup short
    for sig in _STOPPED:
        signal.signal(sig, signal.SIG_IGN)
    raise Stopped(signum)


def _commands(group: typer.Typer) -> Iterator[Any]:
    yield from group.registered_commands
    for sub in group.registered_groups:
        if sub.typer_instance is not None:
            yield from _commands(sub.typer_instance)


def _guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` with a broken pipe on standard output turned into :class:`_ReaderGone`
    (a broken pipe anywhere else stays an I/O error: exit 2, with a message).

    typer answers ``EPIPE`` with exit 1, which this tool keeps for findings.
    """

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except StdoutGone:
            raise _ReaderGone() from None

    return run


for _command in _commands(app):
    if _command.callback is not None and not hasattr(_command.callback, "__wrapped__"):
        _command.callback = _guarded(_command.callback)


def _quiet_stdout() -> None:
    """Point standard output at /dev/null: its reader is gone, and the final flush must not fail."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def main() -> None:
    """Console-script entry point: run the app, never show a traceback.

    Exit codes: 0 clean, 1 findings, 2 usage, I/O or internal error; 130 after
    Ctrl-C and 143 after SIGTERM (the worker processes are stopped and a
    half-written ``-o`` file removed first); a reader of standard output that
    goes away (``| head``) ends the run quietly with 0.
    """
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, set(_STOPPED))
    for sig in _STOPPED:
        with contextlib.suppress(ValueError, OSError):  # not the main thread
            signal.signal(sig, _on_signal)
    code: int = 0
    if sys.stdout is not None and not isinstance(sys.stdout, _CheckedStdout):
        sys.stdout = _CheckedStdout(sys.stdout)  # type: ignore[assignment]
    try:
        result = app(standalone_mode=False)
        code = result if isinstance(result, int) else 0
    except Stopped as stop:
        code = 128 + stop.signum
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(f"digestconv: {_STOPPED.get(stop.signum, 'stopped')}\n")
    except (KeyboardInterrupt, typer.Abort):
        code = 130
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write("digestconv: interrupted\n")
    except typer.Exit as exc:
        code = exc.exit_code
    except typer.TyperException as exc:  # a usage error: what is wrong, and --help
        show = getattr(exc, "show", None)
        with contextlib.suppress(OSError, ValueError):
            if show is not None:
                show()
            else:
                sys.stderr.write(f"digestconv: {exc}\n")
        code = getattr(exc, "exit_code", 2)
    except (_ReaderGone, StdoutGone):
        _quiet_stdout()
        code = 0
    except _OutputFailed as exc:
        _say(f"cannot write standard output: {exc}")
        _quiet_stdout()
        code = 2
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except OSError as exc:  # an I/O error no command turned into a message of its own
        where = f" {exc.filename}" if exc.filename else ""
        _say(f"I/O error{where}: {exc.strerror or exc}")
        code = 2
    except Exception as exc:
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(
                f"digestconv: internal error: {type(exc).__name__}: {exc}\n"
                "Please report this with the input that caused it.\n"
            )
        code = 2
    try:
        sys.stdout.flush()
    except (_ReaderGone, BrokenPipeError):
        _quiet_stdout()
    except (_OutputFailed, OSError, ValueError) as exc:  # nothing is lost quietly
        _say(f"cannot write standard output: {getattr(exc, 'strerror', None) or exc}")
        _quiet_stdout()
        code = max(code, 2)
    # the run is over: a Ctrl-C or SIGTERM from now on would meet the default action once the
    # interpreter restores it while shutting down, and end the process by the signal instead
    # of with the code the finished run earned
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, set(_STOPPED))
    raise SystemExit(code)


def _say(message: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(f"digestconv: {message}\n")
