"""Writing results safely: ``-o`` files, standard output, and what goes into them.

Every byte digestconv writes goes through this module, and every write is
checked: a short write, a full disk or a file-size limit is an
:class:`OutputError` (the command line turns it into exit 2), never output
silently cut short.

- :func:`write_output` writes ``-o FILE``: a regular file (or a new one) is
  replaced atomically by :func:`write_atomic`; a FIFO or a character device
  (``/dev/null``, ``/dev/stdout``, a terminal) is written through, never
  replaced by a regular file; anything else (a folder, a socket, a block
  device) is refused.
- :func:`refuse_inputs` refuses an output that is one of the inputs (the same
  file, also through a symbolic link or a hard link) before anything is read
  or written.
- :func:`write_stdout` and :func:`write_text` write standard output, checked, and
  :func:`display_path` renders a file name any output can carry (both from
  :mod:`digestconv.streams`, which a run that writes only standard output
  imports alone).
- :func:`source_date_epoch` reads ``SOURCE_DATE_EPOCH`` and rejects values no
  feed format can carry.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import stat
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .streams import (
    OutputError,
    StdoutGone,
    _why,
    _write_all,
    display_path,
    write_stdout,
    write_text,
)

__all__ = [
    "EPOCH_MAX",
    "EPOCH_MIN",
    "OutputError",
    "StdoutGone",
    "check_option_text",
    "display_path",
    "refuse_inputs",
    "source_date_epoch",
    "write_atomic",
    "write_output",
    "write_stdout",
    "write_text",
]

#: ``SOURCE_DATE_EPOCH`` range: 1970-01-01T00:00:00Z ..  9999-12-31T23:59:59Z (RFC 3339 and
#: RFC 822 dates have four-digit years; Atom's schema and feed readers refuse anything else)
EPOCH_MIN = 0
EPOCH_MAX = 253402300799
_DIGITS = re.compile(r"[0-9]{1,20}")


def check_option_text(option: str, value: str | None) -> str | None:
    """``value`` if it is text every output format can carry, else :class:`OutputError`.

    Command-line bytes that are not UTF-8 arrive as surrogate escapes; they
    would be written into XML, JSON and BibTeX, so they are refused.
    """
    if value is None:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise OutputError(
            f"{option} '{display_path(value)}' is not valid UTF-8: give it as UTF-8 text"
        ) from None
    return value


def source_date_epoch(env: Mapping[str, str] | None = None) -> dt.datetime | None:
    """The time ``SOURCE_DATE_EPOCH`` names, or ``None`` when it is unset or blank.

    The value must be a non-negative decimal integer (the reproducible-builds
    specification) no later than 9999-12-31T23:59:59Z, the last second every
    feed format can write; anything else raises :class:`ValueError` with a
    message that names the range, rather than being clamped silently.
    """
    env = os.environ if env is None else env
    value = env.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    if not _DIGITS.fullmatch(value) or not EPOCH_MIN <= int(value) <= EPOCH_MAX:
        raise ValueError(
            f"SOURCE_DATE_EPOCH={value[:40]!r} is not a Unix timestamp from {EPOCH_MIN} "
            f"(1970-01-01) to {EPOCH_MAX} (9999-12-31T23:59:59Z)"
        )
    return dt.datetime.fromtimestamp(int(value), tz=dt.timezone.utc)


# -- writing -------------------------------------------------------------------------


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


#: a temporary file of an atomic write: ``.NAME.PID.RANDOM.tmp`` beside its target
_TEMP = re.compile(r"\.(?P<name>.+)\.(?P<pid>[0-9]+)\.[A-Za-z0-9_]+\.tmp\Z")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def remove_stale_temporaries(target: Path) -> list[str]:
    """Remove temporary files a killed run left beside ``target``; their names.

    Only files named as :func:`write_atomic` names them for this very target,
    whose writing process no longer exists, are removed: a run still writing
    the same target keeps its file.
    """
    removed: list[str] = []
    try:
        names = os.listdir(target.parent)
    except OSError:
        return removed
    for name in names:
        match = _TEMP.match(name)
        if match is None or match["name"] != target.name:
            continue
        pid = int(match["pid"])
        if pid == os.getpid() or _pid_alive(pid):
            continue
        with contextlib.suppress(OSError):
            os.unlink(target.parent / name)
            removed.append(name)
    return removed


class AtomicFile:
    """A regular file written through a temporary file and renamed into place on :meth:`commit`.

    The temporary file is made at once, beside the target, so a target that
    cannot be written is known before any work is done.  A reader never sees
    a half-written file, and a failed or abandoned write (an exception, Ctrl-C,
    SIGTERM, :meth:`discard`) leaves the old file in place and removes the
    temporary one.  A symbolic link is written through (its target is
    replaced), the file keeps its permissions (a new file gets the usual
    ``0666 & ~umask``), and the data is on disk (fsync) before the rename.
    A target that exists and is not a regular file is never replaced:
    :class:`OSError` (``EINVAL``).  Temporary files that killed runs left
    beside the same target are removed first (:func:`remove_stale_temporaries`).
    """

    def __init__(self, path: Path) -> None:
        import tempfile

        self.target = Path(os.path.realpath(path))
        try:
            st = self.target.stat()
        except FileNotFoundError:
            mode = _new_file_mode()
        else:
            if not stat.S_ISREG(st.st_mode):
                raise OSError(22, "not a regular file: it would be replaced by one", str(path))
            mode = stat.S_IMODE(st.st_mode)
        remove_stale_temporaries(self.target)
        self.fd, self.tmp = tempfile.mkstemp(
            prefix=f".{self.target.name}.{os.getpid()}.", suffix=".tmp", dir=self.target.parent
        )
        self.size = 0
        try:
            os.fchmod(self.fd, mode)
        except BaseException:
            self.discard()
            raise

    def write(self, data: bytes) -> None:
        """Append ``data``; any failure is an :class:`OSError` (the caller discards)."""
        _write_all(self.fd, data)
        self.size += len(data)

    def commit(self) -> None:
        """Put the written data in place of the target."""
        try:
            os.fsync(self.fd)
            os.close(self.fd)
            self.fd = -1
            os.replace(self.tmp, self.target)
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        """Drop what was written: the target is left as it was."""
        if self.fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = -1
        with contextlib.suppress(OSError):
            os.unlink(self.tmp)

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(self, kind: object, *rest: object) -> None:
        if kind is not None or self.fd >= 0:
            self.discard()


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to the regular file ``path`` atomically (see :class:`AtomicFile`)."""
    with AtomicFile(path) as out:
        out.write(data)
        out.commit()


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "not a regular file"


