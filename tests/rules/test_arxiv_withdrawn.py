"""DC507 arxiv-withdrawn: arXiv's latest version is a withdrawal notice."""

from __future__ import annotations

from .conftest import assert_registered
from .metadata_util import check, real_paper, record_of, silent_on_real_records

NAME = "arxiv-withdrawn"


def test_registered() -> None:
    assert_registered(NAME, "DC507", "warning", scope="metadata")


def test_withdrawn_by_comment_or_abstract() -> None:
    paper = real_paper()
    by_comment = record_of(paper, version=2, comment="This paper has been withdrawn by the authors")
    [d] = check(NAME, paper, by_comment)
    assert d.severity == "warning" and "v2" in d.message and "withdrawn" in d.message
    by_abstract = record_of(paper, abstract="This paper has been withdrawn due to an error.")
    assert len(check(NAME, paper, by_abstract)) == 1


def test_ordinary_comment_is_fine() -> None:
    paper = real_paper()
    assert check(NAME, paper, record_of(paper, comment="12 pages, 4 figures")) == []
    assert check(NAME, paper, record_of(paper, comment="Withdrawal rates of drugs")) == []
    silent_on_real_records(NAME)
