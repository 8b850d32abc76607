"""Metadata sources behind one small interface, consulted in order: cache, snapshot, API.

Every source answers ``lookup(keys, deadline) -> LookupResult``: which keys it
found (with their records), which it can say do not exist (``missing``), and
which it could not answer (``failed``, with a reason).  Keys are unversioned
arXiv identifiers without an old-style subject class (see
:func:`digestconv.enrich.atom.match_key`); ``deadline`` is a time on the
source's clock after which it must give up.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import quote

from .atom import Feed, FeedError, parse_feed
from .politeness import BudgetExceeded, CircuitBreaker, Limiter, RetryPolicy, retry_after
from .record import ArxivRecord

#: at most this many identifiers per API request (arXiv answers 414 near 640)
BATCH_SIZE = 100
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
#: same-host redirects followed per request (each one paced like a request)
MAX_REDIRECTS = 3


@dataclass
class LookupResult:
    """What one source could say about some keys."""

    found: dict[str, ArxivRecord] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    def merge(self, other: LookupResult) -> None:
        """Add ``other``'s answers to this one."""
        self.found.update(other.found)
        self.missing.update(other.missing)
        self.failed.update(other.failed)


class MetadataSource(Protocol):
    """A place metadata comes from."""

    name: str

    def lookup(self, keys: list[str], deadline: float) -> LookupResult:
        """Look ``keys`` up, giving up at ``deadline``."""
        ...


class CacheSource:
    """Fresh records and fresh confirmed misses from the SQLite cache."""

    name = "cache"

    def __init__(
        self,
        cache: object,
        *,
        now: float,
        max_age: float,
        miss_age: float,
        refresh: bool = False,
    ) -> None:
        from .cache import Cache, Cached

        assert isinstance(cache, Cache)
        self.cache = cache
        self.now = now
        self.max_age = max_age
        self.miss_age = miss_age
        self.refresh = refresh
        #: every cached record, fresh or not (stale ones are served when a refresh fails)
        self.all: dict[str, Cached] = {}

    def lookup(self, keys: list[str], deadline: float) -> LookupResult:
        result = LookupResult()
        self.all = self.cache.get(keys, self.now, self.max_age)
        if self.refresh:
            return result
        for key, cached in self.all.items():
            if cached.fresh:
                result.found[key] = cached.record
        for key in self.cache.misses(keys, self.now, self.miss_age):
            if key not in result.found:
                result.missing[key] = "arXiv has no paper with this identifier (cached answer)"
        return result


class SnapshotSource:
    """Records from the bulk snapshot; a key it lacks is left for the next source."""

    name = "snapshot"

    def __init__(self, snapshot: object, fetched_at: str | None = None) -> None:
        from .snapshot import Snapshot

        assert isinstance(snapshot, Snapshot)
        self.snapshot = snapshot
        self.fetched_at = fetched_at

    def lookup(self, keys: list[str], deadline: float) -> LookupResult:
        return LookupResult(found=self.snapshot.lookup(keys, self.fetched_at))


Transport = Callable[..., object]


