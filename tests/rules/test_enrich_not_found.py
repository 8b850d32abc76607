"""DC501 enrich-not-found: arXiv has no paper with the digest's identifier."""

from __future__ import annotations

from .conftest import assert_registered
from .metadata_util import check, real_paper, record_of, silent_on_real_records

NAME = "enrich-not-found"


def test_registered() -> None:
    assert_registered(NAME, "DC501", "error", scope="metadata")


def test_no_such_paper() -> None:
    paper = real_paper()
    [d] = check(NAME, paper, None)
    assert d.severity == "error" and d.code == "DC501"
    assert f"arXiv:{paper.arxiv_id}" in d.message and "points nowhere" in d.message
    assert (d.line, d.column) == (paper.span("url").line, paper.span("url").column)


def test_found_paper_is_fine() -> None:
    paper = real_paper()
    assert check(NAME, paper, record_of(paper)) == []
    silent_on_real_records(NAME)
