"""The bulk metadata snapshot: ``arxiv-metadata-oai-snapshot.json``, plain or gzip.

The file (published on Kaggle, about 2.5 million records and 4 GB) is JSON
Lines, one paper per line::

    {"id": "0704.0001", "submitter": "...", "authors": "C. Bal\\'azs, E. L. Berger, ...",
     "title": "...", "comments": "...", "journal-ref": "...", "doi": "...",
     "report-no": null, "categories": "hep-ph", "license": null, "abstract": "...",
     "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}, ...],
     "update_date": "2008-11-13",
     "authors_parsed": [["Bal\\u00e1zs", "C.", ""], ["Berger", "E. L.", ""], ...]}

It is never loaded whole.  The first lookup streams it once and builds an
index (identifier -> byte offset and length of its line) in a small SQLite
file stored beside the snapshot (``FILE.dcindex``) or, if that folder is not
writable, in the cache folder.  The index records the file's size,
modification time and a hash of its first 64 KiB, and is rebuilt when any of
them changes.  Later lookups seek straight to the lines they need.

A gzip snapshot is indexed by offsets in the *uncompressed* stream; a lookup
batch then decompresses the file up to the last record it needs (gzip cannot
seek), which for the full file takes tens of seconds per batch: decompress it
once (``gunzip``) when you look papers up often.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import IO, Any

from .names import fold, from_parsed, split_name
from .record import ArxivRecord, Author

INDEX_SUFFIX = ".dcindex"
INDEX_FORMAT = 1
_HEAD = 64 * 1024
_ID = re.compile(rb'"id"\s*:\s*"([^"\\]+)"')
_AND = re.compile(r",?\s+and\s+|,\s*")


class SnapshotError(Exception):
    """The snapshot cannot be read or indexed."""


@dataclass(frozen=True)
class Fingerprint:
    """What identifies one version of the snapshot file."""

    size: int
    mtime_ns: int
    head: str


def fingerprint(path: Path) -> Fingerprint:
    """Size, modification time and SHA-256 of the first 64 KiB of ``path``."""
    st = path.stat()
    with path.open("rb") as handle:
        head = hashlib.sha256(handle.read(_HEAD)).hexdigest()
    return Fingerprint(st.st_size, st.st_mtime_ns, head)


def is_gzip(path: Path) -> bool:
    """Whether ``path`` starts with the gzip magic number."""
    with path.open("rb") as handle:
        return handle.read(2) == b"\x1f\x8b"


def _open_text_stream(path: Path, gz: bool) -> IO[bytes]:
    if gz:
        import gzip

        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb", buffering=1024 * 1024)


def iter_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """``(offset, line)`` for every line (offsets in the uncompressed stream)."""
    gz = is_gzip(path)
    offset = 0
    with _open_text_stream(path, gz) as handle:
        for line in handle:
            yield offset, line
            offset += len(line)


def _line_id(line: bytes) -> str | None:
    m = _ID.search(line, 0, 512)
    if m:
        return m[1].decode("utf-8", "replace")
    try:
        data = json.loads(line)
    except ValueError:
        return None
    value = data.get("id") if isinstance(data, dict) else None
    return str(value) if value else None


class Snapshot:
    """A snapshot file and its index.

    ``index_dir`` is where the index goes when the snapshot's folder is not
    writable (the cache folder).  ``progress`` is called with the bytes read
    so far while the index is built.
    """

    def __init__(
        self,
        path: Path,
        index_dir: Path | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.index_dir = index_dir
        self.progress = progress
        self._index: Any = None
        self.index_path: Path | None = None
        self.gzip = False
        self.rebuilt = False

    # -- index -----------------------------------------------------------------------------
    def _candidates(self) -> list[Path]:
        beside = self.path.with_name(self.path.name + INDEX_SUFFIX)
        out = [beside]
        if self.index_dir is not None:
            digest = hashlib.sha256(str(self.path.resolve()).encode()).hexdigest()[:16]
            out.append(self.index_dir / f"snapshot-{digest}{INDEX_SUFFIX}")
        return out

    def open(self) -> None:
        """Open a current index, or build one (streaming the snapshot once)."""
        if self._index is not None:
            return
        try:
            current = fingerprint(self.path)
            self.gzip = is_gzip(self.path)
        except OSError as exc:
            raise SnapshotError(f"{self.path}: cannot read: {exc.strerror or exc}") from None
        for candidate in self._candidates():
            db = self._try_existing(candidate, current)
            if db is not None:
                self._index, self.index_path = db, candidate
                return
        errors: list[str] = []
        for candidate in self._candidates():
            try:
                self._index = self._build(candidate, current)
                self.index_path = candidate
                self.rebuilt = True
                return
            except OSError as exc:
                errors.append(f"{candidate}: {exc.strerror or exc}")
            except _sqlite_error() as exc:
                errors.append(f"{candidate}: {exc}")
        raise SnapshotError(f"cannot write an index for {self.path}: {'; '.join(errors)}")

    @staticmethod
    def _try_existing(candidate: Path, current: Fingerprint) -> Any:
        import sqlite3

        if not candidate.is_file():
            return None
        try:
            db = sqlite3.connect(f"file:{candidate}?mode=ro", uri=True)
            row = db.execute("SELECT format, size, mtime_ns, head FROM meta").fetchone()
        except sqlite3.Error:
            return None
        if row is None or tuple(row) != (
            INDEX_FORMAT,
            current.size,
            current.mtime_ns,
            current.head,
        ):
            db.close()
            return None
        return db

    def _build(self, candidate: Path, current: Fingerprint) -> Any:
        import sqlite3

        candidate.parent.mkdir(parents=True, exist_ok=True)
        tmp = candidate.with_name(f".{candidate.name}.{os.getpid()}.tmp")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        db = sqlite3.connect(str(tmp), isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            db.execute("BEGIN")
            db.execute(
                "CREATE TABLE meta (format INTEGER, size INTEGER, mtime_ns INTEGER, head TEXT)"
            )
            db.execute(
                "CREATE TABLE lines (id TEXT PRIMARY KEY, offset INTEGER, length INTEGER)"
                " WITHOUT ROWID"
            )
            rows: list[tuple[str, int, int]] = []
            read = 0
            for offset, line in iter_lines(self.path):
                ident = _line_id(line)
                read = offset + len(line)
                if ident is None:
                    continue
                rows.append((ident, offset, len(line)))
                if len(rows) >= 50_000:
                    db.executemany("INSERT OR IGNORE INTO lines VALUES (?, ?, ?)", rows)
                    rows.clear()
                    if self.progress is not None:
                        self.progress(read)
            db.executemany("INSERT OR IGNORE INTO lines VALUES (?, ?, ?)", rows)
            db.execute(
                "INSERT INTO meta VALUES (?, ?, ?, ?)",
                (INDEX_FORMAT, current.size, current.mtime_ns, current.head),
            )
            db.execute("COMMIT")
            db.close()
            os.replace(tmp, candidate)
        except BaseException:
            db.close()
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        return sqlite3.connect(f"file:{candidate}?mode=ro", uri=True)

    def close(self) -> None:
        """Close the index."""
        if self._index is not None:
            self._index.close()
            self._index = None

    def __len__(self) -> int:
        self.open()
        return int(self._index.execute("SELECT count(*) FROM lines").fetchone()[0])

    # -- lookups -----------------------------------------------------------------------------
    def lookup(self, keys: Iterable[str], fetched_at: str | None = None) -> dict[str, ArxivRecord]:
        """Records for the ``keys`` the snapshot holds (absent keys are left out)."""
        self.open()
        keys = list(dict.fromkeys(keys))
        where: list[tuple[int, int, str]] = []
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for ident, offset, length in self._index.execute(
                f"SELECT id, offset, length FROM lines WHERE id IN ({marks})", chunk
            ):
                where.append((int(offset), int(length), str(ident)))
        where.sort()
        out: dict[str, ArxivRecord] = {}
        try:
            with _open_text_stream(self.path, self.gzip) as handle:
                for offset, length, ident in where:
                    handle.seek(offset)
                    line = handle.read(length)
                    try:
                        record = record_from_json(json.loads(line), fetched_at)
                    except (ValueError, KeyError, TypeError):
                        continue
                    if record is not None:
                        out[ident] = record
        except OSError as exc:
            raise SnapshotError(f"{self.path}: cannot read: {exc.strerror or exc}") from None
        return out


def _sqlite_error() -> type[Exception]:
    import sqlite3

    return sqlite3.Error


def _created(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _version(item: Any) -> int | None:
    if isinstance(item, dict):
        text = str(item.get("version", ""))
        if text[:1] in "vV" and text[1:].isdigit():
            return int(text[1:])
    return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = fold(str(value))
    return text or None


def _authors(data: dict[str, Any]) -> tuple[Author, ...]:
    parsed = data.get("authors_parsed")
    out: list[Author] = []
    if isinstance(parsed, list) and parsed:
        for item in parsed:
            if isinstance(item, list):
                author = from_parsed([str(x) if x is not None else "" for x in item])
                if author is not None:
                    out.append(author)
        return tuple(out)
    raw = data.get("authors")
    if isinstance(raw, str):
        for name in _AND.split(raw):
            author = split_name(name)
            if author is not None:
                out.append(author)
    return tuple(out)


def record_from_json(data: Any, fetched_at: str | None = None) -> ArxivRecord | None:
    """One snapshot line (parsed JSON) as an :class:`ArxivRecord`; ``None`` if it has no id."""
    from .atom import paragraphs

    if not isinstance(data, dict) or not data.get("id"):
        return None
    versions = data.get("versions") if isinstance(data.get("versions"), list) else []
    numbered = [(v, item) for item in versions if (v := _version(item)) is not None]
    numbered.sort(key=lambda pair: pair[0])
    first = next((item for v, item in numbered if v == 1), numbered[0][1] if numbered else None)
    last = numbered[-1][1] if numbered else None
    categories = tuple(str(data.get("categories") or "").split())
    return ArxivRecord(
        arxiv_id=str(data["id"]).strip(),
        version=numbered[-1][0] if numbered else 1,
        title=fold(str(data.get("title") or "")),
        abstract=paragraphs(str(data.get("abstract") or "")),
        authors=_authors(data),
        published=_created(first.get("created")) if isinstance(first, dict) else None,
        updated=_created(last.get("created")) if isinstance(last, dict) else None,
        categories=categories,
        comment=_text(data.get("comments")),
        journal_ref=_text(data.get("journal-ref")),
        doi=_text(data.get("doi")),
        license=_text(data.get("license")),
        source="snapshot",
        fetched_at=fetched_at,
    )