class ApiSource:
    """The arXiv API: batched ``id_list`` queries, paced, retried, matched by identifier.

    ``on_batch(found, missing)`` is called after every batch (the cache commits
    it, so an interrupted run resumes); ``progress(done)`` with the number of
    keys answered so far.
    """

    name = "api"

    def __init__(
        self,
        url: str,
        limiter: Limiter,
        *,
        user_agent: str,
        policy: RetryPolicy | None = None,
        rng: random.Random | None = None,
        timeout: float = 60.0,
        connect_timeout: float = 10.0,
        transport: Transport | None = None,
        on_batch: Callable[[Mapping[str, ArxivRecord], Iterable[str]], None] | None = None,
        progress: Callable[[int], None] | None = None,
        fetched_at: Callable[[], str] | None = None,
    ) -> None:
        self.url = url
        self.limiter = limiter
        self.user_agent = user_agent
        self.policy = policy or RetryPolicy()
        self.rng = rng or random.Random()
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.transport = transport
        self.on_batch = on_batch
        self.progress = progress
        self.fetched_at = fetched_at
        self.breaker = CircuitBreaker()
        self.throttled_in_a_row = 0
        self.requests = 0
        #: problems with single papers that did not stop the lookup
        self.warnings: list[str] = []

    def query_url(self, keys: list[str]) -> str:
        """The ``id_list`` query for one batch, ``max_results`` equal to its size."""
        ids = quote(",".join(keys), safe="/,.-")
        sep = "&" if "?" in self.url else "?"
        return f"{self.url}{sep}id_list={ids}&start=0&max_results={len(keys)}"

    def lookup(self, keys: list[str], deadline: float) -> LookupResult:
        result = LookupResult()
        keys = list(dict.fromkeys(keys))
        done = 0
        for start in range(0, len(keys), BATCH_SIZE):
            batch = keys[start : start + BATCH_SIZE]
            part = self._batch(batch, deadline)
            result.merge(part)
            if self.on_batch is not None and (part.found or part.missing):
                self.on_batch(part.found, [k for k in part.missing if k not in part.found])
            done += len(batch)
            if self.progress is not None:
                self.progress(done)
        return result

    # -- one batch -------------------------------------------------------------------------
    def _get(self, url: str, deadline: float) -> object:
        """One paced request; same-host redirects are followed, each one paced too."""
        from . import transport

        for _ in range(MAX_REDIRECTS + 1):
            response = self._request(url, deadline)
            if response.status not in transport.REDIRECTS:  # type: ignore[attr-defined]
                return response
            location = response.headers.get("location")  # type: ignore[attr-defined]
            url = transport.redirect_target(url, location)
        raise transport.TransportError("redirect", f"more than {MAX_REDIRECTS} redirects")

    def _request(self, url: str, deadline: float) -> object:
        from . import transport

        get = self.transport or transport.get
        clock = self.limiter.clock
        with self.limiter.slot(deadline):
            # the budget left once the slot came (waiting for it may take a while)
            left = min(self.timeout, deadline - clock())
            if left <= 0:
                raise BudgetExceeded("the time budget is spent")
            self.requests += 1
            return get(
                url,
                headers={"User-Agent": self.user_agent, "Accept": "application/atom+xml"},
                deadline=clock() + left,
                connect_timeout=min(self.connect_timeout, left),
                clock=clock,
            )

    def _batch(self, keys: list[str], deadline: float) -> LookupResult:
        from .transport import TransportError

        result = LookupResult()
        pending = list(keys)
        failures = 0
        resent_after_400 = False
        retried_empty = False
        throttled = False

        def fail(reason: str) -> LookupResult:
            for key in pending:
                result.failed[key] = reason
            return result

        while True:
            if self.breaker.open:
                return fail(str(self.breaker.reason))
            if self.throttled_in_a_row >= self.policy.throttled_batches:
                return fail("arXiv is throttling requests (HTTP 429): stopped asking")
            header: float | None = None
            try:
                response = self._get(self.query_url(pending), deadline)
            except BudgetExceeded:
                return fail("the time budget for arXiv requests is spent")
            except TransportError as exc:
                if exc.kind == "connect":
                    self.breaker.trip(f"arXiv API unreachable: {exc}")
                    return fail(str(self.breaker.reason))
                if exc.kind in ("redirect", "too-large"):
                    return fail(f"arXiv API: {exc}")
                reason = f"arXiv API: {exc}"
            else:
                status = response.status  # type: ignore[attr-defined]
                body = response.body  # type: ignore[attr-defined]
                headers = response.headers  # type: ignore[attr-defined]
                if status == 200:
                    try:
                        feed = parse_feed(body, fetched_at=self._stamp())
                    except FeedError as exc:
                        reason = f"arXiv API sent an unreadable response ({exc})"
                    else:
                        answered = feed.records or feed.invalid
                        if not answered and len(pending) > 1 and not retried_empty:
                            # arXiv sometimes answers a valid query with an empty page
                            retried_empty = True
                            reason = "arXiv API sent an empty feed"
                        else:
                            self._sort(feed, pending, result)
                            if not throttled:
                                self.throttled_in_a_row = 0
                            return result
                elif status == 400:
                    bad = self._rejected(body, pending)
                    if bad and not resent_after_400:
                        resent_after_400 = True
                        for key, message in bad.items():
                            result.missing[key] = f"arXiv rejected the identifier: {message}"
                        pending = [k for k in pending if k not in bad]
                        if not pending:
                            return result
                        continue
                    return fail("arXiv API answered HTTP 400")
                elif status in RETRY_STATUS:
                    header = retry_after(headers.get("retry-after"), self.limiter.clock())
                    if status == 429:
                        throttled = True
                        self.limiter.cool_down(self.policy.cooldown)
                        reason = "arXiv is throttling requests (HTTP 429)"
                    else:
                        reason = f"arXiv API answered HTTP {status}"
                else:
                    return fail(f"arXiv API answered HTTP {status}")
            failures += 1
            if failures >= self.policy.attempts:
                if throttled:
                    self.throttled_in_a_row += 1
                return fail(reason)
            if header is not None and header > self.policy.max_retry_after:
                if throttled:
                    self.throttled_in_a_row += 1
                return fail(f"{reason}; asked to wait {header:.0f} s")
            wait = self.policy.wait(failures, header, self.rng)
            if self.limiter.clock() + wait > deadline:
                return fail(f"{reason}; the time budget for arXiv requests is spent")
            self.limiter.sleep(wait)

    def _sort(self, feed: Feed, pending: list[str], result: LookupResult) -> None:
        """File each asked key under found, missing or failed from one feed.

        Only what was asked for and answered is found.  An entry that failed
        validation fails its key (it is not cached).  A key the feed does not
        answer is a confirmed miss only when the feed answered nothing else: a
        feed holding identifiers that were not asked for is not trusted to say
        what arXiv lacks.
        """
        asked = set(pending)
        strangers = sorted((set(feed.records) | set(feed.invalid)) - asked)
        for key in pending:
            if key in feed.records:
                result.found[key] = feed.records[key]
            elif key in feed.invalid:
                reason = f"arXiv API sent an invalid record for arXiv:{key} ({feed.invalid[key]})"
                result.failed[key] = reason
                self.warnings.append(f"{reason}: not used, not cached")
            elif strangers:
                result.failed[key] = (
                    "arXiv API answered with identifiers that were not asked for "
                    f"({', '.join(strangers[:3])}{', ...' if len(strangers) > 3 else ''})"
                )
            else:
                result.missing[key] = "arXiv has no paper with this identifier"

    @staticmethod
    def _rejected(body: bytes, pending: list[str]) -> dict[str, str]:
        """The pending keys an error feed names, with arXiv's message."""
        try:
            feed = parse_feed(body)
        except FeedError:
            return {}
        out: dict[str, str] = {}
        for error in feed.errors:
            if error.bad_id is None:
                continue
            for key in pending:
                if key == error.bad_id or key.lower() == error.bad_id.lower():
                    out[key] = error.message
        return out

    def _stamp(self) -> str | None:
        return self.fetched_at() if self.fetched_at is not None else None
