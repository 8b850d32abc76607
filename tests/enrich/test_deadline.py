"""Deadlines that bound a whole request and a whole run, against a trickling loopback server.

A server that sends one byte at a time is never given up on by a per-read
socket timeout: each byte restarts it.  These tests check that the request's
total deadline holds for the status line and headers as well as for the body,
on the real clock (one short deadline) and on an injected clock (long deadlines
without waiting for them), and that the run's budget bounds a run whose every
request trickles.
"""

from __future__ import annotations

import itertools
import random
import time

import pytest

from digestconv.enrich import EnrichOptions, lookup
from digestconv.enrich.politeness import MIN_SPACING, Limiter
from digestconv.enrich.sources import MAX_REDIRECTS, ApiSource
from digestconv.enrich.transport import TransportError, get, user_agent

from .conftest import FakeClock, ReplayServer, TickClock, redirect_to_self, trickle

ID = "2202.12139"


@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_trickle_is_cut_at_the_deadline_on_the_real_clock(
    arxiv_server: ReplayServer, where: str
) -> None:
    sent: list[int] = []
    arxiv_server.then(trickle(0.25, where, sent))  # 4 bytes a second, for minutes
    start = time.monotonic()
    with pytest.raises(TransportError) as caught:
        get(f"{arxiv_server.url}?id_list={ID}", deadline=start + 2.0, connect_timeout=10.0)
    elapsed = time.monotonic() - start
    assert caught.value.kind == "timeout"
    # each byte came well within the 10 s socket timeout: only the total deadline cut it
    assert elapsed < 2.0 + 8.0, elapsed
    for _ in range(100):  # the server notices the hang-up at its next write
        if sent:
            break
        time.sleep(0.05)
    assert sent and sent[0] < 40  # not the whole answer (several hundred bytes)


@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_long_deadline_on_an_injected_clock(arxiv_server: ReplayServer, where: str) -> None:
    """A 60 s deadline against a trickle, checked without waiting 60 s."""
    clock = TickClock(1.0)  # every read of the clock is one second later
    arxiv_server.then(trickle(0.002, where))
    start = clock.now
    with pytest.raises(TransportError) as caught:
        get(f"{arxiv_server.url}?id_list={ID}", deadline=start + 60.0, clock=clock)
    assert caught.value.kind == "timeout"
    assert 60.0 <= clock.now - start <= 62.0


def test_the_budget_bounds_a_run_whose_every_request_trickles(
    arxiv_server: ReplayServer,
) -> None:
    """Requests of 60 s and back-off waits would take minutes: the budget ends the run."""
    clock = TickClock(0.5)
    arxiv_server.then(*[trickle(0.002, "body")] * 10)
    options = EnrichOptions(use_cache=False, api_url=arxiv_server.url, budget=100.0)
    start = clock.now
    result = lookup([ID, "2405.13786"], options, clock=clock, sleep=clock.sleep)
    assert set(result.failed) == {ID, "2405.13786"}
    assert clock.now - start <= 100.0 + 5.0  # a few reads of the clock after the cut
    assert "budget" in result.failed[ID] or "deadline" in result.failed[ID]


def test_the_budget_holds_on_the_real_clock(arxiv_server: ReplayServer) -> None:
    arxiv_server.then(*[trickle(0.25, "headers")] * 3)
    options = EnrichOptions(use_cache=False, api_url=arxiv_server.url, budget=2.0)
    start = time.monotonic()
    result = lookup([ID], options)
    elapsed = time.monotonic() - start
    assert ID in result.failed
    assert elapsed < 2.0 + 8.0, elapsed


def test_a_redirect_loop_is_paced_and_bounded(arxiv_server: ReplayServer) -> None:
    clock = FakeClock()
    arxiv_server.then(*[redirect_to_self] * 10)
    starts: list[float] = []

    def timed(url: str, **kw: object) -> object:
        starts.append(clock.now)
        clock.now += 0.5
        return get(url, **kw)  # type: ignore[arg-type]

    source = ApiSource(
        arxiv_server.url,
        Limiter(clock=clock, sleep=clock.sleep),
        user_agent=user_agent(),
        rng=random.Random(1),
        transport=timed,
    )
    result = source.lookup([ID], clock.now + 300)
    assert "redirect" in result.failed[ID]
    assert len(arxiv_server.log) == MAX_REDIRECTS + 1  # not one more
    assert [b - (a + 0.5) for a, b in itertools.pairwise(starts)] == [MIN_SPACING] * MAX_REDIRECTS


def test_a_same_host_redirect_is_followed(arxiv_server: ReplayServer) -> None:
    clock = FakeClock()
    arxiv_server.then(redirect_to_self)
    source = ApiSource(
        arxiv_server.url,
        Limiter(clock=clock, sleep=clock.sleep),
        user_agent=user_agent(),
    )
    result = source.lookup([ID], clock.now + 300)
    assert list(result.found) == [ID] and len(arxiv_server.log) == 2
    assert clock.sleeps == [MIN_SPACING]