class Sink:
    """Where a command's output goes, opened before any work is done; every write checked.

    ``path`` ``None`` is standard output; a regular file (or a new one) is
    written through an :class:`AtomicFile` and appears on :meth:`commit`; a
    FIFO or a character device is written through.  Writes are gathered into
    blocks of :attr:`BLOCK` bytes.  Every failure is an :class:`OutputError`,
    except a broken pipe on standard output (the reader went away), which is
    passed on as :class:`BrokenPipeError`.  Leaving the ``with`` block without
    :meth:`commit` discards a file's output and leaves the old file alone.
    """

    BLOCK = 1 << 16

    def __init__(self, path: Path | None = None, stream: Any = None) -> None:
        self.path = path
        self.stream = stream
        self.name = "standard output" if path is None else display_path(path)
        self._atomic: AtomicFile | None = None
        self._fd: int | None = None
        self._pending: list[bytes] = []
        self._pending_size = 0
        self.written = 0
        if path is None:
            return
        try:
            try:
                mode: int | None = os.stat(os.path.realpath(path)).st_mode
            except FileNotFoundError:
                mode = None
            if mode is None or stat.S_ISREG(mode):
                self._atomic = AtomicFile(Path(path))
            elif stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
                self._fd = os.open(os.path.realpath(path), os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
            else:
                raise OutputError(f"cannot write {self.name}: it is {_kind(mode)}, not a file")
        except OSError as exc:
            raise OutputError(f"cannot write {self.name}: {_why(exc)}") from None

    def write(self, data: bytes | memoryview) -> int:
        """Queue ``data``; written once a block is full (and on :meth:`flush`).  Returns
        its length, as a stream's ``write`` does (every byte is taken)."""
        self._pending.append(bytes(data))
        self._pending_size += len(data)
        if self._pending_size >= self.BLOCK:
            self.flush()
        return len(data)

    def flush(self) -> None:
        """Write what is queued."""
        if not self._pending:
            return
        data = b"".join(self._pending)
        self._pending.clear()
        self._pending_size = 0
        self.written += len(data)
        if self.path is None:
            write_stdout(data, self.stream)
            return
        try:
            if self._atomic is not None:
                self._atomic.write(data)
            elif self._fd is not None:
                _write_all(self._fd, data)
        except OSError as exc:
            raise OutputError(f"cannot write {self.name}: {_why(exc)}") from None

    def commit(self) -> None:
        """Write the rest; a file appears in place of the old one."""
        self.flush()
        try:
            if self._atomic is not None:
                self._atomic.commit()
                self._atomic = None
            self._close_fd()
        except OSError as exc:
            raise OutputError(f"cannot write {self.name}: {_why(exc)}") from None

    def discard(self) -> None:
        """Drop the output: a file's old content stays (stdout has what was flushed)."""
        self._pending.clear()
        if self._atomic is not None:
            self._atomic.discard()
            self._atomic = None
        self._close_fd()

    def _close_fd(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None

    def __enter__(self) -> Sink:
        return self

    def __exit__(self, kind: object, *rest: object) -> None:
        if kind is not None or self._atomic is not None or self._fd is not None:
            self.discard()


def write_output(path: Path, data: bytes) -> None:
    """Write ``data`` to ``-o path``; every failure is an :class:`OutputError`.

    A regular file (or a new one) is replaced atomically; a FIFO or a
    character device is opened and written through (a FIFO waits for its
    reader, as a shell redirection does); a folder, a socket or a block device
    is refused (all as :class:`Sink` does).
    """
    with Sink(path) as sink:
        sink.write(data)
        sink.commit()


def check_writable(path: Path) -> None:
    """Raise :class:`OutputError` when ``-o path`` could not be written; write nothing.

    Run before any input is read, so a mistake in the target costs no work:
    a folder that does not exist or cannot be written to, a target that is a
    folder, a socket or a block device, and a FIFO or device without write
    permission are refused.  A regular file is tested by creating (and at once
    removing) a temporary file beside it, as :func:`write_atomic` will.
    """
    import tempfile

    name = display_path(path)
    target = os.path.realpath(path)
    try:
        mode: int | None = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise OutputError(f"cannot write {name}: {_why(exc)}") from None
    if mode is not None and not stat.S_ISREG(mode):
        if not (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):
            raise OutputError(f"cannot write {name}: it is {_kind(mode)}, not a file")
        if not os.access(target, os.W_OK):
            raise OutputError(f"cannot write {name}: permission denied")
        return
    folder = os.path.dirname(target) or "."
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=folder
        )
    except FileNotFoundError:
        raise OutputError(
            f"cannot write {name}: the folder {display_path(folder)} does not exist"
        ) from None
    except NotADirectoryError:
        raise OutputError(f"cannot write {name}: {display_path(folder)} is not a folder") from None
    except OSError as exc:
        raise OutputError(f"cannot write {name}: {_why(exc)}") from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(tmp)


def check_feed_link(value: str | None) -> str | None:
    """``value`` if it is an absolute ``http``/``https`` URL, else :class:`OutputError`."""
    if value is None:
        return None
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or any(c.isspace() for c in value)
    ):
        raise OutputError(
            f"--feed-link {value[:80]!r} is not an absolute http or https URL "
            "(e.g. https://example.org/digests/)"
        )
    return value


