"""The API source against the loopback replay server: batching, matching, failures, pacing.

Pacing runs on a fake clock: the server is real, the waits are not.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from digestconv import __version__
from digestconv.enrich import EnrichOptions, lookup
from digestconv.enrich.politeness import Limiter
from digestconv.enrich.sources import ApiSource
from digestconv.enrich.transport import get, user_agent

from .conftest import (
    FakeClock,
    ReplayServer,
    empty,
    error_400,
    gzipped,
    malformed,
    redirect_off_host,
    reset_mid_body,
    slow,
    status,
)

KNOWN = ["2202.12139", "2405.13786", "1111.2011", "astro-ph/0601001"]


def api(server: ReplayServer, clock: FakeClock, **kw: object) -> ApiSource:
    limiter = Limiter(clock=clock, sleep=clock.sleep)
    return ApiSource(
        server.url,
        limiter,
        user_agent=user_agent("tests@example.org"),
        rng=random.Random(1),
        **kw,  # type: ignore[arg-type]
    )


def test_found_and_missing_matched_by_id(arxiv_server: ReplayServer, clock: FakeClock) -> None:
    source = api(arxiv_server, clock)
    wanted = [*reversed(KNOWN), "2401.99999"]
    result = source.lookup(wanted, clock.now + 300)
    assert set(result.found) == set(KNOWN)
    assert result.found["astro-ph/0601001"].authors[0].family == "Gould"
    assert list(result.missing) == ["2401.99999"]
    assert result.failed == {}
    (req,) = arxiv_server.log
    assert req.ids == wanted and req.max_results == len(wanted)
    assert req.user_agent == (
        f"digestconv/{__version__} (+https://github.com/digestconv/digestconv; "
        "mailto:tests@example.org)"
    )
    assert req.headers.get("accept-encoding") == "gzip"


def test_batches_of_at_most_100_spaced_three_seconds(
    arxiv_server: ReplayServer, clock: FakeClock
) -> None:
    known = sorted(arxiv_server.entries)[:125]
    fake = [f"2402.{n:05d}" for n in range(125)]
    ids = [i for pair in zip(known, fake, strict=True) for i in pair] + [fake[1]]  # a duplicate
    starts: list[float] = []

    def timed(url: str, **kw: object) -> object:
        starts.append(clock.now)
        clock.now += 1.5  # each request takes 1.5 s on the fake clock
        return get(url, **kw)  # type: ignore[arg-type]

    source = api(arxiv_server, clock, transport=timed)
    result = source.lookup(ids, clock.now + 300)
    assert set(result.missing) == set(fake) and set(result.found) == set(known)
    assert [len(r.ids) for r in arxiv_server.log] == [100, 100, 50]
    assert [r.max_results for r in arxiv_server.log] == [100, 100, 50]
    assert len({i for r in arxiv_server.log for i in r.ids}) == 250
    # end of one request (start + 1.5) to start of the next: at least 3 s
    assert [b - (a + 1.5) for a, b in itertools.pairwise(starts)] == [3.0, 3.0]


def test_503_then_200(arxiv_server: ReplayServer, clock: FakeClock) -> None:
    arxiv_server.then(status(503))
    result = api(arxiv_server, clock).lookup(KNOWN[:2], clock.now + 300)
    assert set(result.found) == set(KNOWN[:2])
    assert len(arxiv_server.log) == 2
    assert 11.25 <= clock.sleeps[0] <= 18.75  # back-off with jitter


def test_503_with_retry_after_zero_still_waits_three_seconds(
    arxiv_server: ReplayServer, clock: FakeClock
) -> None:
    arxiv_server.then(status(503, headers={"Retry-After": "0"}))
    result = api(arxiv_server, clock).lookup(KNOWN[:1], clock.now + 300)
    assert set(result.found) == {KNOWN[0]}
    assert clock.sleeps[0] == 3.0


def test_429_with_retry_after(arxiv_server: ReplayServer, clock: FakeClock) -> None:
    arxiv_server.then(status(429, b"Rate exceeded.", {"Retry-After": "20"}))
    start = clock.now
    result = api(arxiv_server, clock).lookup(KNOWN[:1], clock.now + 300)
    assert set(result.found) == {KNOWN[0]}
    assert clock.sleeps[0] == 20.0
    # the 429 set a 60 s cooldown shared with every limiter on the store
    assert clock.now - start >= 60.0


def test_429_without_retry_after_until_the_run_gives_up(
    arxiv_server: ReplayServer, clock: FakeClock
) -> None:
    arxiv_server.then(*[status(429, b"Rate exceeded.")] * 10)
    source = api(arxiv_server, clock)
    ids = [f"2402.{n:05d}" for n in range(300)]
    result = source.lookup(ids, clock.now + 10_000)
    assert len(result.failed) == 300
    assert "HTTP 429" in next(iter(result.failed.values()))
    # 3 attempts for each of two batches, then it stopped asking
    assert len(arxiv_server.log) == 6


def test_budget_bounds_the_retries(arxiv_server: ReplayServer, clock: FakeClock) -> None:
    arxiv_server.then(*[status(503)] * 5)
    result = api(arxiv_server, clock).lookup(KNOWN[:1], clock.now + 20)
    assert "budget" in result.failed[KNOWN[0]]
    assert clock.now - 1_800_000_000.0 <= 20


def test_400_error_feed_drops_the_named_id_and_resends_the_rest(
    arxiv_server: ReplayServer, clock: FakeClock
) -> None:
    arxiv_server.then(error_400("2405.13786"))
    result = api(arxiv_server, clock).lookup(KNOWN[:2], clock.now + 300)
    assert set(result.found) == {"2202.12139"}
    assert "incorrect id format for 2405.13786" in result.missing["2405.13786"]
    assert [r.ids for r in arxiv_server.log] == [KNOWN[:2], ["2202.12139"]]


def test_empty_feed_for_one_unknown_id(arxiv_server: ReplayServer, clock: FakeClock) -> None:
    arxiv_server.then(empty)
    result = api(arxiv_server, clock).lookup(["2401.99999"], clock.now + 300)
    assert list(result.missing) == ["2401.99999"] and len(arxiv_server.log) == 1


def test_spurious_empty_feed_is_asked_again(arxiv_server: ReplayServer, clock: FakeClock) -> None:
    arxiv_server.then(empty)
    result = api(arxiv_server, clock).lookup(KNOWN, clock.now + 300)
    assert set(result.found) == set(KNOWN) and len(arxiv_server.log) == 2


def test_slow_response_against_a_short_deadline(
    arxiv_server: ReplayServer, clock: FakeClock
) -> None:
    arxiv_server.then(slow(0.6), slow(0.6), slow(0.6))
    source = api(arxiv_server, clock, timeout=0.2)
    result = source.lookup(KNOWN[:1], clock.now + 300)
    assert "timed out" in result.failed[KNOWN[0]] or "deadline" in result.failed[KNOWN[0]]
    assert len(arxiv_server.log) == 3


def test_reset_mid_body_is_retried(arxiv_server: ReplayServer, clock: FakeClock) -> None:
    arxiv_server.then(reset_mid_body)
    result = api(arxiv_server, clock).lookup(KNOWN[:2], clock.now + 300)
    assert set(result.found) == set(KNOWN[:2]) and len(arxiv_server.log) == 2


def test_malformed_xml_is_retried(arxiv_server: ReplayServer, clock: FakeClock) -> None:
    arxiv_server.then(malformed)
    result = api(arxiv_server, clock).lookup(KNOWN[:2], clock.now + 300)
    assert set(result.found) == set(KNOWN[:2]) and len(arxiv_server.log) == 2


def test_gzip(arxiv_server: ReplayServer, clock: FakeClock) -> None:
    arxiv_server.then(gzipped)
    result = api(arxiv_server, clock).lookup(KNOWN, clock.now + 300)
    assert set(result.found) == set(KNOWN) and len(arxiv_server.log) == 1


def test_off_host_redirect_is_refused(arxiv_server: ReplayServer, clock: FakeClock) -> None:
    arxiv_server.then(redirect_off_host)
    result = api(arxiv_server, clock).lookup(KNOWN[:1], clock.now + 300)
    assert "another host" in result.failed[KNOWN[0]]
    assert len(arxiv_server.log) == 1


def test_connection_refused_opens_the_breaker(clock: FakeClock) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    source = ApiSource(
        f"http://127.0.0.1:{port}/api/query",
        Limiter(clock=clock, sleep=clock.sleep),
        user_agent=user_agent(),
    )
    ids = [f"2402.{n:05d}" for n in range(150)]
    result = source.lookup(ids, clock.now + 300)
    assert len(result.failed) == 150
    assert "unreachable" in next(iter(result.failed.values()))
    assert source.requests == 1  # the second batch never tried
    assert clock.sleeps == []


def test_transport_refuses_plain_http_off_loopback() -> None:
    with pytest.raises(ValueError, match="https"):
        get("http://export.arxiv.org/api/query", deadline=1e18)


def test_query_url() -> None:
    source = ApiSource("https://export.arxiv.org/api/query", Limiter(), user_agent="x")
    url = source.query_url(["2403.15711", "hep-th/9901001"])
    query = parse_qs(urlsplit(url).query)
    assert query == {
        "id_list": ["2403.15711,hep-th/9901001"],
        "start": ["0"],
        "max_results": ["2"],
    }


def test_library_lookup_through_cache(arxiv_server: ReplayServer, tmp_path: Path) -> None:
    clock = FakeClock()
    options = EnrichOptions(cache_dir=tmp_path, api_url=arxiv_server.url)
    ids = ["2202.12139v1", "astro-ph/0601001", "2401.99999", "2401.13"]
    first = lookup(ids, options, clock=clock, sleep=clock.sleep)
    assert set(first.records) == {"2202.12139", "astro-ph/0601001"}
    assert set(first.missing) == {"2401.99999", "2401.13"}
    assert "malformed" in first.missing["2401.13"]
    assert first.requests == 1 and first.failed == {}
    again = lookup(ids, options, clock=clock, sleep=clock.sleep)
    assert again.requests == 0 and again.records == first.records
    assert set(again.origin.values()) == {"cache"}
    assert set(again.missing) == set(first.missing)  # the miss is cached too
    offline = lookup(ids, EnrichOptions(cache_dir=tmp_path, offline=True), clock=clock)
    assert offline.records == first.records and offline.requests == 0
    assert len(arxiv_server.log) == 1


# -- a lying server ----------------------------------------------------------------------------
def test_an_answer_with_identifiers_not_asked_for_confirms_no_miss(
    arxiv_server: ReplayServer, tmp_path: Path
) -> None:
    from .conftest import answer_for

    clock = FakeClock()
    options = EnrichOptions(cache_dir=tmp_path, api_url=arxiv_server.url)
    arxiv_server.then(answer_for(["1111.2011", "astro-ph/0601001"]))
    lying = lookup(KNOWN[:2], options, clock=clock, sleep=clock.sleep)
    assert lying.missing == {} and set(lying.failed) == set(KNOWN[:2])
    assert "not asked for" in lying.failed[KNOWN[0]]
    assert lying.records == {}  # the strangers are not taken either
    # against an honest server the next run asks again and finds both
    honest = lookup(KNOWN[:2], options, clock=clock, sleep=clock.sleep)
    assert honest.requests == 1 and set(honest.records) == set(KNOWN[:2])
    assert honest.missing == {}


def test_entries_answering_for_each_other_are_not_trusted(
    arxiv_server: ReplayServer, tmp_path: Path
) -> None:
    from .conftest import rewrite, swap_ids

    clock = FakeClock()
    options = EnrichOptions(cache_dir=tmp_path, api_url=arxiv_server.url)
    arxiv_server.then(rewrite(swap_ids))
    swapped = lookup(KNOWN[:2], options, clock=clock, sleep=clock.sleep)
    assert swapped.records == {}
    assert all("links to" in swapped.failed[k] for k in KNOWN[:2])
    assert len([w for w in swapped.warnings if "not cached" in w]) == 2
    honest = lookup(KNOWN[:2], options, clock=clock, sleep=clock.sleep)
    assert honest.requests == 1 and set(honest.records) == set(KNOWN[:2])
    assert honest.records[KNOWN[0]].title.startswith("Testing Deep Learning")


def _disguise(body: bytes) -> bytes:
    """Give the second entry (paper B) the first one's identifier everywhere, and drop A."""
    from lxml import etree

    from .conftest import ATOM

    root = etree.fromstring(body)
    a, b = root.findall(f"{{{ATOM}}}entry")[:2]
    a_id = a.findtext(f"{{{ATOM}}}id")
    b_id = b.findtext(f"{{{ATOM}}}id")
    assert a_id and b_id
    text = etree.tostring(b).decode().replace(b_id.split("/abs/")[1], a_id.split("/abs/")[1])
    root.replace(a, etree.fromstring(text))
    root.remove(b)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_paper_b_served_as_paper_a_is_not_cached(
    arxiv_server: ReplayServer, tmp_path: Path
) -> None:
    from .conftest import rewrite

    clock = FakeClock()
    options = EnrichOptions(cache_dir=tmp_path, api_url=arxiv_server.url)
    titles = {
        KNOWN[0]: "Testing Deep Learning Models: A First Comparative Study of Multiple Testing"
        " Techniques"
    }
    arxiv_server.then(rewrite(_disguise))
    fooled = lookup(KNOWN[:2], options, clock=clock, sleep=clock.sleep, titles=titles)
    # B's content under A's identifier: used for the run (the title rule reports it) ...
    assert not fooled.records[KNOWN[0]].title.startswith("Testing Deep Learning")
    (warning,) = [w for w in fooled.warnings if "not cached" in w]
    assert f"arXiv:{KNOWN[0]}" in warning and "shares few words" in warning
    # ... but not cached: an honest server is asked again next time
    honest = lookup(KNOWN[:2], options, clock=clock, sleep=clock.sleep, titles=titles)
    assert honest.requests == 1
    assert honest.records[KNOWN[0]].title.startswith("Testing Deep Learning")


