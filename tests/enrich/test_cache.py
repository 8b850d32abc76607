"""The SQLite cache: freshness, stale-if-error, corrupt and unwritable files, several processes."""

from __future__ import annotations

import dataclasses
import io
import json
import multiprocessing
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from digestconv.enrich import EnrichOptions, lookup
from digestconv.enrich.cache import DAY, FILE_NAME, Cache
from digestconv.enrich.record import ArxivRecord, Author

from ..cli.conftest import Invoke, assert_no_traceback
from ..cli.conftest import run as run
from .conftest import FakeClock, ReplayServer, status


def record(
    arxiv_id: str, title: str = "T", fetched_at: str = "2026-11-01T00:00:00Z"
) -> ArxivRecord:
    return ArxivRecord(
        arxiv_id,
        1,
        title,
        "Abstract.",
        (Author(family="Doe", given="Jane"),),
        "2024-03-01T00:00:00Z",
        "2024-03-01T00:00:00Z",
        ("cs.LG",),
        fetched_at=fetched_at,
    )


def test_put_get_and_freshness(tmp_path: Path) -> None:
    with Cache(tmp_path) as cache:
        assert cache.journal == "wal"
        cache.put({"2401.00001": record("2401.00001")}, ["2401.00002"], now=1000.0)
        got = cache.get(["2401.00001", "2401.00003"], now=1000.0 + 29 * DAY)
        assert list(got) == ["2401.00001"] and got["2401.00001"].fresh
        assert got["2401.00001"].record == record("2401.00001")
        assert not cache.get(["2401.00001"], now=1000.0 + 31 * DAY)["2401.00001"].fresh
        assert cache.misses(["2401.00002"], now=1000.0 + 0.5 * DAY) == {"2401.00002"}
        assert cache.misses(["2401.00002"], now=1000.0 + 2 * DAY) == set()
        # a record replaces a miss
        cache.put({"2401.00002": record("2401.00002")}, [], now=2000.0)
        assert cache.misses(["2401.00002"], now=2000.0) == set()
        info = cache.info()
        assert info.records == 2 and info.misses == 0 and info.size > 0
        assert info.path == str(tmp_path / FILE_NAME)


def test_stale_record_served_when_refresh_fails(tmp_path: Path, arxiv_server: ReplayServer) -> None:
    clock = FakeClock()
    with Cache(tmp_path) as cache:
        cache.put({"2202.12139": record("2202.12139", "Old title")}, [], now=clock.now - 40 * DAY)
    arxiv_server.then(*[status(503)] * 3)
    options = EnrichOptions(cache_dir=tmp_path, api_url=arxiv_server.url)
    result = lookup(["2202.12139"], options, clock=clock, sleep=clock.sleep)
    assert result.records["2202.12139"].title == "Old title"
    assert result.stale == {"2202.12139"} and result.failed == {}
    # the next refresh succeeds and replaces it
    fresh = lookup(["2202.12139"], options, clock=clock, sleep=clock.sleep)
    assert fresh.records["2202.12139"].title.startswith("Testing Deep Learning")
    assert fresh.stale == set()


def test_refresh_asks_again(tmp_path: Path, arxiv_server: ReplayServer) -> None:
    clock = FakeClock()
    with Cache(tmp_path) as cache:
        cache.put({"2202.12139": record("2202.12139", "Old title")}, [], now=clock.now)
    options = EnrichOptions(cache_dir=tmp_path, api_url=arxiv_server.url, refresh=True)
    result = lookup(["2202.12139"], options, clock=clock, sleep=clock.sleep)
    assert result.requests == 1 and result.records["2202.12139"].title != "Old title"


@pytest.mark.parametrize(
    "garbage", [b"this is not a database at all" * 100, b"SQLite format 3\x00" + b"\xff" * 4000]
)
def test_corrupt_file_is_moved_aside(tmp_path: Path, garbage: bytes) -> None:
    (tmp_path / FILE_NAME).write_bytes(garbage)
    with Cache(tmp_path) as cache:
        assert any("moved to" in w for w in cache.warnings)
        cache.put({"2401.00001": record("2401.00001")}, [], now=1.0)
        assert cache.info().records == 1 and not cache.in_memory
    assert (tmp_path / f"{FILE_NAME}.corrupt-1").read_bytes() == garbage


def test_other_schema_version_is_moved_aside(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / FILE_NAME)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with Cache(tmp_path) as cache:
        assert cache.warnings and cache.info().records == 0


def test_unwritable_cache_falls_back_to_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with Cache(blocker / "cache") as cache:  # cannot be created, even by root
        assert cache.in_memory
        assert any("not writable" in w for w in cache.warnings)
        cache.put({"2401.00001": record("2401.00001")}, [], now=1.0)
        assert list(cache.get(["2401.00001"], now=1.0)) == ["2401.00001"]


