"""Keeping the metadata cache whole: checks, repair, and the ``cache`` command's work.

:class:`Maintenance` is the half of :class:`~digestconv.enrich.cache.Cache`
that looks after the file rather than serving lookups: ``PRAGMA quick_check``,
moving a corrupt file aside and rebuilding it from what can still be read,
``info``, ``clear``, ``export`` and ``import``.  The helpers at the end are
shared by both halves.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .atom import match_key
from .record import ArxivRecord, RecordError, load_json, validate


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


class Maintenance:
    """Checks, repair, ``info``, ``clear``, ``export`` and ``import`` of a cache."""

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

    def _repair(self, verdict: str | None = None) -> bool:
        """After a failed read: if ``quick_check`` finds the file damaged, salvage its
        readable records, move it aside and rebuild it.  Return whether it was rebuilt.

        ``verdict`` is what :meth:`check` said, when the caller has just run it."""
        if self.path is None:
            return False
        if verdict is None:
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
            found = _stored(key, text, fetched)
            if found is not None:
                record, stamp = found
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
                self._repair(verdict)

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
                if self.readonly:
                    raise
                verdict = None if _corrupt(exc) else self.check()
                if verdict == "ok":
                    raise
                self._repair(verdict)
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
        return self.store(read_export(stream, now))

    def store(self, records: Mapping[str, tuple[ArxivRecord, float]]) -> int:
        """Store records read by :func:`read_export` in one transaction; return the count."""
        import sqlite3

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


def read_export(stream: IO[str], now: float) -> dict[str, tuple[ArxivRecord, float]]:
    """The records of a :meth:`Maintenance.export` file by key, with their fetch times.

    Every line goes through :func:`~digestconv.enrich.record.validate`; raises
    ``ValueError`` naming the first malformed line and what is wrong with it.
    """
    import datetime as dt

    records: dict[str, tuple[ArxivRecord, float]] = {}
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        record = _imported(line, number)
        fetched = now
        if record.fetched_at:
            with contextlib.suppress(ValueError, OverflowError):
                stamp = dt.datetime.fromisoformat(record.fetched_at.replace("Z", "+00:00"))
                fetched = min(now, stamp.timestamp())
        records[match_key(record.arxiv_id)] = (record, fetched)
    return records


def _imported(line: str, number: int) -> ArxivRecord:
    """The record on line ``number`` of an export; ``ValueError`` saying plainly what is wrong."""
    what = "not a metadata record written by 'digestconv cache export'"
    try:
        data = load_json(line)
    except RecordError as exc:
        raise ValueError(f"line {number}: {what}: {exc}") from None
    if not isinstance(data, dict):
        kind = {list: "list", str: "string", bool: "boolean"}.get(type(data), "value")
        raise ValueError(f"line {number}: {what}: a JSON {kind}, not an object") from None
    try:
        return validate(data)
    except RecordError as exc:
        text = str(exc)
        if text.endswith(" is missing"):
            text = f"it has no '{text.removesuffix(' is missing')}' field"
        raise ValueError(f"line {number}: {what}: {text}") from None


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


def _stored(key: Any, text: Any, fetched: Any) -> tuple[ArxivRecord, float] | None:
    """A ``records`` row's record and fetch time; ``None`` when the record fails
    :func:`~digestconv.enrich.record.validate` or is not stored under its own key."""
    try:
        record = validate(load_json(text))
        stamp = float(fetched)
    except (RecordError, TypeError, ValueError):
        return None
    if match_key(record.arxiv_id) != key:
        return None
    return record, stamp


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
