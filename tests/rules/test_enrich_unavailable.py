"""DC502 enrich-unavailable: one line for the papers that could not be enriched, and why."""

from __future__ import annotations

from digestconv.enrich.apply import Outcome, papers_of
from digestconv.enrich.service import EnrichResult
from digestconv.rules.engine import lookup_diagnostics
from digestconv.settings import Settings

from .conftest import SEED_000, SEED_003, assert_diagnostic, assert_registered, parse, seed

NAME = "enrich-unavailable"


def _outcome(result: EnrichResult) -> Outcome:
    digests = [parse(seed(SEED_000), "seeds/000.txt"), parse(seed(SEED_003), "seeds/003.txt")]
    return Outcome(tuple(papers_of(digests)), result)


def test_registered() -> None:
    assert_registered(NAME, "DC502", "warning", scope="lookup")


def test_one_line_says_how_many_and_why() -> None:
    outcome = _outcome(
        EnrichResult(
            failed={
                "2403.15711": "arXiv API unreachable (connection refused)",
                "2402.04177": "arXiv API unreachable (connection refused)",
            }
        )
    )
    (diag,) = [d for d in lookup_diagnostics(outcome, Settings()) if d.rule == NAME]
    paper = outcome.papers[0][1]
    assert_diagnostic(
        diag,
        NAME,
        paper.span("url").line,
        paper.span("url").column,
        says=("2 papers not enriched", "connection refused", "the digest alone is used for them"),
        path="seeds/000.txt",
    )


def test_silent_when_every_paper_was_found_or_missing() -> None:
    outcome = _outcome(EnrichResult(missing={"2403.15711": "arXiv has no paper"}))
    assert lookup_diagnostics(outcome, Settings()) == []


def test_ignorable() -> None:
    outcome = _outcome(EnrichResult(failed={"2403.15711": "offline: not in the cache"}))
    assert lookup_diagnostics(outcome, Settings(ignore=(NAME,))) == []
    assert lookup_diagnostics(outcome, Settings(ignore=("DC502",))) == []
    (diag,) = lookup_diagnostics(outcome, Settings(severity={NAME: "error"}))
    assert diag.severity == "error"
