"""DC504 arxiv-title-mismatch: the digest's title is not arXiv's title for the identifier."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digestconv.enrich.merge import same_title

from .conftest import assert_registered
from .metadata_util import check, real_paper, record_of, silent_on_real_records

NAME = "arxiv-title-mismatch"


def test_registered() -> None:
    assert_registered(NAME, "DC504", "error", scope="metadata")


def test_wrong_link_is_an_error() -> None:
    paper = real_paper()
    other = "Scaling Laws for Downstream Task Performance of Large Language Models"
    [d] = check(NAME, paper, record_of(paper, title=other))
    assert d.severity == "error"
    assert "Scaling Laws" in d.message and paper.title[:20] in d.message
    assert d.line == paper.span("title").line


def test_real_titles_never_flag() -> None:
    silent_on_real_records(NAME)


@pytest.mark.parametrize(
    ("digest", "arxiv"),
    [
        ("Identifiable Latent Neural Causal Models", "Identifiable latent neural\n  causal models"),
        ('Schr\\"odinger Bridges', "Schrödinger Bridges"),
        ('Schr{\\"o}dinger Bridges', "Schrödinger  Bridges"),
        ("$\\alpha$-Divergence Training", "α-Divergence Training"),
        ("Fast ``Attention'' -- Revisited", "Fast “Attention” – Revisited"),
        ("ＢＥＲＴ：Pre-training", "BERT: Pre-Training"),
    ],
)
def test_equal_titles_in_other_spellings(digest: str, arxiv: str) -> None:
    paper = dataclasses.replace(real_paper(), title=digest)
    assert check(NAME, paper, record_of(real_paper(), title=arxiv)) == []


@given(st.text(min_size=1, max_size=80))
def test_a_title_equals_its_respacing_and_recasing(title: str) -> None:
    assert same_title(title, "  ".join(title.upper().split()) if title.strip() else title)


def test_a_revised_title_of_a_later_version_is_fine_a_wrong_link_is_not() -> None:
    paper = real_paper()
    assert paper.version == 1
    revised = "Identifiable Latent Neural Causal Models under Distribution Shifts"
    assert check(NAME, paper, record_of(paper, version=2, title=revised)) == []
    assert len(check(NAME, paper, record_of(paper, version=1, title=revised))) == 1
    # another paper's record: its title and its abstract
    other = real_paper(1)
    assert other.title and other.title.startswith("Scaling Laws for Downstream Task Performance")
    wrong = record_of(paper, version=2, title=other.title, abstract=other.abstract)
    assert len(check(NAME, paper, wrong)) == 1
    # the same title with the paper's own abstract: a retitle (arxiv-retitled), not this
    assert check(NAME, paper, record_of(paper, version=2, title=other.title)) == []
