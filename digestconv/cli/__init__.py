"""The ``digestconv`` command: a thin typer layer over the library.

This package is the only place that knows typer.  :mod:`~digestconv.cli.base`
holds the app and the options commands share; each other module adds its
commands: ``validate``/``parse`` (:mod:`~digestconv.cli.check`),
``to``/``fmt`` (:mod:`~digestconv.cli.convert`), ``formats``/``rules``/``rule``
(:mod:`~digestconv.cli.info`), ``enrich``/``cache`` (:mod:`~digestconv.cli.enrich`).

A run imports only the module of the command it names (all of them for the
top-level help or a name that is no command), and ``validate`` given only paths
and plain flags runs without typer at all (:func:`_plain_validate`): start-up
is most of a pre-commit hook's time.  :data:`app` is the whole app, every
command registered.

Exit codes: 0 clean (warnings allowed), 1 findings at error severity (or
warnings with ``--strict``), 2 usage, I/O or internal error.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ..streams import StdoutGone

if TYPE_CHECKING:
    import typer

__all__ = ["app", "main"]

#: the modules that register commands, in the order the top-level help lists them
_MODULES = ("check", "convert", "info", "enrich")
#: the module of each command
_COMMANDS = {
    "validate": "check",
    "parse": "check",
    "to": "convert",
    "fmt": "convert",
    "formats": "info",
    "styles": "info",
    "rules": "info",
    "rule": "info",
    "enrich": "enrich",
    "cache": "enrich",
}
#: the command modules registered on the app so far
_loaded: set[str] = set()

#: ``validate``'s flags that take no value, and the keyword argument each one sets
_PLAIN_FLAGS = {
    "--strict": "strict",
    "--quiet": "quiet",
    "-q": "quiet",
    "--per-file": "per_file",
    "--skip-non-digests": "skip_non_digests",
    "--allow-empty": "allow_empty",
}

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


class _PipeClosed(BaseException):
    """A pipe other than standard output closed under a write (standard error's reader
    left, say): an I/O error, exit 2, never the exit 1 of findings."""


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
        except BrokenPipeError:
            raise _PipeClosed() from None

    return run


def _app(modules: Iterable[str]) -> typer.Typer:
    """The app with the commands of ``modules`` registered (each module once)."""
    from .base import app

    for name in modules:
        if name in _loaded:
            continue
        # as an import statement imports (python -X importtime lists it, import_module not)
        module = __import__(f"{__name__}.{name}", fromlist=("app",))
        if name == "enrich":
            module.register(app)
        _loaded.add(name)
    # the order of the help, whatever order the modules came in
    app.registered_commands.sort(key=lambda info: _MODULES.index(_module_of(info.callback)))
    for command in _commands(app):
        if command.callback is not None and not hasattr(command.callback, "__wrapped__"):
            command.callback = _guarded(command.callback)
    return app


def _module_of(callback: Any) -> str:
    name = str(getattr(callback, "__module__", "")).rpartition(".")[2]
    return name if name in _MODULES else _MODULES[-1]


def __getattr__(name: str) -> Any:
    if name == "app":
        return _app(_MODULES)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _modules_for(args: list[str]) -> tuple[str, ...]:
    """The command modules a run with ``args`` needs: the named command's, else all of
    them (the top-level help lists every command, a mistyped name gets a suggestion)."""
    for arg in args:
        if arg in ("-h", "--help"):
            break
        if arg.startswith("-") and arg not in ("-", "--"):
            continue  # --version, or an option the app refuses
        module = _COMMANDS.get(arg)
        return (module,) if module is not None else _MODULES
    return _MODULES


def _plain_validate(args: list[str]) -> dict[str, Any] | None:
    """``validate``'s keyword arguments when ``args`` is ``validate`` with paths and
    :data:`_PLAIN_FLAGS` only, as typer would hand them to the command; else ``None``.

    Such a command line means the same to every parser: an argument is a path
    (``-`` included) or one of those flags, wherever it stands; any other option,
    ``--``, shell completion or Windows (where click expands wildcards) goes to typer.
    """
    if len(args) < 2 or args[0] != "validate" or os.name == "nt":
        return None
    if any(key.startswith("_") and key.endswith("_COMPLETE") for key in os.environ):
        return None
    paths: list[str] = []
    flags: dict[str, Any] = {}
    for arg in args[1:]:
        if arg in _PLAIN_FLAGS:
            flags[_PLAIN_FLAGS[arg]] = True
        elif arg == "-" or not arg.startswith("-"):
            paths.append(arg)
        else:
            return None
    return {"paths": paths, **flags} if paths else None


def _validate_plainly(arguments: dict[str, Any]) -> int:
    """Run ``validate`` with ``arguments`` as typer runs a command, without typer:
    the same exit code for every outcome (typer is imported only to leave with an error)."""
    from .validation import run

    try:
        return _guarded(run)(**arguments)  # a broken pipe as for every command
    except EOFError as exc:
        import typer

        typer.echo(err=True)
        raise typer.Abort() from exc
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        typer = sys.modules.get("typer")  # loaded by whatever raised its Exit
        if typer is not None and isinstance(exc, typer.Exit):
            return int(exc.exit_code)
        raise


def _run(args: list[str]) -> Any:
    """The command's result: ``validate`` of paths directly, any other command line by typer."""
    plain = _plain_validate(args)
    if plain is not None:
        return _validate_plainly(plain)
    return _app(_modules_for(args))(standalone_mode=False)


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
        result = _run(sys.argv[1:])
        code = result if isinstance(result, int) else 0
    except Stopped as stop:
        code = 128 + stop.signum
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(f"digestconv: {_STOPPED.get(stop.signum, 'stopped')}\n")
    except KeyboardInterrupt:
        code = 130
        _say("interrupted")
    except (_ReaderGone, StdoutGone):
        _quiet_stdout()
        code = 0
    except _OutputFailed as exc:
        _say(f"cannot write standard output: {exc}")
        _quiet_stdout()
        code = 2
    except _PipeClosed:
        _say("I/O error: a pipe closed before everything was written")
        code = 2
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except OSError as exc:  # an I/O error no command turned into a message of its own
        where = f" {exc.filename}" if exc.filename else ""
        _say(f"I/O error{where}: {exc.strerror or exc}")
        code = 2
    except Exception as exc:
        code = _outcome(exc)
    try:
        if sys.stdout is not None:  # None: closed before the run began (>&-), said already
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


def _outcome(exc: Exception) -> int:
    """The exit code of an exception no command handled: typer's way to leave, else an
    internal error (said on standard error)."""
    typer = sys.modules.get("typer")  # not loaded: none of its exceptions was raised
    if typer is not None:
        if isinstance(exc, typer.Abort):
            _say("interrupted")
            return 130
        if isinstance(exc, typer.Exit):
            return int(exc.exit_code)
        if isinstance(exc, typer.TyperException):  # a usage error: what is wrong, and --help
            show = getattr(exc, "show", None)
            with contextlib.suppress(OSError, ValueError):
                if show is not None:
                    show()
                else:
                    sys.stderr.write(f"digestconv: {exc}\n")
            return int(getattr(exc, "exit_code", 2))
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(
            f"digestconv: internal error: {type(exc).__name__}: {exc}\n"
            "Please report this with the input that caused it.\n"
        )
    return 2
