"""DC508 arxiv-abstract-conflict: the digest's abstract is not the start of arXiv's."""

from __future__ import annotations

from .conftest import assert_registered
from .metadata_util import check, real_paper, record_of, silent_on_real_records

NAME = "arxiv-abstract-conflict"


def test_registered() -> None:
    assert_registered(NAME, "DC508", "warning", scope="metadata")


def test_other_abstract() -> None:
    paper = real_paper()
    [d] = check(NAME, paper, record_of(paper, abstract="We study scaling laws of language models."))
    assert d.severity == "warning" and "character 1" in d.message and "kept" in d.message
    assert d.line == paper.span("abstract").line


def test_cut_abstract_continued_by_arxiv_is_fine() -> None:
    paper = real_paper()
    assert paper.abstract_truncated
    refolded = "\n  ".join((paper.abstract or "").split(" ")) + " continued to its end."
    assert check(NAME, paper, record_of(paper, abstract=refolded)) == []
    silent_on_real_records(NAME)
