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
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

from .atom import match_key
from .record import ArxivRecord, RecordError, load_json, validate

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


class CacheError(Exception):
    """The cache could not do what was asked (the message gives the real cause)."""


class Cache:
    """The SQLite record store.  Use as a context manager or call :meth:`close`.

    Nothing here raises for a damaged or unwritable file during a lookup:

    * a file that cannot be written is still read (``readonly``), and new
      results are not kept;
    * a read that fails runs ``PRAGMA quick_check``; a damaged file has its
      readable records salvaged, is moved aside (``*.corrupt-N``) and rebuilt
      with them;
    * a write or commit that fails (disk full, I/O error, size limit) leaves the
      cache as it was: "results not kept";
    * when the shared request ticket cannot be written, requests are paced
      within this process only.

    Each of these adds one line to :attr:`warnings`.
    """

    def __init__(self, folder: Path | None, *, memory: bool = False) -> None:
        import sqlite3

        self.warnings: list[str] = []
        self.folder = folder
        self.path: Path | None = None if (memory or folder is None) else folder / FILE_NAME
        self.journal = "memory"
        self.readonly = False
        self._db: sqlite3.Connection | None = None
        self._pace: Any = None  # a MemoryPace once the shared ticket cannot be written
        self._said: set[str] = set()
        if self.path is not None:
            try:
                self._db = self._open_file(self.path)
            except (OSError, sqlite3.Error) as exc:
                self._db = self._open_readonly(self.path)
                if self._db is not None:
                    self.readonly = True
                    self.warnings.append(
                        f"cache {self.path} cannot be written ({_reason(exc)}): its records "
                        "are used, new results are not kept"
                    )
                else:
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
    def _connect(target: str, uri: bool = False) -> Any:
        import sqlite3

        db = sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, uri=uri)
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
                with _transaction(db):
                    db.execute("UPDATE rate SET next_at = next_at WHERE id = 1")
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

    def _open_readonly(self, path: Path) -> Any:
        """The file opened for reading only, or ``None`` when it cannot even be read."""
        import sqlite3

        if not path.is_file():
            return None
        for query in ("mode=ro", "immutable=1"):
            try:
                db = self._connect(f"{path.resolve().as_uri()}?{query}", uri=True)
            except sqlite3.Error:
                continue
            try:
                version = db.execute("PRAGMA user_version").fetchone()[0]
                db.execute("SELECT count(*) FROM records").fetchone()
                db.execute("SELECT count(*) FROM misses").fetchone()
                self.journal = str(db.execute("PRAGMA journal_mode").fetchone()[0]).lower()
            except sqlite3.Error:
                db.close()
                continue
            if version == SCHEMA_VERSION:
                return db
            db.close()
            return None
        return None

    @staticmethod
    def _create(db: Any) -> None:
        with _transaction(db):
            for statement in _SCHEMA:
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

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
            with contextlib.suppress(Exception):
                self._db.close()
            self._db = None

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _warn_once(self, key: str, message: str) -> None:
        if key not in self._said:
            self._said.add(key)
            self.warnings.append(message)

    @contextlib.contextmanager
    def _write(self) -> Iterator[Any]:
        import sqlite3

        db = self._db
        assert db is not None
        if self.readonly:
            raise sqlite3.OperationalError("attempt to write a readonly database")
        with _transaction(db):
            yield db

    # -- damage -----------------------------------------------------------------------------
    def _read(self, query: Callable[[Any], _T]) -> _T:
        """Run a read; if it fails on a damaged file, repair the file and run it once more."""
        import sqlite3

        db = self._db
        assert db is not None
        try:
            return query(db)
        except sqlite3.DatabaseError as exc:
            if not self._repair(exc):
                raise
        assert self._db is not None
        return query(self._db)

    def check(self) -> str:
        """``PRAGMA quick_check``: ``"ok"`` or what is wrong (one line)."""
        import sqlite3

        db = self._db
        assert db is not None
        try:
            rows = db.execute("PRAGMA quick_check").fetchall()
        except sqlite3.DatabaseError as exc:
            return _reason(exc)
        problems = [str(r[0]) for r in rows]
        return "ok" if problems == ["ok"] else "; ".join(problems[:3])

    def _repair(self, exc: BaseException) -> bool:
        """After a failed read: if ``quick_check`` finds the file damaged, salvage its
        readable records, move it aside and rebuild it.  Return whether it was rebuilt."""
        if self.path is None:
            return False
        verdict = self.check()
        if verdict == "ok":
            return False
        salvaged = self._salvage()
        self.close()
        path = self.path
        if self.readonly:
            self.warnings.append(
                f"cache {path} is damaged ({verdict}) and cannot be written: not used"
            )
            self.path = None
            self.readonly = False
            self._db = self._connect(":memory:")
            self._create(self._db)
            self._store_rows(salvaged)
            return True
        moved = _move_aside(path)
        try:
            self._db = self._open_file(path)
        except Exception as err:  # whatever it is, the run goes on in memory
            self.path = None
            self._db = self._connect(":memory:")
            self._create(self._db)
            self.warnings.append(
                f"cache {path} was damaged ({verdict}): moved to {moved.name}; a new one "
                f"cannot be made ({_reason(err)}): using a cache in memory for this run"
            )
            self._store_rows(salvaged)
            return True
        kept = self._store_rows(salvaged)
        self.warnings.append(
            f"cache {path} was damaged ({verdict}): moved to {moved.name} and rebuilt with "
            f"the {kept} record{'s' * (kept != 1)} that could be read"
        )
        return True

    def _salvage(self) -> list[tuple[str, str, str, float]]:
        """Every record row that can still be read and validated, skipping damaged pages."""
        import sqlite3

        db = self._db
        assert db is not None
        columns = "key, json, source, fetched_at"
        try:
            top = db.execute("SELECT max(rowid) FROM records").fetchone()[0] or 0
        except sqlite3.DatabaseError:
            top = 0
        rows: list[tuple[Any, ...]] = []
        step = 256
        for low in range(1, int(top) + 1, step):
            try:
                rows.extend(
                    db.execute(
                        f"SELECT {columns} FROM records WHERE rowid BETWEEN ? AND ?",
                        (low, low + step - 1),
                    ).fetchall()
                )
                continue
            except sqlite3.DatabaseError:
                pass
            for rowid in range(low, low + step):  # one row at a time around the damage
                with contextlib.suppress(sqlite3.DatabaseError):
                    rows.extend(
                        db.execute(
                            f"SELECT {columns} FROM records WHERE rowid = ?", (rowid,)
                        ).fetchall()
                    )
        out: list[tuple[str, str, str, float]] = []
        for key, text, _source, fetched in rows:
            try:
                record = validate(load_json(text))
                stamp = float(fetched)
            except (RecordError, TypeError, ValueError):
                continue
            if not isinstance(key, str) or match_key(record.arxiv_id) != key:
                continue
            out.append((key, _dumps(record), record.source, stamp))
        return out

    def _store_rows(self, rows: list[tuple[str, str, str, float]]) -> int:
        import sqlite3

        if not rows:
            return 0
        try:
            with self._write() as db:
                db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?)", rows)
        except sqlite3.Error as exc:
            self.warnings.append(f"cache write failed ({_reason(exc)}): records not kept")
            return 0
        return len(rows)

    # -- records -----------------------------------------------------------------------------
    def get(
        self, keys: Iterable[str], now: float, max_age: float = DEFAULT_MAX_AGE
    ) -> dict[str, Cached]:
        """The cached records of ``keys`` (fresh or stale).

        Every row is validated as it is read; a row that fails is left out and
        deleted (when the file can be written), so it cannot come back.
        """
        import sqlite3

        keys = list(dict.fromkeys(keys))
        out: dict[str, Cached] = {}
        bad: list[str] = []

        def query(db: Any) -> list[tuple[Any, ...]]:
            rows: list[tuple[Any, ...]] = []
            for chunk in _chunks(keys, 500):
                marks = ",".join("?" * len(chunk))
                rows.extend(
                    db.execute(
                        f"SELECT key, json, fetched_at FROM records WHERE key IN ({marks})",
                        chunk,
                    ).fetchall()
                )
            return rows

        try:
            rows = self._read(query)
        except sqlite3.Error as exc:
            self._warn_once("read", f"cache read failed ({_reason(exc)}): ignoring the cache")
            return out
        for key, text, fetched in rows:
            try:
                record = validate(load_json(text))
                stamp = float(fetched)
            except (RecordError, TypeError, ValueError):
                bad.append(key)
                continue
            if match_key(record.arxiv_id) != key:
                bad.append(key)
                continue
            out[key] = Cached(record, stamp, now - stamp <= max_age)
        if bad:
            self._drop(bad)
        return out

    def _drop(self, keys: list[str]) -> None:
        import sqlite3

        dropped = "dropped" if not self.readonly else "ignored"
        try:
            if not self.readonly:
                with self._write() as db:
                    db.executemany("DELETE FROM records WHERE key = ?", [(k,) for k in keys])
        except sqlite3.Error:
            dropped = "ignored"
        shown = ", ".join(keys[:3]) + (", ..." if len(keys) > 3 else "")
        self.warnings.append(
            f"cache: {dropped} {len(keys)} invalid record{'s' * (len(keys) != 1)} ({shown})"
        )

    def misses(
        self, keys: Iterable[str], now: float, max_age: float = DEFAULT_MISS_AGE
    ) -> set[str]:
        """The ``keys`` arXiv confirmed it does not have, checked within ``max_age``."""
        import sqlite3

        keys = list(dict.fromkeys(keys))

        def query(db: Any) -> list[tuple[Any, ...]]:
            rows: list[tuple[Any, ...]] = []
            for chunk in _chunks(keys, 500):
                marks = ",".join("?" * len(chunk))
                rows.extend(
                    db.execute(
                        f"SELECT key, checked_at FROM misses WHERE key IN ({marks})", chunk
                    ).fetchall()
                )
            return rows

        try:
            rows = self._read(query)
        except sqlite3.Error:
            return set()
        out: set[str] = set()
        for key, checked in rows:
            with contextlib.suppress(TypeError, ValueError):
                if now - float(checked) <= max_age:
                    out.add(key)
        return out

    def put(
        self,
        records: Mapping[str, ArxivRecord],
        misses: Iterable[str] = (),
        now: float = 0.0,
    ) -> None:
        """Store one batch in one transaction: records (replacing older ones) and misses.

        Only records that pass validation and are stored under their own key are
        kept.  A failed write (read-only file, disk full, I/O error, a failed
        commit) keeps nothing and adds a warning; it never raises.
        """
        import sqlite3

        rows = []
        for key, r in records.items():
            try:
                record = validate(r)
            except RecordError:
                continue
            if match_key(record.arxiv_id) == key:
                rows.append((key, _dumps(record), record.source, now))
        gone = [(key, now) for key in misses]
        if not rows and not gone:
            return
        if self.readonly:
            return  # said when the cache was opened
        try:
            with self._write() as db:
                db.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?)", rows)
                db.executemany("DELETE FROM misses WHERE key = ?", [(k,) for k, *_ in rows])
                db.executemany("INSERT OR REPLACE INTO misses VALUES (?, ?)", gone)
        except sqlite3.Error as exc:
            self._warn_once("write", f"cache write failed ({_reason(exc)}): results not kept")

    # -- the shared request ticket ----------------------------------------------------------
    def _memory_pace(self, exc: BaseException) -> Any:
        from .politeness import MemoryPace

        if self._pace is None:
            self._pace = MemoryPace()
            self.warnings.append(
                f"cache {self.path or ':memory:'}: the shared request pacing cannot be "
                f"written ({_reason(exc)}): requests are paced within this process only"
            )
        return self._pace

    def reserve(self, now: float, spacing: float) -> float:
        """Take the next request slot (see :mod:`digestconv.enrich.politeness`)."""
        import sqlite3

        from .politeness import ticket

        if self._pace is None:
            try:
                with self._write() as db:
                    next_at, cooldown = db.execute(
                        "SELECT next_at, cooldown_until FROM rate WHERE id = 1"
                    ).fetchone()
                    slot = ticket(now, float(next_at), float(cooldown))
                    db.execute("UPDATE rate SET next_at = ? WHERE id = 1", (slot + spacing,))
                return slot
            except sqlite3.Error as exc:
                self._memory_pace(exc)
        return float(self._pace.reserve(now, spacing))

    def finish(self, end: float, spacing: float) -> None:
        """Record the end of a request: ``next_at >= end + spacing``."""
        import sqlite3

        if self._pace is None:
            try:
                with self._write() as db:
                    db.execute(
                        "UPDATE rate SET next_at = max(next_at, ?) WHERE id = 1", (end + spacing,)
                    )
                return
            except sqlite3.Error as exc:
                self._memory_pace(exc)
        self._pace.finish(end, spacing)

    def cool_down(self, until: float) -> None:
        """No request from any process before ``until``."""
        import sqlite3

        if self._pace is None:
            try:
                with self._write() as db:
                    db.execute(
                        "UPDATE rate SET cooldown_until = max(cooldown_until, ?) WHERE id = 1",
                        (until,),
                    )
                return
            except sqlite3.Error as exc:
                self._memory_pace(exc)
        self._pace.cool_down(until)

    # -- maintenance ---------------------------------------------------------------------------
    def info(self, *, check: bool = True) -> CacheInfo:
        """Where the cache is, how many records and misses, and its size on disk.

        With ``check``, ``PRAGMA quick_check`` runs first, and a damaged file is
        repaired (see the class docstring) before anything is counted, so the
        counts are never those of a damaged file.
        """
        import sqlite3

        if check and self.path is not None:
            verdict = self.check()
            if verdict != "ok":
                self._repair(sqlite3.DatabaseError(verdict))

        def count(db: Any) -> tuple[int, int]:
            records = db.execute("SELECT count(*) FROM records").fetchone()[0]
            misses = db.execute("SELECT count(*) FROM misses").fetchone()[0]
            return int(records), int(misses)

        try:
            records, misses = self._read(count)
        except sqlite3.Error as exc:
            raise CacheError(f"cannot read the cache {self.path}: {_reason(exc)}") from None
        size = 0
        if self.path is not None:
            for suffix in ("", "-wal", "-shm"):
                with contextlib.suppress(OSError):
                    size += os.path.getsize(str(self.path) + suffix)
        return CacheInfo(
            str(self.path or ":memory:"), records, misses, size, self.journal, self.in_memory
        )

    def clear(self) -> int:
        """Delete every record and miss; return how many records were deleted.

        A damaged file is moved aside and a new one started; raises
        :class:`CacheError` with the cause when the file cannot be written.
        """
        import sqlite3

        def wipe() -> int:
            with self._write() as db:
                count = db.execute("SELECT count(*) FROM records").fetchone()[0]
                db.execute("DELETE FROM records")
                db.execute("DELETE FROM misses")
                db.execute("UPDATE rate SET next_at = 0, cooldown_until = 0")
            return int(count)

        try:
            try:
                count = wipe()
            except sqlite3.DatabaseError as exc:
                if self.readonly or (not _corrupt(exc) and self.check() == "ok"):
                    raise
                self._repair(exc)
                count = wipe()
        except sqlite3.Error as exc:
            raise CacheError(f"cannot clear the cache {self.path}: {_reason(exc)}") from None
        with contextlib.suppress(Exception):
            assert self._db is not None
            self._db.execute("VACUUM")
        return count

    def export(self, stream: IO[str]) -> int:
        """Write every valid record as JSON Lines sorted by identifier; return the count.

        A damaged file is repaired first (its readable records are exported).
        """
        import sqlite3

        def rows(db: Any) -> list[tuple[Any, ...]]:
            return list(db.execute("SELECT key, json FROM records ORDER BY key").fetchall())

        try:
            found = self._read(rows)
        except sqlite3.Error as exc:
            raise CacheError(f"cannot read the cache {self.path}: {_reason(exc)}") from None
        count = 0
        for _key, text in found:
            try:
                record = validate(load_json(text))
            except RecordError:
                continue
            stream.write(_dumps(record) + "\n")
            count += 1
        return count

    def import_(self, stream: IO[str], now: float) -> int:
        """Read JSON Lines written by :meth:`export` in one transaction; return the count.

        Every line goes through :func:`~digestconv.enrich.record.validate`.
        Raises ``ValueError`` naming the line of a malformed record, and
        :class:`CacheError` with the real cause when the cache cannot store them
        (nothing is stored either way).
        """
        import datetime as dt
        import sqlite3

        records: dict[str, tuple[ArxivRecord, float]] = {}
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                record = validate(load_json(line))
            except RecordError as exc:
                raise ValueError(f"line {number}: not a metadata record ({exc})") from None
            fetched = now
            if record.fetched_at:
                with contextlib.suppress(ValueError, OverflowError):
                    stamp = dt.datetime.fromisoformat(record.fetched_at.replace("Z", "+00:00"))
                    fetched = min(now, stamp.timestamp())
            records[match_key(record.arxiv_id)] = (record, fetched)
        try:
            with self._write() as db:
                db.executemany(
                    "INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?)",
                    [(k, _dumps(r), r.source, t) for k, (r, t) in records.items()],
                )
        except sqlite3.Error as exc:
            where = self.path or ":memory:"
            raise CacheError(f"cannot store the records in {where}: {_reason(exc)}") from None
        return len(records)


_T = TypeVar("_T")


@contextlib.contextmanager
def _transaction(db: Any) -> Iterator[None]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``; on any failure, commit included, roll back
    if a transaction is still open and re-raise the *original* error."""
    import sqlite3

    db.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
        raise


def _dumps(record: ArxivRecord) -> str:
    return json.dumps(record.to_json(), ensure_ascii=False, sort_keys=True)


class _Incompatible(Exception):
    pass


def _corrupt(exc: BaseException) -> bool:
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
