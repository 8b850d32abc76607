"""The metadata cache: one SQLite file shared safely by concurrent digestconv processes.

Location: ``--cache-dir DIR``, else ``DIGESTCONV_CACHE_DIR``, else the
``cache-dir`` config key, else ``platformdirs.user_cache_dir("digestconv")``;
the file is ``arxiv-v1.sqlite`` there.

* WAL journal (falling back to the default journal where WAL is unsupported,
  e.g. network file systems), a 10 s busy timeout, ``BEGIN IMMEDIATE`` for
  every write and one commit per batch, so a reader never sees half a batch
  and a rerun resumes where a failed run stopped;
* ``user_version`` holds the schema version; a file of another version, or a
  corrupt file, is moved aside (``*.corrupt-N``) and a new one is built;
* records are fresh for ``max_age`` (30 days by default: journal references
  and DOIs change without new versions), confirmed misses for one day; stale
  records are still returned, marked stale, for when a refresh fails;
* an unwritable location falls back to an in-memory database, with a warning.

The ``rate`` table holds the shared request ticket of
:mod:`digestconv.enrich.politeness`.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .record import ArxivRecord

FILE_NAME = "arxiv-v1.sqlite"
LOCK_NAME = "arxiv-v1.lock"
SCHEMA_VERSION = 1
DAY = 86400.0
DEFAULT_MAX_AGE = 30 * DAY
DEFAULT_MISS_AGE = 1 * DAY
BUSY_TIMEOUT_MS = 10_000

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS records ("
    " key TEXT PRIMARY KEY, json TEXT NOT NULL, source TEXT NOT NULL, fetched_at REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS misses (key TEXT PRIMARY KEY, checked_at REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS rate ("
    " id INTEGER PRIMARY KEY CHECK (id = 1), next_at REAL NOT NULL, cooldown_until REAL NOT NULL)",
    "INSERT OR IGNORE INTO rate VALUES (1, 0, 0)",
)


def default_dir(env: Mapping[str, str] | None = None) -> Path:
    """``DIGESTCONV_CACHE_DIR`` or the platform's user cache folder for digestconv."""
    env = os.environ if env is None else env
    explicit = env.get("DIGESTCONV_CACHE_DIR", "").strip()
    if explicit:
        return Path(explicit).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("digestconv"))


@dataclass(frozen=True)
class Cached:
    """A cached record and whether it is still fresh."""

    record: ArxivRecord
    fetched_at: float
    fresh: bool


@dataclass(frozen=True)
class CacheInfo:
    """What ``digestconv cache info`` prints."""

    path: str
    records: int
    misses: int
    size: int
    journal: str
    in_memory: bool