def test_lookup_with_an_unwritable_cache_still_works(
    tmp_path: Path, arxiv_server: ReplayServer
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    clock = FakeClock()
    options = EnrichOptions(cache_dir=blocker / "cache", api_url=arxiv_server.url)
    result = lookup(["2202.12139"], options, clock=clock, sleep=clock.sleep)
    assert list(result.records) == ["2202.12139"]
    assert any("in memory" in w for w in result.warnings)


def test_a_large_batch_is_stored_without_all_its_rows_in_memory(tmp_path: Path) -> None:
    """``to --enrich`` stores a whole history's records in one batch: their JSON texts are
    made one at a time as SQLite takes them, never all at once beside the records."""
    import tracemalloc

    count, long = 400, "Abstract. " * 5_000  # 50 kB of JSON a record, 20 MB in all
    records = {f"2401.{i:05d}": record(f"2401.{i:05d}") for i in range(1, count + 1)}
    records = {k: dataclasses.replace(r, abstract=long) for k, r in records.items()}
    with Cache(tmp_path / "c") as cache:
        tracemalloc.start()
        try:
            cache.put(records, [], now=1_800_000_000.0)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert cache.warnings == []
        stored = cache.get(list(records), now=1_800_000_000.0)
    assert len(stored) == count and all(c.record.abstract == long.strip() for c in stored.values())
    assert peak < count * len(long) // 10, peak


def test_export_is_sorted_and_import_round_trips(tmp_path: Path) -> None:
    ids = ["2403.15711", "hep-th/9901001", "2201.00001", "cond-mat/0607501"]
    with Cache(tmp_path / "a") as cache:
        cache.put({i: record(i) for i in ids}, [], now=1_800_000_000.0)
        out = io.StringIO()
        assert cache.export(out) == 4
    lines = out.getvalue().splitlines()
    assert [json.loads(x)["arxiv_id"] for x in lines] == sorted(ids)
    with Cache(tmp_path / "b") as other:
        assert other.import_(io.StringIO(out.getvalue()), now=1_800_000_000.0) == 4
        again = io.StringIO()
        other.export(again)
        assert again.getvalue() == out.getvalue()
        got = other.get(ids, now=1_800_000_000.0)
        assert {k: c.record for k, c in got.items()} == {i: record(i) for i in ids}
        with pytest.raises(ValueError, match="line 2"):
            other.import_(io.StringIO(lines[0] + "\n{not json\n"), now=1.0)
        assert other.info().records == 4  # nothing half-imported


def _worker(folder: str, worker: int, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    slots = []
    with Cache(Path(folder)) as cache:
        for batch in range(5):
            ids = [f"24{worker + 1:02d}.{batch:02d}{n:03d}" for n in range(10)]
            cache.put({i: record(i) for i in ids}, [f"miss.{worker}.{batch}"], now=1000.0)
            slots.append(cache.reserve(now=5000.0, spacing=3.0))
        queue.put((worker, slots, cache.warnings))


def test_four_processes_share_one_cache(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn" if sys.platform == "win32" else "fork")
    queue = context.Queue()
    procs = [context.Process(target=_worker, args=(str(tmp_path), w, queue)) for w in range(4)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert all(not warnings for _, _, warnings in results)
    slots = sorted(s for _, ss, _ in results for s in ss)
    # 20 tickets taken concurrently: all distinct, each 3 s after the previous one
    assert slots == [5000.0 + 3.0 * n for n in range(20)]
    with Cache(tmp_path) as cache:
        info = cache.info()
        assert info.records == 200 and info.misses == 20


# -- damage, failing writes, read-only files ---------------------------------------------------
def _filled(folder: Path, count: int = 900) -> list[str]:
    ids = [f"2401.{n:05d}" for n in range(1, count + 1)]
    with Cache(folder) as cache:
        cache.put({i: record(i, f"Title {i} " + "words " * 40) for i in ids}, [], now=1.0)
    return ids


def _corrupt_page(path: Path) -> None:
    """Overwrite one page in the middle of the file with garbage, as a failing disk would."""
    data = bytearray(path.read_bytes())
    page = 4096
    middle = (len(data) // page // 2) * page
    data[middle : middle + page] = b"\xa5" * page
    path.write_bytes(bytes(data))


def test_a_corrupt_page_is_detected_salvaged_and_rebuilt(tmp_path: Path) -> None:
    ids = _filled(tmp_path)
    assert not (tmp_path / f"{FILE_NAME}-wal").exists()  # everything is in the main file
    _corrupt_page(tmp_path / FILE_NAME)
    clock = FakeClock(1.0 + DAY)
    result = lookup(ids, EnrichOptions(cache_dir=tmp_path, offline=True), clock=clock)
    repaired = [w for w in result.warnings if "was damaged" in w]
    assert len(repaired) == 1 and "rebuilt with the" in repaired[0]
    assert 0 < len(result.records) < len(ids)  # what could be read is still served
    assert (tmp_path / f"{FILE_NAME}.corrupt-1").is_file()
    with Cache(tmp_path) as cache:
        assert cache.check() == "ok"
        assert cache.info().records == len(result.records)
    # the next run finds a sound file: no warning, the same records
    again = lookup(ids, EnrichOptions(cache_dir=tmp_path, offline=True), clock=clock)
    assert again.warnings == [] and again.records == result.records


@pytest.mark.parametrize("command", ["info", "export", "clear"])
def test_cache_commands_repair_a_corrupt_page(run: Invoke, tmp_path: Path, command: str) -> None:
    ids = _filled(tmp_path / "cache")
    _corrupt_page(tmp_path / "cache" / FILE_NAME)
    env = {"DIGESTCONV_CACHE_DIR": str(tmp_path / "cache")}
    result = run("cache", command, env=env)
    assert result.exit_code == 0, result.stderr
    assert_no_traceback(result.stdout, result.stderr)
    assert "was damaged" in result.stderr and "malformed" not in result.stdout
    if command == "info":
        count = int(result.stdout.split("records:")[1].split()[0])
        assert count < len(ids)  # not the damaged file's count
    elif command == "export":
        rows = [json.loads(x) for x in result.stdout.splitlines()]
        assert 0 < len(rows) < len(ids)
        assert [r["arxiv_id"] for r in rows] == sorted(r["arxiv_id"] for r in rows)
    with Cache(tmp_path / "cache") as cache:
        assert cache.check() == "ok"
    assert run("cache", "clear", env=env).exit_code == 0


_LIMITED = """
import resource, sys
from digestconv.cli import main
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
sys.argv = ["digestconv", *sys.argv[2:]]
main()
"""


def _limited(limit: int, *args: str | Path, env: dict[str, str]) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    """Run digestconv with no file allowed to grow past ``limit`` bytes (EFBIG after)."""
    return subprocess.run(
        [sys.executable, "-c", _LIMITED, str(limit), *map(str, args)],
        capture_output=True,
        env={**os.environ, **env},
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def test_a_failing_commit_keeps_no_results_and_the_output_is_written(
    tmp_path: Path, arxiv_server: ReplayServer
) -> None:
    """The snapshot's records fill the write-ahead log to the size limit; then every write,
    the request ticket's included, fails: the run goes on and writes its output."""
    from ..cli.conftest import SEED_000, SEED_001, SEED_003
    from .test_convert import SEED_RECORDS, snapshot_line

    folder = tmp_path / "cache"
    with Cache(folder):
        pass
    snapshot = tmp_path / "snapshot.json"
    held = sorted(SEED_RECORDS)[1:]  # all but one: that one is asked from the API
    snapshot.write_text("".join(snapshot_line(SEED_RECORDS[k]) + "\n" for k in held), "utf-8")
    env = {
        "DIGESTCONV_CACHE_DIR": str(folder),
        "DIGESTCONV_ARXIV_API": arxiv_server.url,
        "SOURCE_DATE_EPOCH": "1700000000",
    }
    # room for the database (24 KiB) and its 32 KiB shared-memory index, not for the
    # snapshot's records in the write-ahead log
    args = ["to", "bibtex", "--enrich", "--snapshot", snapshot, SEED_000, SEED_001, SEED_003]
    proc = _limited(40960, *args, env=env)
    err = proc.stderr.decode()
    assert proc.returncode == 0, err
    assert "internal error" not in err and "Traceback" not in err
    assert "results not kept" in err
    assert proc.stdout.count(b"@misc{") == 32  # every paper, enriched
    assert proc.stdout.count(b"author ") == 32
    assert len(arxiv_server.log) == 1


def test_cache_import_reports_the_real_cause_of_a_failed_write(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    with Cache(folder):
        pass
    lines = "".join(
        json.dumps(record(f"2401.{n:05d}", "words " * 200).to_json()) + "\n" for n in range(1, 200)
    )
    source = tmp_path / "records.jsonl"
    source.write_text(lines, "utf-8")
    limit = 40960
    proc = _limited(limit, "cache", "import", source, env={"DIGESTCONV_CACHE_DIR": str(folder)})
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert "cannot rollback" not in err and "internal error" not in err
    assert "cannot store the records" in err
    assert "disk is full" in err or "disk I/O error" in err
    with Cache(folder) as cache:
        assert cache.info().records == 0


def _without_dac_override() -> None:
    """In a child of root: give up the capabilities that let root write through mode bits.

    Dropped from the bounding set, so they stay dropped across ``execve``.
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2, 3):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "cannot drop a capability")


def _unwritable(folder: Path) -> Callable[[], None] | None:
    """Make ``folder`` and its files read-only; the child's preexec function when root."""
    for path in [folder, *folder.iterdir()]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    return _without_dac_override if os.geteuid() == 0 else None


def test_a_read_only_cache_is_still_read(arxiv_server: ReplayServer) -> None:
    from ..cli.conftest import SEEDS, _command

    base = Path(tempfile.mkdtemp(prefix="dc-ro-"))
    try:
        folder = base / "cache"
        env = {
            **os.environ,
            "DIGESTCONV_CACHE_DIR": str(folder),
            "DIGESTCONV_ARXIV_API": arxiv_server.url,
            "HOME": str(base),
        }
        digests = [str(p) for p in sorted(SEEDS.glob("00[013]_*.txt"))]
        filled = subprocess.run(
            [*_command(), "enrich", *digests], capture_output=True, env=env, timeout=120
        )
        assert filled.returncode == 0, filled.stderr
        preexec = _unwritable(folder)
        probe = subprocess.run(
            [sys.executable, "-c", f"open({str(folder / 'x')!r}, 'w')"],
            capture_output=True,
            preexec_fn=preexec,
            timeout=60,
        )
        if probe.returncode == 0:
            pytest.skip("this machine lets the child write to a read-only folder")
        proc = subprocess.run(
            [*_command(), "enrich", "--offline", *digests],
            capture_output=True,
            env=env,
            timeout=120,
            preexec_fn=preexec,
        )
        out, err = proc.stdout.decode(), proc.stderr.decode()
        assert "32 papers: 32 found (32 cached" in out, out + err
        assert "cannot be written" in err and "new results are not kept" in err
        assert proc.returncode == 0
    finally:
        for path in base.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        shutil.rmtree(base, ignore_errors=True)


class _CommitsFail:
    """A connection whose COMMITs fail after the first ``allowed`` (a full disk, EIO)."""

    def __init__(self, db: sqlite3.Connection, allowed: int) -> None:
        self._db = db
        self._allowed = allowed

    def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
        if sql.strip().upper() == "COMMIT":
            if self._allowed <= 0:
                raise sqlite3.OperationalError("disk I/O error")
            self._allowed -= 1
        return self._db.execute(sql, *args)

    def __getattr__(self, name: str) -> object:
        return getattr(self._db, name)


def test_a_failing_commit_of_the_request_ticket_does_not_stop_the_run(
    tmp_path: Path, arxiv_server: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Cache._connect

    def connect(target: str, *args: object, **kwargs: object) -> object:
        db = real(target, *args, **kwargs)
        return db if target == ":memory:" else _CommitsFail(db, allowed=2)  # opening commits

    monkeypatch.setattr(Cache, "_connect", staticmethod(connect))
    clock = FakeClock()
    options = EnrichOptions(cache_dir=tmp_path, api_url=arxiv_server.url)
    result = lookup(["2202.12139", "2405.13786"], options, clock=clock, sleep=clock.sleep)
    assert set(result.records) == {"2202.12139", "2405.13786"}
    assert any("results not kept" in w and "disk I/O error" in w for w in result.warnings)
    assert any("paced within this process only" in w for w in result.warnings)
    monkeypatch.undo()
    with Cache(tmp_path) as cache:
        assert cache.info().records == 0 and cache.check() == "ok"


def _open_at_once(folder: str, barrier: Any, results: Any) -> None:
    barrier.wait()
    cache = Cache(Path(folder))
    results.put((cache.readonly, cache.path is not None, tuple(cache.warnings)))
    cache.close()


@pytest.mark.skipif(sys.platform == "win32", reason="forks the openers")
def test_processes_making_the_same_new_cache_at_once_all_share_it(tmp_path: Path) -> None:
    """Switching a new file to WAL takes a lock SQLite does not wait for: a process that
    lost that race once fell back to a cache in memory, pacing its requests on its own."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    for round_ in range(15):
        folder = tmp_path / f"cache-{round_}"
        barrier = context.Barrier(6)
        results = context.Queue()
        openers = [
            context.Process(target=_open_at_once, args=(str(folder), barrier, results))
            for _ in range(6)
        ]
        for proc in openers:
            proc.start()
        found = [results.get(timeout=60) for _ in openers]
        for proc in openers:
            proc.join(timeout=60)
        assert found == [(False, True, ())] * 6, found
