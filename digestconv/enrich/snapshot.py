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
import hashlib
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import IO, Any

from ..arxiv import parse_version
from .names import fold, from_parsed, split_name
from .record import ArxivRecord, RecordError, load_json, utc_stamp, validate

INDEX_SUFFIX = ".dcindex"
INDEX_FORMAT = 2
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
        data = load_json(line)
    except RecordError:
        return None
    value = data.get("id") if isinstance(data, dict) else None
    return str(value) if value else None


class Snapshot:
    """A snapshot file and its index.

    ``index_dir`` is where the index goes when the snapshot's folder is not
    writable (the cache folder); when neither can hold it, the index is built in
    memory for the run.  ``progress`` is called with the bytes read so far while
    the index is built.

    A damaged file (a truncated or corrupt gzip stream, a read error) is indexed
    up to the damage: :attr:`damage` says what and where, and the records before
    it are used.  :attr:`notes` collects what a run should warn about (damage,
    an index kept in memory, lines that failed validation).
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
        #: what is wrong with the file, if it could not be read to its end
        self.damage: str | None = None
        #: warnings for the run (damage, an index in memory, invalid lines)
        self.notes: list[str] = []
        #: lines that failed validation in the last lookup: identifier -> reason
        self.invalid: dict[str, str] = {}

    # -- index -----------------------------------------------------------------------------
    def _candidates(self) -> list[Path]:
        beside = self.path.with_name(self.path.name + INDEX_SUFFIX)
        out = [beside]
        if self.index_dir is not None:
            digest = hashlib.sha256(str(self.path.resolve()).encode()).hexdigest()[:16]
            out.append(self.index_dir / f"snapshot-{digest}{INDEX_SUFFIX}")
        return out

    def open(self) -> None:
        """Open a current index, or build one (streaming the snapshot once).

        Raises :class:`SnapshotError` when the file cannot be read at all or
        holds no record.
        """
        if self._index is not None:
            return
        if self.path.is_dir():
            raise SnapshotError(f"{self.path} is a folder, not a snapshot file")
        try:
            current = fingerprint(self.path)
            self.gzip = is_gzip(self.path)
        except OSError as exc:
            raise SnapshotError(f"{self.path}: cannot read: {exc.strerror or exc}") from None
        db = None
        for candidate in self._candidates():
            db = self._try_existing(candidate, current)
            if db is not None:
                self.index_path = candidate
                break
        if db is None:
            db = self._build_somewhere(current)
        self._index = db
        self._check()

    def _build_somewhere(self, current: Fingerprint) -> Any:
        errors: list[str] = []
        for candidate in self._candidates():
            try:
                db = self._build(candidate, current)
            except OSError as exc:
                errors.append(f"{candidate}: {exc.strerror or exc}")
            except _sqlite_error() as exc:
                errors.append(f"{candidate}: {exc}")
            else:
                self.index_path = candidate
                self.rebuilt = True
                return db
        self.notes.append(
            f"snapshot {self.path}: no folder can keep its index ({'; '.join(errors)}): "
            "indexed in memory for this run"
        )
        self.rebuilt = True
        return self._build(None, current)

    def _check(self) -> None:
        row = self._index.execute("SELECT damage FROM meta").fetchone()
        self.damage = row[0] if row else None
        if self.damage:
            count = len(self)
            self.notes.append(
                f"snapshot {self.path} is damaged ({self.damage}): the {count} "
                f"record{'s' * (count != 1)} before the damage are used"
            )
        # an emptiness probe, not a count: counting walks the whole index on every open
        if self._index.execute("SELECT 1 FROM lines LIMIT 1").fetchone() is None:
            self.close()
            raise SnapshotError(
                f"{self.path} holds no arXiv metadata record"
                + (f" ({self.damage})" if self.damage else "")
                + ": not arxiv-metadata-oai-snapshot.json (JSON Lines, plain or gzip)?"
            )

    @staticmethod
    def _try_existing(candidate: Path, current: Fingerprint) -> Any:
        import sqlite3

        if not candidate.is_file():
            return None
        try:
            db = sqlite3.connect(f"file:{candidate}?mode=ro", uri=True)
        except sqlite3.Error:
            return None
        try:
            row = db.execute("SELECT format, size, mtime_ns, head FROM meta").fetchone()
        except sqlite3.Error:
            db.close()
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

    def _scan(self, db: Any) -> str | None:
        """Index every line into ``db``; return what stopped the scan early, if anything."""
        import zlib

        rows: list[tuple[str, int, int]] = []
        read = 0
        damage: str | None = None
        last: tuple[str, int, int] | None = None
        try:
            for offset, line in iter_lines(self.path):
                read = offset + len(line)
                ident = _line_id(line)
                if ident is None:
                    continue
                last = (ident, offset, len(line))
                rows.append(last)
                if len(rows) >= 50_000:
                    db.executemany("INSERT OR IGNORE INTO lines VALUES (?, ?, ?)", rows)
                    rows.clear()
                    if self.progress is not None:
                        self.progress(read)
        except EOFError:
            damage = f"the gzip stream ends early, after {read} bytes"
        except (zlib.error, OSError) as exc:
            why = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            damage = f"unreadable after {read} bytes: {why}"
        if damage is not None and last is not None and rows and rows[-1] == last:
            rows.pop()  # the line cut by the damage is incomplete
        db.executemany("INSERT OR IGNORE INTO lines VALUES (?, ?, ?)", rows)
        return damage

    def _build(self, candidate: Path | None, current: Fingerprint) -> Any:
        """Build the index at ``candidate`` (``None``: in memory) and open it."""
        import sqlite3

        if candidate is None:
            db = sqlite3.connect(":memory:", isolation_level=None)
            tmp = None
        else:
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
                "CREATE TABLE meta (format INTEGER, size INTEGER, mtime_ns INTEGER, head TEXT,"
                " damage TEXT)"
            )
            db.execute(
                "CREATE TABLE lines (id TEXT PRIMARY KEY, offset INTEGER, length INTEGER)"
                " WITHOUT ROWID"
            )
            damage = self._scan(db)
            db.execute(
                "INSERT INTO meta VALUES (?, ?, ?, ?, ?)",
                (INDEX_FORMAT, current.size, current.mtime_ns, current.head, damage),
            )
            db.execute("COMMIT")
            if tmp is None or candidate is None:
                return db
            db.close()
            os.replace(tmp, candidate)
        except BaseException:
            db.close()
            if tmp is not None:
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
        """Records for the ``keys`` the snapshot holds (absent keys are left out).

        A line that fails validation is left out too, and listed in
        :attr:`invalid` with the reason.
        """
        import zlib

        self.open()
        self.invalid = {}
        keys = list(dict.fromkeys(keys))
        where: list[tuple[int, int, str]] = []
        try:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for ident, offset, length in self._index.execute(
                    f"SELECT id, offset, length FROM lines WHERE id IN ({marks})", chunk
                ):
                    where.append((int(offset), int(length), str(ident)))
        except _sqlite_error() as exc:
            raise SnapshotError(
                f"the index {self.index_path or '(in memory)'} of {self.path} cannot be read "
                f"({exc}): delete it and it is rebuilt"
            ) from None
        where.sort()
        out: dict[str, ArxivRecord] = {}
        try:
            with _open_text_stream(self.path, self.gzip) as handle:
                for offset, length, ident in where:
                    handle.seek(offset)
                    line = handle.read(length)
                    try:
                        record = record_from_json(load_json(line), fetched_at)
                    except RecordError as exc:
                        self.invalid[ident] = str(exc)
                        continue
                    if record is not None:
                        out[ident] = record
        except (EOFError, zlib.error, OSError) as exc:
            why = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            raise SnapshotError(f"{self.path}: cannot read: {why}") from None
        return out


def _sqlite_error() -> type[Exception]:
    import sqlite3

    return sqlite3.Error


def _created(value: Any, field: str) -> str | None:
    """A version's ``created`` date (RFC 2822) as a UTC stamp; ``None`` when absent.

    Raises :class:`~digestconv.enrich.record.RecordError` when it is not a date
    or lies outside the years arXiv can have.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise RecordError(f"{field} is {type(value).__name__}, not a date")
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        raise RecordError(f"{field} {value[:40]!r} is not a date") from None
    if when is None:
        raise RecordError(f"{field} {value[:40]!r} is not a date")
    return utc_stamp(when, field)


