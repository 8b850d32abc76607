"""A hostile arXiv API, driven by Hypothesis: trickle, stall, lie, overflow, corrupt, extremes.

Each example scripts the loopback server's next answers with a few of these
behaviours and converts the three seed digests (32 papers) with ``--enrich``
against it.  Whatever the server does:

* nothing raises, and the run ends within its deadlines (short ones here);
* every paper is written, enriched or from the digest alone;
* the cache stays consistent: it reopens, ``quick_check`` is ok, every cached
  record re-validates and is the honest record of its identifier, and no paper
  the honest server has is cached as missing.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import tempfile
import time
from functools import cache
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digestconv import formats
from digestconv.conversion import convert
from digestconv.enrich import EnrichOptions
from digestconv.enrich.cache import Cache
from digestconv.enrich.record import validate

from .conftest import (
    Action,
    FakeClock,
    ReplayServer,
    answer,
    answer_for,
    empty,
    malformed,
    redirect_to_self,
    reset_mid_body,
    rewrite,
    send,
    set_element,
    status,
    swap_ids,
    trickle,
)
from .test_convert import DIGESTS, SEED_RECORDS

TIMEOUT = 0.5  # seconds per request, on the real clock
ATTEMPTS = 3


def stall(h: BaseHTTPRequestHandler, s: ReplayServer, ids: list[str], limit: int) -> None:
    """Accept the request and say nothing for longer than any deadline here."""
    time.sleep(TIMEOUT * 4)


@cache
def _bomb() -> bytes:
    return gzip.compress(b"<" * (70 * 1024 * 1024), compresslevel=9, mtime=0)


def gzip_bomb(h: BaseHTTPRequestHandler, s: ReplayServer, ids: list[str], limit: int) -> None:
    """A small gzip body that inflates past the size limit."""
    with contextlib.suppress(OSError):
        send(h, 200, _bomb(), {"Content-Encoding": "gzip"})


def huge_declared(h: BaseHTTPRequestHandler, s: ReplayServer, ids: list[str], limit: int) -> None:
    """A Content-Length of 10 GB (the body never comes)."""
    h.send_response(200)
    h.send_header("Content-Length", str(10 * 1024**3))
    h.end_headers()
    h.close_connection = True


def bad_gzip(h: BaseHTTPRequestHandler, s: ReplayServer, ids: list[str], limit: int) -> None:
    """A body that claims gzip and is not."""
    send(h, 200, b"\x1f\x8b\x08\x00 not really gzip", {"Content-Encoding": "gzip"})


def not_xml(h: BaseHTTPRequestHandler, s: ReplayServer, ids: list[str], limit: int) -> None:
    send(h, 200, b"\x00\xff<feed>" + bytes(range(256)))


BEHAVIOURS: dict[str, Action] = {
    "honest": answer,
    "trickle-headers": trickle(0.05, "headers"),
    "trickle-body": trickle(0.01, "body"),
    "stall": stall,
    "reset": reset_mid_body,
    "malformed": malformed,
    "not-xml": not_xml,
    "bad-gzip": bad_gzip,
    "gzip-bomb": gzip_bomb,
    "huge-declared": huge_declared,
    "empty": empty,
    "503": status(503),
    "429": status(429, b"Rate exceeded."),
    "redirect-loop": redirect_to_self,
    "strangers": answer_for(["1111.2011", "astro-ph/0601001"]),
    "swapped": rewrite(swap_ids),
    "published-0001": rewrite(set_element("published", "0001-01-01T00:00:00+14:00")),
    "updated-9999": rewrite(set_element("updated", "9999-12-31T23:59:59-12:00", nth=3)),
    "title-surrogate-ish": rewrite(set_element("title", "\ufffd\u202e\u200b")),
    "doi-huge": rewrite(set_element("doi", "10." + "9" * 600)),
}


def _check_cache(folder: Path, honest: dict[str, str]) -> None:
    with Cache(folder) as store:
        assert store.warnings == []
        assert store.check() == "ok"
        assert store._db is not None
        rows = store._db.execute("SELECT key, json FROM records").fetchall()
        misses = {k for (k,) in store._db.execute("SELECT key FROM misses")}
    for key, text in rows:
        record = validate(json.loads(text))
        assert record.arxiv_id == key
        if key in honest:  # a lie is never kept
            assert record.title == honest[key], key
    assert not misses & set(honest)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
)
@given(script=st.lists(st.sampled_from(sorted(BEHAVIOURS)), min_size=1, max_size=ATTEMPTS))
def test_a_hostile_server_never_breaks_a_run(script: list[str]) -> None:
    honest = {k: r.title for k, r in SEED_RECORDS.items()}
    with ReplayServer() as server, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        server.then(*(BEHAVIOURS[name] for name in script))
        clock = FakeClock()
        options = EnrichOptions(
            cache_dir=folder, api_url=server.url, timeout=TIMEOUT, connect_timeout=TIMEOUT
        )
        start = time.monotonic()
        result = convert(
            DIGESTS,
            formats.find("bibtex"),  # type: ignore[arg-type]
            enrich=options,
            enrich_hooks={"clock": clock, "sleep": clock.sleep},
        )
        elapsed = time.monotonic() - start
        # no hang: each request is cut at its deadline (plus conversion time)
        assert elapsed < len(script) * (TIMEOUT * 2 + 0.5) + 20, (script, elapsed)
        assert len(result.papers) == 32
        assert result.output.count(b"@misc{") == 32  # every paper written
        assert result.unenriched + len(result.records) == 32
        for record in result.records.values():
            assert validate(record) == record
        _check_cache(folder, honest)
