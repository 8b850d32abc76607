"""The SQLite cache: freshness, stale-if-error, corrupt and unwritable files, several processes."""

from __future__ import annotations

import io
import json
import multiprocessing
import sqlite3
import sys
from pathlib import Path

import pytest

from digestconv.enrich import EnrichOptions, lookup
from digestconv.enrich.cache import DAY, FILE_NAME, Cache
from digestconv.enrich.record import ArxivRecord, Author

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