def _version(item: Any) -> int | None:
    if isinstance(item, dict):
        text = item.get("version")
        if isinstance(text, str) and text[:1] in "vV" and text[1:].isascii() and text[1:].isdigit():
            return parse_version(text[1:]) or 0  # 0 (out of range) fails validation
    return None


def _text(value: Any) -> Any:
    """A text field folded; anything else is passed on for validation to refuse."""
    if isinstance(value, str):
        return fold(value) or None
    return value


def _authors(data: dict[str, Any]) -> list[Any]:
    parsed = data.get("authors_parsed")
    out: list[Any] = []
    if isinstance(parsed, list) and parsed:
        for item in parsed:
            if not isinstance(item, list) or not all(
                isinstance(x, (str, type(None))) for x in item
            ):
                raise RecordError("authors_parsed holds something other than lists of names")
            author = from_parsed([x if x is not None else "" for x in item])
            if author is not None:
                out.append(author)
        return out
    raw = data.get("authors")
    if isinstance(raw, str):
        for name in _AND.split(raw):
            author = split_name(name)
            if author is not None:
                out.append(author)
    elif raw is not None:
        raise RecordError(f"authors is {type(raw).__name__}, not text")
    return out


def record_from_json(data: Any, fetched_at: str | None = None) -> ArxivRecord | None:
    """One snapshot line (parsed JSON) as an :class:`ArxivRecord`; ``None`` if it has no id.

    The record goes through :func:`~digestconv.enrich.record.validate`: a line
    with values of the wrong type or out of range raises
    :class:`~digestconv.enrich.record.RecordError`.
    """
    from .atom import paragraphs

    if not isinstance(data, dict) or not data.get("id"):
        return None
    ident = data["id"]
    if not isinstance(ident, str):
        raise RecordError(f"id is {type(ident).__name__}, not text")
    versions = data.get("versions")
    if versions is not None and not isinstance(versions, list):
        raise RecordError("versions is not a list")
    numbered = [(v, item) for item in versions or () if (v := _version(item)) is not None]
    numbered.sort(key=lambda pair: pair[0])
    first = next((item for v, item in numbered if v == 1), numbered[0][1] if numbered else None)
    last = numbered[-1][1] if numbered else None
    categories = data.get("categories") or ""
    if not isinstance(categories, str):
        raise RecordError(f"categories is {type(categories).__name__}, not text")
    title, abstract = data.get("title") or "", data.get("abstract") or ""
    if not isinstance(title, str) or not isinstance(abstract, str):
        raise RecordError("title or abstract is not text")
    return validate(
        {
            "arxiv_id": ident.strip(),
            "version": numbered[-1][0] if numbered else 1,
            "title": fold(title),
            "abstract": paragraphs(abstract),
            "authors": _authors(data),
            "published": _created(first.get("created"), "published") if first else None,
            "updated": _created(last.get("created"), "updated") if last else None,
            "categories": categories.split(),
            "comment": _text(data.get("comments")),
            "journal_ref": _text(data.get("journal-ref")),
            "doi": _text(data.get("doi")),
            "license": _text(data.get("license")),
            "source": "snapshot",
            "fetched_at": fetched_at,
        }
    )