def check_feed_title(value: str | None, option: str = "--feed-title") -> str | None:
    """``value`` unless it is empty or blank (:class:`OutputError`)."""
    if value is not None and not value.strip():
        what = "an author" if option == "--feed-author" else "a title"
        raise OutputError(f"{option} is empty: give {what}, or leave the option out")
    return value


def _identity(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None


def refuse_inputs(
    output: Path | None,
    inputs: Iterable[tuple[str, str | os.PathLike[str] | None]],
    stdout: Any = None,
) -> None:
    """Raise :class:`OutputError` when the output is one of ``inputs``.

    ``inputs`` are ``(display name, path)`` pairs (``path`` ``None`` for
    standard input).  The output is ``-o output``, or standard output when
    ``output`` is ``None`` and standard output is a regular file (``> x.md``
    already emptied it; ``>> x.md`` would append to it).  Sameness is by
    device and inode, so symbolic and hard links count.
    """
    if output is not None:
        mine = _identity(output)
        where = display_path(output)
    else:
        stream = sys.stdout if stdout is None else stdout
        try:
            st = os.fstat(stream.fileno())
        except (AttributeError, OSError, ValueError):
            return
        mine = (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) else None
        where = "standard output"
    if mine is None:
        return
    for name, path in inputs:
        if path is not None and _identity(path) == mine:
            raise OutputError(
                f"{where} is also the input {display_path(name)}: write to another file "
                "(the input would be lost)"
            )
