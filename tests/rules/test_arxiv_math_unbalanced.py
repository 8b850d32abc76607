"""DC510 arxiv-math-unbalanced: arXiv's own TeX for a paper lost a `$`."""

from __future__ import annotations

from .conftest import assert_registered
from .metadata_util import check, real_paper, record_of, silent_on_real_records

ARXIV = "arxiv-math-unbalanced"


def test_registered() -> None:
    assert_registered(ARXIV, "DC510", "warning", scope="metadata")


def test_arxiv_text_with_a_lost_dollar_is_a_warning_on_the_paper() -> None:
    paper = real_paper()
    record = record_of(paper, abstract="where $p is the momentum and $E$ the energy of it")
    [d] = check(ARXIV, paper, record)
    assert d.severity == "warning" and "abstract" in d.message
    assert check(ARXIV, paper, record_of(paper, abstract="the energy $E$ of a state")) == []
    assert check(ARXIV, paper, None) == []
    silent_on_real_records(ARXIV)
