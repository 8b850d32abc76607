"""Spacing, tickets, Retry-After, back-off and the breaker, on a fake clock (no real sleeps)."""

from __future__ import annotations

import itertools
import random

import pytest

from digestconv.enrich.options import EnrichOptions, OptionsError, resolve
from digestconv.enrich.politeness import (
    MIN_SPACING,
    BudgetExceeded,
    CircuitBreaker,
    Limiter,
    MemoryPace,
    RetryPolicy,
    retry_after,
    ticket,
)

from .conftest import FakeClock


def test_requests_are_spaced_from_end_to_start(clock: FakeClock) -> None:
    limiter = Limiter(clock=clock, sleep=clock.sleep)
    starts, ends = [], []
    for duration in (0.5, 2.0, 0.0, 7.0):
        with limiter.slot() as began:
            starts.append(began)
            clock.now += duration  # the request takes this long
            ends.append(clock.now)
    gaps = [s - e for s, e in zip(starts[1:], ends, strict=False)]
    assert all(g >= MIN_SPACING for g in gaps), gaps
    assert gaps == [3.0, 3.0, 3.0]
    assert limiter.requests == 4


def test_spacing_never_below_three_seconds(clock: FakeClock) -> None:
    assert Limiter(spacing=0.0).spacing == MIN_SPACING
    assert Limiter(spacing=-5).spacing == MIN_SPACING
    assert Limiter(spacing=10).spacing == 10.0
    # neither configuration nor environment has a way to set it
    assert not any("spac" in f or "interval" in f for f in EnrichOptions.__dataclass_fields__)
    with pytest.raises(OptionsError):
        resolve(table={"spacing": 0.5}, env={})
    with pytest.raises(OptionsError):
        resolve(table={"min-interval": "1s"}, env={})
    # an environment variable with a plausible name changes nothing
    opts = resolve(env={"DIGESTCONV_SPACING": "0", "DIGESTCONV_DELAY": "0"})
    assert opts == EnrichOptions()


def test_two_limiters_on_one_store_queue_behind_each_other(clock: FakeClock) -> None:
    store = MemoryPace()
    a = Limiter(store, clock=clock, sleep=clock.sleep)
    b = Limiter(store, clock=clock, sleep=clock.sleep)
    with a.slot() as first:
        pass
    with b.slot() as second:
        pass
    with a.slot() as third:
        pass
    assert second - first >= 3.0 and third - second >= 3.0


def test_tickets_reserve_slots_before_the_request() -> None:
    store = MemoryPace()
    slots = [store.reserve(100.0, 3.0) for _ in range(4)]
    assert slots == [100.0, 103.0, 106.0, 109.0]
    # a clock that jumped back is not waited out for hours
    assert ticket(100.0, 100.0 + 10_000, 0.0) == 100.0


def test_cooldown_delays_every_limiter(clock: FakeClock) -> None:
    store = MemoryPace()
    a = Limiter(store, clock=clock, sleep=clock.sleep)
    b = Limiter(store, clock=clock, sleep=clock.sleep)
    start = clock.now
    a.cool_down(60.0)
    with b.slot() as began:
        pass
    assert began - start == 60.0


def test_slot_after_the_deadline_is_refused(clock: FakeClock) -> None:
    limiter = Limiter(clock=clock, sleep=clock.sleep)
    limiter.cool_down(100.0)
    with pytest.raises(BudgetExceeded), limiter.slot(deadline=clock.now + 50):
        pass
    assert clock.sleeps == []  # it did not wait for nothing


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        ("0", 0.0),
        (" 7 ", 7.0),
        ("Sun, 29 Nov 2026 12:00:30 GMT", 30.0),
        ("Sun, 29 Nov 2026 11:00:00 GMT", 0.0),  # in the past
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after(value: str | None, expected: float | None) -> None:
    import datetime as dt

    now = dt.datetime(2026, 11, 29, 12, 0, 0, tzinfo=dt.timezone.utc).timestamp()
    assert retry_after(value, now) == expected


def test_backoff_with_jitter_from_an_injected_rng() -> None:
    policy = RetryPolicy()
    rng = random.Random(7)
    first = [policy.wait(1, None, rng) for _ in range(200)]
    second = [policy.wait(2, None, rng) for _ in range(200)]
    assert all(11.25 <= w <= 18.75 for w in first) and len(set(first)) > 100
    assert all(45.0 <= w <= 75.0 for w in second)
    assert policy.wait(1, 0.0, rng) == MIN_SPACING  # Retry-After: 0 still waits 3 s
    assert policy.wait(1, 42.0, rng) == 42.0
    again = random.Random(7)
    assert [policy.wait(1, None, again) for _ in range(200)] == first


def test_breaker_keeps_the_first_reason() -> None:
    breaker = CircuitBreaker()
    assert not breaker.open
    breaker.trip("connection refused")
    breaker.trip("later")
    assert breaker.open and breaker.reason == "connection refused"


def test_one_connection_at_a_time_through_the_os_lock(tmp_path: object) -> None:
    """A second limiter on the same lock file waits until the first request ends."""
    import threading
    from pathlib import Path

    lock = Path(str(tmp_path)) / "arxiv-v1.lock"
    first = Limiter(MemoryPace(), lock_path=lock, sleep=lambda s: None)
    second = Limiter(MemoryPace(), lock_path=lock, sleep=lambda s: None)
    inside, release, second_in = threading.Event(), threading.Event(), threading.Event()

    def hold() -> None:
        with first.slot():
            inside.set()
            release.wait(10)

    def enter() -> None:
        with second.slot():
            second_in.set()

    holder = threading.Thread(target=hold)
    holder.start()
    assert inside.wait(10)
    waiter = threading.Thread(target=enter)
    waiter.start()
    assert not second_in.wait(0.3)  # blocked on the lock while the first request runs
    release.set()
    assert second_in.wait(10)
    holder.join(10)
    waiter.join(10)


def _slow_logged(seconds: float, spans: list[tuple[float, float]]) -> object:
    """Answer normally after ``seconds``; log when the request came and when the answer ended."""
    import time

    from .conftest import answer

    def act(h: object, s: object, ids: list[str], limit: int) -> None:
        began = time.time()
        time.sleep(seconds)
        answer(h, s, ids, limit)  # type: ignore[arg-type]
        spans.append((began, time.time()))

    return act


_CHILD = """
import sys
from pathlib import Path
from digestconv.enrich import EnrichOptions, lookup
options = EnrichOptions(cache_dir=Path(sys.argv[1]), api_url=sys.argv[2])
result = lookup([sys.argv[3]], options)
assert list(result.records) == [sys.argv[3]], result
"""


def test_two_processes_space_requests_from_the_end_of_the_last_one(tmp_path: object) -> None:
    """Each answer takes 2 s: the next request, from the other process, starts 3 s after its end."""
    import subprocess
    import sys
    from pathlib import Path

    from .conftest import ReplayServer

    spans: list[tuple[float, float]] = []
    ids = ["2202.12139", "2405.13786"]
    with ReplayServer() as server:
        server.then(*[_slow_logged(2.0, spans)] * len(ids))  # type: ignore[list-item]
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", _CHILD, str(Path(str(tmp_path))), server.url, ident],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for ident in ids
        ]
        for proc in procs:
            out, _ = proc.communicate(timeout=120)
            assert proc.returncode == 0, out.decode()
    spans.sort()
    assert len(spans) == len(ids)
    gaps = [start - end for (_, end), (start, _) in itertools.pairwise(spans)]
    assert all(gap >= MIN_SPACING for gap in gaps), gaps
