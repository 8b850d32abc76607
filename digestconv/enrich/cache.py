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
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any, TypeVar

from .atom import match_key
from .maintenance import CacheError as CacheError  # re-exported: part of this module's API
from .maintenance import CacheInfo as CacheInfo
from .maintenance import (
    Maintenance,
    _corrupt,
    _dumps,
    _Incompatible,
    _move_aside,
    _reason,
    _stored,
    _transaction,
)
from .maintenance import read_export as read_export
from .record import ArxivRecord, RecordError, validate

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


class Cache(Maintenance):
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
        attempt = busy_tries = 0
        waited = 0.0
        while True:
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
                if isinstance(exc, sqlite3.OperationalError) and _busy(exc) and waited < 10.0:
                    # another process is making the same new file (switching it to WAL takes
                    # a lock SQLite will not wait for): wait and open it again, or that run
                    # would pace its requests on its own, not with the others
                    import time

                    pause = min(0.05 * 2**busy_tries, 1.0)
                    time.sleep(pause)
                    waited += pause
                    busy_tries += 1
                    continue
                if isinstance(exc, sqlite3.OperationalError) and not _corrupt(exc):
                    raise
                if attempt == 2:
                    raise
                attempt += 1
                moved = _move_aside(path)
                self.warnings.append(
                    f"cache {path} was unreadable ({_reason(exc)}): moved to {moved.name}, "
                    "starting a new cache"
                )

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
        except sqlite3.DatabaseError:
            if not self._repair():
                raise
        assert self._db is not None
        return query(self._db)

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

        try:
            rows = self._read(
                lambda db: _select_in(db, "SELECT key, json, fetched_at FROM records", keys)
            )
        except sqlite3.Error as exc:
            self._warn_once("read", f"cache read failed ({_reason(exc)}): ignoring the cache")
            return out
        for key, text, fetched in rows:
            found = _stored(key, text, fetched)
            if found is None:
                bad.append(key)
                continue
            record, stamp = found
            out[key] = Cached(record, stamp, now - stamp <= max_age)
        if bad:
            self._drop(bad)
        return out

    def _drop(self, keys: list[str]) -> None:
        import sqlite3

        dropped = "dropped"
        try:
            with self._write() as db:  # refuses a read-only file
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

        try:
            rows = self._read(lambda db: _select_in(db, "SELECT key, checked_at FROM misses", keys))
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

        kept: list[str] = []

        def valid_rows() -> Iterator[tuple[str, str, str, float]]:
            # each record is checked and serialised as SQLite takes its row: a batch of a
            # whole history's records never has all its checked copies or JSON texts in memory
            for key, r in records.items():
                try:
                    record = validate(r)
                except RecordError:
                    continue
                if match_key(record.arxiv_id) == key:
                    kept.append(key)
                    yield (key, _dumps(record), record.source, now)

        rows = valid_rows()
        first = next(rows, None)
        gone = [(key, now) for key in misses]
        if first is None and not gone:
            return
        if self.readonly:
            return  # said when the cache was opened
        try:
            with self._write() as db:
                if first is not None:
                    db.executemany(
                        "INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?)", chain((first,), rows)
                    )
                db.executemany("DELETE FROM misses WHERE key = ?", [(k,) for k in kept])
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


_T = TypeVar("_T")


def _select_in(db: Any, select: str, keys: list[str]) -> list[tuple[Any, ...]]:
    """The rows of ``select`` whose ``key`` is one of ``keys`` (500 bound keys per query)."""
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows.extend(db.execute(f"{select} WHERE key IN ({marks})", chunk).fetchall())
    return rows


def _busy(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text