class Cache:
    """The SQLite record store.  Use as a context manager or call :meth:`close`."""

    def __init__(self, folder: Path | None, *, memory: bool = False) -> None:
        import sqlite3

        self.warnings: list[str] = []
        self.folder = folder
        self.path: Path | None = None if (memory or folder is None) else folder / FILE_NAME
        self.journal = "memory"
        self._db: sqlite3.Connection | None = None
        if self.path is not None:
            try:
                self._db = self._open_file(self.path)
            except (OSError, sqlite3.Error) as exc:
                self.warnings.append(
                    f"cache {self.path} is not writable ({_reason(exc)}): using a "
                    "cache in memory for this run"
                )
                self.path = None
        if self._db is None:
            self._db = self._connect(":memory:")
            self._create(self._db)

    # -- opening ---------------------------------------------------------------------------
    @staticmethod
    def _connect(target: str) -> Any:
        import sqlite3

        db = sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return db

    def _open_file(self, path: Path) -> Any:
        import sqlite3

        path.parent.mkdir(parents=True, exist_ok=True)
        for attempt in range(3):
            db = self._connect(str(path))
            try:
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if version not in (0, SCHEMA_VERSION):
                    raise _Incompatible(f"schema version {version}")
                mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                self.journal = str(mode).lower()
                self._create(db)
                db.execute("SELECT count(*) FROM records").fetchone()
                # a write proves the file is writable
                db.execute("BEGIN IMMEDIATE")
                db.execute("UPDATE rate SET next_at = next_at WHERE id = 1")
                db.execute("COMMIT")
                return db
            except (sqlite3.DatabaseError, _Incompatible) as exc:
                db.close()
                if isinstance(exc, sqlite3.OperationalError) and not _corrupt(exc):
                    raise
                if attempt == 2:
                    raise
                moved = _move_aside(path)
                self.warnings.append(
                    f"cache {path} was unreadable ({_reason(exc)}): moved to {moved.name}, "
                    "starting a new cache"
                )
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _create(db: Any) -> None:
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in _SCHEMA:
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    @property
    def in_memory(self) -> bool:
        """Whether this cache lives in memory only (nothing is kept after the run)."""
        return self.path is None

    @property
    def lock_path(self) -> Path | None:
        """The OS lock file that makes requests single-connection across processes."""
        return None if self.path is None else self.path.with_name(LOCK_NAME)

    def close(self) -> None:
        """Close the database."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[Any]:
        db = self._db
        assert db is not None
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    # -- records -----------------------------------------------------------------------------
    def get(
        self, keys: Iterable[str], now: float, max_age: float = DEFAULT_MAX_AGE
    ) -> dict[str, Cached]:
        """The cached records of ``keys`` (fresh or stale); unreadable rows are skipped."""
        import sqlite3

        db = self._db
        assert db is not None
        out: dict[str, Cached] = {}
        keys = list(dict.fromkeys(keys))
        for chunk in _chunks(keys, 500):
            marks = ",".join("?" * len(chunk))
            try:
                rows = db.execute(
                    f"SELECT key, json, fetched_at FROM records WHERE key IN ({marks})", chunk
                ).fetchall()
            except sqlite3.Error as exc:
                self.warnings.append(f"cache read failed ({_reason(exc)}): ignoring the cache")
                return out
            for key, text, fetched in rows:
                try:
                    record = ArxivRecord.from_json(json.loads(text))
                except (ValueError, KeyError, TypeError):
                    continue
                out[key] = Cached(record, float(fetched), now - float(fetched) <= max_age)
        return out

    def misses(
        self, keys: Iterable[str], now: float, max_age: float = DEFAULT_MISS_AGE
    ) -> set[str]:
        """The ``keys`` arXiv confirmed it does not have, checked within ``max_age``."""
        import sqlite3

        db = self._db
        assert db is not None
        out: set[str] = set()
        for chunk in _chunks(list(dict.fromkeys(keys)), 500):
            marks = ",".join("?" * len(chunk))
            try:
                rows = db.execute(
                    f"SELECT key, checked_at FROM misses WHERE key IN ({marks})", chunk
                ).fetchall()
            except sqlite3.Error:
                return out
            out.update(key for key, checked in rows if now - float(checked) <= max_age)
        return out

    def put(
        self,
        records: Mapping[str, ArxivRecord],
        misses: Iterable[str] = (),
        now: float = 0.0,
    ) -> None:
        """Store one batch in one transaction: records (replacing older ones) and misses."""
        import sqlite3

        rows = [
            (key, json.dumps(r.to_json(), ensure_ascii=False, sort_keys=True), r.source, now)
            for key, r in records.items()
        ]
        gone = [(key, now) for key in misses]
        try:
            with self._write() as db:
                db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?)", rows)
                db.executemany("DELETE FROM misses WHERE key = ?", [(k,) for k, *_ in rows])
                db.executemany("INSERT OR REPLACE INTO misses VALUES (?, ?)", gone)
        except sqlite3.Error as exc:
            self.warnings.append(f"cache write failed ({_reason(exc)}): results not kept")

    # -- the shared request ticket ----------------------------------------------------------
    def reserve(self, now: float, spacing: float) -> float:
        """Take the next request slot (see :mod:`digestconv.enrich.politeness`)."""
        from .politeness import ticket

        with self._write() as db:
            next_at, cooldown = db.execute(
                "SELECT next_at, cooldown_until FROM rate WHERE id = 1"
            ).fetchone()
            slot = ticket(now, float(next_at), float(cooldown))
            db.execute("UPDATE rate SET next_at = ? WHERE id = 1", (slot + spacing,))
        return slot

    def finish(self, end: float, spacing: float) -> None:
        """Record the end of a request: ``next_at >= end + spacing``."""
        with self._write() as db:
            db.execute("UPDATE rate SET next_at = max(next_at, ?) WHERE id = 1", (end + spacing,))

    def cool_down(self, until: float) -> None:
        """No request from any process before ``until``."""
        with self._write() as db:
            db.execute(
                "UPDATE rate SET cooldown_until = max(cooldown_until, ?) WHERE id = 1", (until,)
            )

    # -- maintenance ---------------------------------------------------------------------------
    def info(self) -> CacheInfo:
        """Where the cache is, how many records and misses, and its size on disk."""
        db = self._db
        assert db is not None
        records = db.execute("SELECT count(*) FROM records").fetchone()[0]
        misses = db.execute("SELECT count(*) FROM misses").fetchone()[0]
        size = 0
        if self.path is not None:
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    size += os.path.getsize(str(self.path) + suffix)
        return CacheInfo(
            str(self.path or ":memory:"), records, misses, size, self.journal, self.in_memory
        )

    def clear(self) -> int:
        """Delete every record and miss; return how many records were deleted."""
        with self._write() as db:
            count = db.execute("SELECT count(*) FROM records").fetchone()[0]
            db.execute("DELETE FROM records")
            db.execute("DELETE FROM misses")
            db.execute("UPDATE rate SET next_at = 0, cooldown_until = 0")
        with contextlib.suppress(Exception):
            assert self._db is not None
            self._db.execute("VACUUM")
        return int(count)

    def export(self, stream: IO[str]) -> int:
        """Write every record as JSON Lines sorted by identifier; return the count."""
        db = self._db
        assert db is not None
        count = 0
        for _key, text in db.execute("SELECT key, json FROM records ORDER BY key"):
            data = json.loads(text)
            stream.write(json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
        return count

    def import_(self, stream: IO[str], now: float) -> int:
        """Read JSON Lines written by :meth:`export` in one transaction; return the count.

        Raises ``ValueError`` naming the line of a malformed record (nothing is stored then).
        """
        return self.store(read_export(stream, now))

    def store(self, records: Mapping[str, tuple[ArxivRecord, float]]) -> int:
        """Store records read by :func:`read_export` in one transaction; return the count."""
        with self._write() as db:
            db.executemany(
                "INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?)",
                [
                    (k, json.dumps(r.to_json(), ensure_ascii=False, sort_keys=True), r.source, t)
                    for k, (r, t) in records.items()
                ],
            )
        return len(records)


def read_export(stream: IO[str], now: float) -> dict[str, tuple[ArxivRecord, float]]:
    """The records of a :meth:`Cache.export` file by key, with their fetch times.

    Raises ``ValueError`` naming the first malformed line and what is wrong with it.
    """
    import datetime as dt

    from .atom import match_key

    records: dict[str, tuple[ArxivRecord, float]] = {}
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        record = _imported(line, number)
        fetched = now
        if record.fetched_at:
            with contextlib.suppress(ValueError):
                stamp = dt.datetime.fromisoformat(record.fetched_at.replace("Z", "+00:00"))
                fetched = min(now, stamp.timestamp())
        records[match_key(record.arxiv_id)] = (record, fetched)
    return records


class _Incompatible(Exception):
    pass


def _imported(line: str, number: int) -> ArxivRecord:
    """The record on line ``number`` of an export; ``ValueError`` saying plainly what is wrong."""
    what = "not a metadata record written by 'digestconv cache export'"
    try:
        data = json.loads(line)
    except ValueError as exc:
        where = f" at column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise ValueError(f"line {number}: not JSON{where}: {what}") from None
    if not isinstance(data, dict):
        raise ValueError(f"line {number}: a JSON {type(data).__name__}, {what}")
    try:
        return ArxivRecord.from_json(data)
    except KeyError as exc:
        raise ValueError(f"line {number}: {what}: it has no '{exc.args[0]}' field") from None
    except (ValueError, TypeError) as exc:
        raise ValueError(f"line {number}: {what}: {exc}") from None


def _corrupt(exc: Exception) -> bool:
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text or "corrupt" in text


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc) or type(exc).__name__


def _move_aside(path: Path) -> Path:
    n = 1
    while True:
        target = path.with_name(f"{path.name}.corrupt-{n}")
        if not target.exists():
            break
        n += 1
    with contextlib.suppress(FileNotFoundError):  # another process moved it first
        os.replace(path, target)
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(OSError):
            os.replace(str(path) + suffix, str(target) + suffix)
    return target


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
