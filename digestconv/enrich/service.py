"""The library entry point: :func:`lookup` identifiers in cache, snapshot and API."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .options import EnrichOptions
from .record import ArxivRecord


@dataclass
class EnrichResult:
    """What :func:`lookup` found, keyed by the identifiers it was given (unversioned).

    ``records``: the metadata found.  ``missing``: identifiers arXiv confirmed
    it does not have (or rejected as malformed), with the reason.  ``failed``:
    identifiers that could not be looked up this time (offline, network down,
    throttled, time budget spent), with the reason.  ``stale``: identifiers
    whose record came from the cache after its ``max_age`` because a refresh
    failed.  ``origin`` says where each record came from (``cache``,
    ``snapshot``, ``api``).  ``requests`` counts HTTP requests made.
    ``warnings`` are problems that did not stop the lookup (an unusable cache).
    """

    records: dict[str, ArxivRecord] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    stale: set[str] = field(default_factory=set)
    origin: dict[str, str] = field(default_factory=dict)
    requests: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def failure_reason(self) -> str | None:
        """The most common reason papers failed, or ``None`` when none failed."""
        if not self.failed:
            return None
        counts: dict[str, int] = {}
        for reason in self.failed.values():
            counts[reason] = counts.get(reason, 0) + 1
        return max(counts, key=lambda r: (counts[r], r))


def _settle(
    held: Mapping[str, ArxivRecord],
    wanted: Mapping[str, list[str]],
    same_work: Callable[[Mapping[str, ArxivRecord]], Iterable[str]] | None,
    cache: object,
    now: float,
    warnings: list[str],
) -> None:
    """Cache the held-back answers ``same_work`` vouches for; warn of the others."""
    vouched: set[str] = set()
    if same_work is not None:
        asked = {caller: record for key, record in held.items() for caller in wanted[key]}
        callers = set(same_work(asked))
        vouched = {key for key in held if callers.intersection(wanted[key])}
    if vouched:
        cache.put({k: held[k] for k in sorted(vouched)}, (), now)  # type: ignore[attr-defined]
    for key in sorted(set(held) - vouched):
        warnings.append(
            f"arXiv:{key}: arXiv's answer is titled {held[key].title[:80]!r}, which shares "
            "few words with the digest's title: used for this run, not cached"
        )


def _iso(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def lookup(
    ids: Iterable[str],
    options: EnrichOptions | None = None,
    *,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
    progress: Callable[[int, int], None] | None = None,
    transport: Callable[..., object] | None = None,
    titles: Mapping[str, str] | None = None,
    same_work: Callable[[Mapping[str, ArxivRecord]], Iterable[str]] | None = None,
) -> EnrichResult:
    """Look arXiv identifiers up: the cache first, then the snapshot, then the API.

    ``ids`` may carry versions (``2403.15711v2``); results are keyed by the
    unversioned identifier.  Never raises for network, cache, snapshot or data
    problems: they end up in :attr:`EnrichResult.failed` and
    :attr:`EnrichResult.warnings` (a snapshot that cannot be read or indexed
    is left out, with a warning).

    ``titles`` maps identifiers to the titles the caller expects (the digest's):
    an API answer whose title names another work (it shares less than
    :data:`~digestconv.enrich.merge.RETITLE_OVERLAP` of its words with the
    expected one) is used for this run but not cached, with a warning (a lying
    or broken server must not fix a wrong record in the cache for a month).
    Unless ``same_work`` vouches for it: given every such answer at once, after
    the API is done, it returns the identifiers whose answer is still the
    paper the caller has (a retitled later version whose abstract is the
    digest's), and those are cached as any other answer.

    ``clock``, ``sleep``, ``rng`` and ``transport`` are for tests: they never
    lower the 3-second spacing between requests.  ``progress(done, total)`` is
    called as API batches complete.
    """
    from .. import arxiv
    from .atom import match_key
    from .cache import Cache
    from .politeness import Limiter
    from .sources import ApiSource, CacheSource, SnapshotSource
    from .transport import user_agent

    options = options or EnrichOptions()
    result = EnrichResult()
    expect = {arxiv.split_version(k.strip())[0]: v for k, v in (titles or {}).items()}
    wanted: dict[str, list[str]] = {}
    for raw in ids:
        base, _ = arxiv.split_version(raw.strip())
        ident, why = arxiv.check_id(base)
        if ident is None:
            result.missing[base] = f"malformed identifier ({why})"
            continue
        callers = wanted.setdefault(match_key(base), [])
        if base not in callers:
            callers.append(base)
    keys = list(wanted)
    now = clock()
    deadline = now + options.budget
    folder = options.resolved_cache_dir() if options.use_cache else None
    cache = Cache(folder, memory=not options.use_cache)
    try:
        found: dict[str, tuple[ArxivRecord, str]] = {}
        missing: dict[str, str] = {}
        failed: dict[str, str] = {}
        cache_source = CacheSource(
            cache,
            now=now,
            max_age=options.max_age,
            miss_age=options.miss_age,
            refresh=options.refresh,
        )
        answer = cache_source.lookup(keys, deadline)
        found.update((k, (r, "cache")) for k, r in answer.found.items())
        missing.update(answer.missing)
        todo = [k for k in keys if k not in found and k not in missing]
        if todo and options.snapshot is not None:
            from .snapshot import Snapshot, SnapshotError

            snap = Snapshot(Path(options.snapshot), index_dir=folder)
            try:
                answer = SnapshotSource(snap, _iso(now)).lookup(todo, deadline)
            except SnapshotError as exc:
                result.warnings.append(f"snapshot not used: {exc}")
            else:
                found.update((k, (r, "snapshot")) for k, r in answer.found.items())
                cache.put(answer.found, (), now)
                todo = [k for k in todo if k not in found]
            finally:
                snap.close()
                result.warnings.extend(snap.notes)
                for key, why in sorted(snap.invalid.items()):
                    result.warnings.append(
                        f"snapshot: arXiv:{key}: invalid record ({why}): not used"
                    )
        if todo and options.offline:
            where = "the cache or the snapshot" if options.snapshot else "the cache"
            failed.update((k, f"offline: not in {where}") for k in todo)
        elif todo:
            limiter = Limiter(cache, clock=clock, sleep=sleep, lock_path=cache.lock_path)

            #: answers whose title names another work than the digest's, held back
            held: dict[str, ArxivRecord] = {}

            def store(records: Mapping[str, ArxivRecord], gone: Iterable[str]) -> None:
                kept = {}
                for key, record in records.items():
                    if _doubtful(key, record):
                        held[key] = record
                    else:
                        kept[key] = record
                cache.put(kept, gone, clock())

            def _doubtful(key: str, record: ArxivRecord) -> bool:
                """Whether an answer's title names another work than the digest's."""
                from .merge import another_work

                expected = next((t for c in wanted[key] if (t := expect.get(c))), None)
                return bool(expected and record.title and another_work(expected, record.title))

            def report(done: int) -> None:
                if progress is not None:
                    progress(done, len(todo))

            api = ApiSource(
                options.api_url,
                limiter,
                user_agent=user_agent(options.contact),
                rng=rng,
                timeout=options.timeout,
                connect_timeout=options.connect_timeout,
                transport=transport,
                on_batch=store,
                progress=report,
                fetched_at=lambda: _iso(clock()),
            )
            answer = api.lookup(todo, deadline)
            result.requests = api.requests
            result.warnings.extend(api.warnings)
            found.update((k, (r, "api")) for k, r in answer.found.items())
            missing.update(answer.missing)
            failed.update(answer.failed)
            if held:
                _settle(held, wanted, same_work, cache, clock(), result.warnings)
        # a failed refresh serves what the cache has, marked stale
        for key in list(failed):
            cached = cache_source.all.get(key)
            if cached is not None:
                found[key] = (cached.record, "cache")
                del failed[key]
                if not cached.fresh:
                    result.stale.add(key)
        result.warnings.extend(cache.warnings)
    finally:
        cache.close()
    for key, callers in wanted.items():
        for caller in callers:
            if key in found:
                record, origin = found[key]
                result.records[caller] = record
                result.origin[caller] = origin
                if key in result.stale:
                    result.stale.discard(key)
                    result.stale.add(caller)
            elif key in missing:
                result.missing[caller] = missing[key]
            elif key in failed:
                result.failed[caller] = failed[key]
    return result
