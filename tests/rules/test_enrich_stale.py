"""DC503 enrich-stale: a paper's metadata came from a cache entry past its maximum age."""

from __future__ import annotations

import datetime as dt

from digestconv.enrich.apply import Outcome, papers_of
from digestconv.enrich.record import ArxivRecord
from digestconv.enrich.service import EnrichResult
from digestconv.rules.engine import lookup_diagnostics
from digestconv.settings import Settings

from .conftest import SEED_000, assert_diagnostic, assert_registered, parse, seed

NAME = "enrich-stale"
NOW = dt.datetime(2026, 11, 29, tzinfo=dt.timezone.utc).timestamp()


def _record(arxiv_id: str) -> ArxivRecord:
    return ArxivRecord(arxiv_id, 1, "T", "A", fetched_at="2026-10-10T00:00:00Z")


def test_registered() -> None:
    assert_registered(NAME, "DC503", "warning", scope="lookup")


def test_each_stale_paper_at_its_link() -> None:
    papers = tuple(papers_of([parse(seed(SEED_000), "seeds/000.txt")]))
    result = EnrichResult(
        records={"2403.15711": _record("2403.15711"), "2402.04177": _record("2402.04177")},
        stale={"2402.04177"},
    )
    outcome = Outcome(papers, result, max_age=30 * 86400.0, now=NOW)
    (diag,) = lookup_diagnostics(outcome, Settings())
    paper = papers[1][1]
    assert_diagnostic(
        diag,
        NAME,
        paper.span("url").line,
        paper.span("url").column,
        says=("arXiv:2402.04177", "fetched 50 days ago", "maximum age of 30 days"),
        path="seeds/000.txt",
    )
    assert lookup_diagnostics(outcome, Settings(ignore=("DC503",))) == []


def test_silent_without_stale_records() -> None:
    papers = tuple(papers_of([parse(seed(SEED_000), "seeds/000.txt")]))
    result = EnrichResult(records={"2403.15711": _record("2403.15711")})
    assert lookup_diagnostics(Outcome(papers, result, now=NOW), Settings()) == []
