"""DC506 arxiv-category-mismatch: the digest's primary category is not arXiv's."""

from __future__ import annotations

import dataclasses

from .conftest import SEED_001, assert_registered
from .metadata_util import OLD_FEED, check, real_paper, record_of, silent_on_real_records

NAME = "arxiv-category-mismatch"


def test_registered() -> None:
    assert_registered(NAME, "DC506", "warning", scope="metadata")


def test_other_primary_category() -> None:
    paper = real_paper(OLD_FEED, SEED_001)
    assert paper.primary_category == "cs.LG"
    [d] = check(NAME, paper, record_of(paper, categories=("math.ST", "cs.LG")))
    assert d.severity == "warning"
    assert "cs.LG" in d.message and "math.ST" in d.message
    assert d.line == paper.span("primary_category").line


def test_same_or_alias_is_fine() -> None:
    paper = dataclasses.replace(real_paper(OLD_FEED, SEED_001), primary_category="stat.TH")
    assert check(NAME, paper, record_of(paper, categories=("math.ST",))) == []
    silent_on_real_records(NAME)
