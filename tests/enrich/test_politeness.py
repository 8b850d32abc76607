"""Spacing, tickets, Retry-After, back-off and the breaker, on a fake clock (no real sleeps)."""

from __future__ import annotations

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
