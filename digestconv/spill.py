"""Spill files: long sequences of objects kept on disk, not in memory.

A :class:`Spill` appends pickled objects to a buffer that moves to an anonymous
temporary file once it holds :data:`IN_MEMORY` bytes (the file vanishes when
closed, or when the process dies), and keeps only their offsets, 8 bytes each.
A small run never touches the disk.  ``to`` spills the papers it will write and the copies it will
compare with arXiv, so its memory does not grow with the text of the input.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Generic, TypeVar, overload

T = TypeVar("T")

#: bytes read from the spill file at a time when iterating
_READ = 1 << 20
#: bytes a spill keeps in memory before it moves to a temporary file
IN_MEMORY = 16 << 20


class SpillError(OSError):
    """The temporary file could not be written or read (a full disk, a size limit)."""


class Spill(Generic[T]):
    """An append-only, re-iterable sequence of objects pickled to a temporary file."""

    def __init__(self, directory: str | None = None) -> None:
        self._file: IO[bytes] | None = None
        self._directory = directory
        self._offsets = array("Q", [0])
        self._writing = False

    def _open(self) -> IO[bytes]:
        if self._file is None:
            import tempfile

            self._file = tempfile.SpooledTemporaryFile(  # noqa: SIM115 (closed by close())
                IN_MEMORY, dir=self._directory
            )
        return self._file

    def append(self, item: T) -> int:
        """Add ``item``; its index."""
        import pickle

        data = pickle.dumps(item, pickle.HIGHEST_PROTOCOL)
        handle = self._open()
        try:
            if not self._writing:
                handle.seek(0, 2)
                self._writing = True
            handle.write(data)
        except OSError as exc:
            raise self._error("write", exc) from None
        self._offsets.append(self._offsets[-1] + len(data))
        return len(self._offsets) - 2

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def _error(self, doing: str, exc: OSError | str) -> SpillError:
        """The error of a failed ``doing`` (``"read"``, ``"write"``) of the file."""
        import tempfile

        where = self._directory or tempfile.gettempdir()
        why = exc if isinstance(exc, str) else exc.strerror or exc
        code = 0 if isinstance(exc, str) else exc.errno or 0
        return SpillError(code, f"cannot {doing} a temporary file in {where}: {why}")

    def _flush(self, handle: IO[bytes]) -> None:
        """Write out what is buffered, before a read."""
        try:
            handle.flush()
        except OSError as exc:
            raise self._error("write", exc) from None
        self._writing = False

    def _read(self, handle: IO[bytes], start: int, size: int) -> bytes:
        """``size`` bytes from ``start`` (fewer only at the end of what was written)."""
        try:
            handle.seek(start)
            return handle.read(size)
        except OSError as exc:
            raise self._error("read", exc) from None

    def _load(self, index: int) -> T:
        import pickle

        handle = self._open()
        start, end = self._offsets[index], self._offsets[index + 1]
        if self._writing:
            self._flush(handle)
        data = self._read(handle, start, end - start)
        if len(data) < end - start:
            raise self._error("read", "the file is shorter than was written")
        return pickle.loads(data)  # our own file

    def __getitem__(self, index: int) -> T:
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("spill index out of range")
        return self._load(index)

    def __iter__(self) -> Iterator[T]:
        """Every item in order, read in large blocks (appending meanwhile is not allowed)."""
        import pickle

        count = len(self)
        if count == 0:
            return
        handle = self._open()
        self._flush(handle)
        buffer = b""
        base = 0  # file offset of buffer[0]
        position = 0  # where the next read starts
        for index in range(count):
            start, end = self._offsets[index], self._offsets[index + 1]
            if end - base > len(buffer):
                more = self._read(handle, position, max(_READ, end - position))
                position += len(more)
                buffer = buffer[start - base :] + more
                base = start
                if end - base > len(buffer):
                    raise self._error("read", "the file is shorter than was written")
            yield pickle.loads(buffer[start - base : end - base])
            if self._writing:  # pragma: no cover - misuse
                raise RuntimeError("a spill changed while it was read")

    def close(self) -> None:
        """Delete the file."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._offsets = array("Q", [0])

    def __enter__(self) -> Spill[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Subset(Sequence[T]):
    """Some items of a :class:`Spill`, by index, read when iterated."""

    def __init__(self, spill: Spill[T], indices: Iterable[int]) -> None:
        self.spill = spill
        self.indices = array("L", indices)

    def __len__(self) -> int:
        return len(self.indices)

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return [self.spill[i] for i in self.indices[index]]
        return self.spill[self.indices[index]]

    def __iter__(self) -> Iterator[T]:
        for i in self.indices:
            yield self.spill[i]
