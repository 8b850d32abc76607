"""Rules about the arXiv metadata lookup itself (scope ``lookup``).

They run only with ``--enrich``: ``check(outcome, settings)`` receives the
:class:`~digestconv.enrich.apply.Outcome` of the run's lookup.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .registry import Finding, rule

if TYPE_CHECKING:
    from ..enrich.apply import Outcome
    from ..settings import Settings


@rule(
    "DC502",
    "enrich-unavailable",
    "warning",
    scope="lookup",
    bad="""
    $ digestconv to bibtex --enrich digests/      # with the network down
    """,
    good="""
    $ digestconv enrich digests/                  # while online: fills the cache
    $ digestconv to bibtex --enrich --offline digests/
    """,
)
def enrich_unavailable(outcome: Outcome, settings: Settings) -> Iterator[Finding]:
    """Some papers could not be enriched with arXiv metadata: offline, network, throttling or time.

    With `--enrich`, papers are looked up in the cache, the snapshot and the
    arXiv API.  When a paper is in none of them and the API cannot be asked
    (`--offline`, the network is down, arXiv throttles requests, or the time
    budget is spent), the paper is still written from the digest alone, and
    this one warning says how many papers were not enriched and why, at the
    first of them.  Run `digestconv enrich` when online to fill the cache,
    or pass `--snapshot FILE` to use the bulk metadata file offline.
    """
    missed = outcome.not_enriched()
    if not missed:
        return
    path, paper = missed[0]
    count = len(missed)
    noun = "paper" if count == 1 else "papers"
    reason = outcome.result.failure_reason or "unknown reason"
    yield Finding(
        paper.span("url"),
        f"{count} {noun} not enriched with arXiv metadata: {reason}; the digest alone is used "
        f"for {'it' if count == 1 else 'them'}",
        path,
    )


@rule(
    "DC503",
    "enrich-stale",
    "warning",
    scope="lookup",
    bad="""
    $ digestconv to bibtex --enrich --offline digests/   # the cache was filled 40 days ago
    """,
    good="""
    $ digestconv enrich --refresh digests/               # while online
    """,
)
def enrich_stale(outcome: Outcome, settings: Settings) -> Iterator[Finding]:
    """Metadata came from a cache entry older than the maximum age because a refresh failed.

    Cached records stay fresh for `--max-age` (30 days by default): arXiv
    adds journal references and DOIs without new versions.  An older record
    is used when it cannot be refreshed (offline, network down), and this
    warning names each paper it was used for and how old it is.
    """
    result = outcome.result
    seen: set[str] = set()
    for path, paper in outcome.papers:
        key = paper.arxiv_id
        if key is None or key not in result.stale or key in seen:
            continue
        seen.add(key)
        record = result.records[key]
        age = _age_days(record.fetched_at, outcome.now)
        when = f"fetched {age} days ago" if age is not None else "of unknown age"
        yield Finding(
            paper.span("url"),
            f"arXiv:{key}: metadata from the cache is {when}, older than the maximum age "
            f"of {outcome.max_age / 86400:g} days, and could not be refreshed",
            path,
        )


def _age_days(stamp: str | None, now: float) -> int | None:
    if not stamp:
        return None
    import datetime as dt

    try:
        when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return max(0, int((now - when.timestamp()) // 86400))