def test_an_answer_retitled_since_the_digest_is_cached(
    arxiv_server: ReplayServer, tmp_path: Path
) -> None:
    """A title that shares fewer than half its words with arXiv's but is clearly related
    (word overlap at least ``RETITLE_OVERLAP``) is a revised title, not another paper."""
    from digestconv.enrich.merge import RETITLE_OVERLAP, another_work, title_overlap

    clock = FakeClock()
    options = EnrichOptions(cache_dir=tmp_path, api_url=arxiv_server.url)
    arxiv = "Testing Deep Learning Models: A First Comparative Study of Multiple Testing Techniques"
    older = "A Comparative Study of Testing Techniques for Neural Networks"
    assert RETITLE_OVERLAP <= title_overlap(older, arxiv) < 0.5
    assert not another_work(older, arxiv)
    found = lookup(KNOWN[:2], options, clock=clock, sleep=clock.sleep, titles={KNOWN[0]: older})
    assert found.records[KNOWN[0]].title == arxiv
    assert not [w for w in found.warnings if "not cached" in w]
    cached = lookup(KNOWN[:2], EnrichOptions(cache_dir=tmp_path, offline=True), clock=clock)
    assert cached.requests == 0 and cached.records[KNOWN[0]].title == arxiv


@pytest.mark.parametrize("same_abstract", [True, False])
def test_a_retitle_with_an_unrelated_title_is_cached_when_the_abstracts_agree(
    arxiv_server: ReplayServer, tmp_path: Path, same_abstract: bool
) -> None:
    """The digest names v1 under a title sharing no word with arXiv's latest: its own
    abstract decides, as for ``arxiv-retitled``, whether arXiv's answer is the paper (then
    cached like any other) or another one (used for the run only, with a warning)."""
    from digestconv.enrich.apply import enrich_papers
    from digestconv.enrich.merge import another_work
    from digestconv.model import Paper

    clock = FakeClock()
    ident = "2204.08348"  # at v3 in the recorded answer
    probe = EnrichOptions(cache_dir=tmp_path / "probe", api_url=arxiv_server.url)
    honest = lookup([ident, KNOWN[1]], probe, clock=clock, sleep=clock.sleep)
    record, other = honest.records[ident], honest.records[KNOWN[1]]
    assert record.version > 1
    title = "Zebrafish husbandry under varying photoperiods"
    assert another_work(title, record.title)
    paper = Paper(
        arxiv_id=ident,
        version=1,
        title=title,
        abstract=record.abstract if same_abstract else other.abstract,
    )
    options = EnrichOptions(cache_dir=tmp_path / "cache", api_url=arxiv_server.url)
    outcome = enrich_papers([("a.md", paper)], options, clock=clock, sleep=clock.sleep)
    assert outcome.result.records[ident].title == record.title  # used for the run
    warned = [w for w in outcome.warnings if "not cached" in w]
    offline = EnrichOptions(cache_dir=tmp_path / "cache", offline=True)
    again = lookup([ident], offline, clock=clock)
    if same_abstract:
        assert not warned
        assert again.records[ident].title == record.title
    else:
        assert len(warned) == 1 and f"arXiv:{ident}" in warned[0]
        assert ident in again.failed and not again.records
