"""DC509 arxiv-retitled: a later arXiv version retitled the paper; DC504 stays for wrong links.

The split between the warning and ``arxiv-title-mismatch`` is the word overlap of
the two titles (:func:`~digestconv.enrich.merge.title_overlap`) against
:data:`~digestconv.enrich.merge.RETITLE_OVERLAP` and, when the titles share fewer
words, the word overlap of the English abstracts
(:func:`~digestconv.enrich.merge.abstract_overlap`) against
:data:`~digestconv.enrich.merge.ABSTRACT_OVERLAP`; both are held here to the real
calibration set in ``tests/data/retitles`` (see its PROVENANCE.md).
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digestconv.enrich.merge import (
    ABSTRACT_MIN_WORDS,
    ABSTRACT_OVERLAP,
    RETITLE_OVERLAP,
    abstract_overlap,
    abstract_words,
    abstracts_agree,
    compared_abstracts,
    merge,
    title_conflict,
    title_overlap,
    title_revised,
    title_words,
)
from digestconv.enrich.record import ArxivRecord
from digestconv.model import Paper

from ..test_reader_regressions import line_events
from .conftest import SEED_001, assert_registered
from .metadata_util import check, real_paper, record_of, silent_on_real_records

NAME = "arxiv-retitled"
MISMATCH = "arxiv-title-mismatch"
DATA = Path(__file__).resolve().parents[1] / "data" / "retitles"

#: arXiv:2303.06016, v1 and v2 as arXiv listed them (tests/data/retitles/retitles.jsonl.gz)
OLD = "Modelling Projection Bias in Intertemporal Choices: A Prospect Theory Based Approach"
NEW = "Probe: Learning Users' Personalized Projection Bias in Intertemporal Bundle Choices"
#: two papers listed side by side in one cs.LG digest (tests/data/retitles/wrong-links.jsonl.gz)
A = "Model selection of polynomial kernel regression"
B = (
    "Does generalization performance of $l^q$ regularization learning depend on $q$? "
    "A negative example"
)


def paper_titled(title: str, version: int | None = 1) -> Paper:
    """A real seed paper (its spans, abstract, category) with another English title."""
    return dataclasses.replace(real_paper(), title=title, version=version)


def both(paper: Paper, **record: object) -> tuple[list[str], list[str]]:
    """(DC509 severities, DC504 severities) for ``paper`` against its record changed."""
    rec = record_of(real_paper(), **record)
    return (
        [d.severity for d in check(NAME, paper, rec)],
        [d.severity for d in check(MISMATCH, paper, rec)],
    )


def test_registered() -> None:
    assert_registered(NAME, "DC509", "warning", scope="metadata")


def test_real_titles_never_flag() -> None:
    silent_on_real_records(NAME)


def test_the_projection_bias_retitle_is_a_warning_not_an_error() -> None:
    paper = paper_titled(OLD, version=1)
    [d] = check(NAME, paper, record_of(real_paper(), version=2, title=NEW))
    assert d.severity == "warning" and d.code == "DC509"
    assert d.line == paper.span("title").line
    assert "after v1: v2 is 'Probe: Learning Users' Personalized" in d.message
    assert "Modelling Projection Bias" in d.message and "29% of words shared" in d.message
    assert check(MISMATCH, paper, record_of(real_paper(), version=2, title=NEW)) == []
    assert title_revised(paper, record_of(real_paper(), version=2, title=NEW))
    assert not title_conflict(paper, record_of(real_paper(), version=2, title=NEW))


def test_a_wrong_link_to_a_later_version_is_still_an_error() -> None:
    """A digest title of paper A with paper B's record (arXiv's latest is later)."""
    assert title_overlap(A, B) < RETITLE_OVERLAP
    other = real_paper(1).abstract
    assert both(paper_titled(A, version=2), version=3, title=B, abstract=other) == ([], ["error"])
    # the seeds' own neighbours: the first paper's title with the second paper's record
    first, second = real_paper(0), real_paper(1)
    assert first.title and second.title
    rec = record_of(second, version=5)
    assert [d.severity for d in check(MISMATCH, dataclasses.replace(first, version=1), rec)] == [
        "error"
    ]
    assert check(NAME, dataclasses.replace(first, version=1), rec) == []


@pytest.mark.parametrize("version", [1, None])
def test_at_arxivs_latest_version_any_title_difference_stays_an_error(version: int | None) -> None:
    """Same version (or none named): today's behaviour, related or not."""
    record_version = version or 1
    assert both(paper_titled(OLD, version), version=record_version, title=NEW) == ([], ["error"])
    assert both(paper_titled(A, version), version=record_version, title=B) == ([], ["error"])
    # and the same title in other spellings is nothing at all
    respelled = paper_titled(NEW.upper().replace("'", "’"), version)
    assert both(respelled, version=record_version, title=NEW) == ([], [])


def test_a_newer_digest_version_than_arxivs_is_an_error_not_a_retitle() -> None:
    assert both(paper_titled(OLD, version=3), version=2, title=NEW) == ([], ["error"])


def test_the_same_title_at_a_later_version_is_nothing() -> None:
    assert both(paper_titled(NEW, version=1), version=4, title=NEW) == ([], [])


def test_writers_keep_the_digest_title_of_a_retitled_paper() -> None:
    merged = merge(paper_titled(OLD, 1), record_of(real_paper(), version=2, title=NEW))
    assert merged.title == NEW and merged.digest_title == OLD and merged.digest_version == 1


# -------------------------------------------------------------- the score


def test_words_spell_out_tex_and_drop_punctuation_and_function_words() -> None:
    assert title_words(r"Schr\"odinger Bridges for the $\alpha$-Divergence") == {
        "schrödinger",
        "bridges",
        "α",
        "divergence",
    }
    words = {"probe", "learning", "users", "bias"}
    assert title_words("Ｐｒｏｂｅ：  Learning—users' BIAS") == words
    assert title_words("Of the") == {"of", "the"}  # nothing else: function words kept
    assert title_words("") == frozenset()


def test_overlap_values() -> None:
    assert title_overlap(OLD, NEW) == pytest.approx(4 / 14)
    assert title_overlap(NEW, NEW) == 1.0
    assert title_overlap("", "") == 1.0
    assert title_overlap("Graph Networks", "") == 0.0
    assert title_overlap("Graph Networks", "Networks of Graphs") == pytest.approx(1 / 3)


@given(st.text(max_size=120), st.text(max_size=120))
def test_overlap_is_symmetric_and_bounded(a: str, b: str) -> None:
    ab = title_overlap(a, b)
    assert ab == title_overlap(b, a)
    assert 0.0 <= ab <= 1.0


@given(st.text(max_size=120))
def test_a_title_fully_overlaps_itself_respaced_and_recased(title: str) -> None:
    assert title_overlap(title, title) == 1.0
    assert title_overlap(title, "  ".join(title.casefold().split())) == 1.0


@given(st.lists(st.sampled_from(["graph", "GRAPH", "molecules", "the", "of", "for"]), max_size=12))
def test_taking_up_words_of_the_other_title_never_lowers_the_overlap(extra: list[str]) -> None:
    base = "Graph Neural Networks for Molecules"
    other = "Neural Networks"
    grown = other + " " + " ".join(extra)
    assert title_overlap(base, grown) >= title_overlap(base, other)


def _title(n: int) -> str:
    """A hostile title of ``n`` words: TeX accents, Greek macros, math, braces, entities."""
    parts = [r"Schr\"odinger", r"$\alpha$-Divergence", r"{\'e}t{\'e}", "B-spline_s", "&amp;"]
    return " ".join(f"{parts[i % len(parts)]}{i}" for i in range(n))


@pytest.mark.parametrize("pair", ["same", "different"])
def test_overlap_grows_linearly_with_the_titles(pair: str) -> None:
    """Twice the words, about twice the work (lines of digestconv's code executed)."""

    def work(n: int) -> Callable[[], object]:
        a = _title(n)
        b = a if pair == "same" else _title(n).replace("Schr", "Bohr")
        return lambda: title_overlap(a, b)

    base = line_events(work(0))
    small, large = line_events(work(2_000)) - base, line_events(work(4_000)) - base
    assert large / max(small, 1) < 2.3, (small, large)


def test_overlap_of_a_megabyte_title_is_computed() -> None:
    title = "Spectral Graph Theory " * 50_000  # 1.1 MB, three distinct words
    assert title_overlap(title, "Spectral Graph Theory") == 1.0
    assert title_overlap(title, title.replace("Graph", "Group")) == pytest.approx(2 / 4)


# -------------------------------------------------------------- the abstracts


@cache
def _load(name: str) -> tuple[dict[str, dict[str, object]], ...]:
    with gzip.open(DATA / name, "rt", encoding="utf-8") as fh:
        return tuple(json.loads(line) for line in fh)


def _retitle(arxiv_id: str) -> tuple[Paper, ArxivRecord]:
    """A real retitle of the calibration set: the digest as it named the older version
    (title, English abstract and its cut), arXiv's record at the later one."""
    [row] = [r for r in _load("retitles.jsonl.gz") if r["arxiv_id"] == arxiv_id]
    old, new = row["old"], row["new"]
    paper = dataclasses.replace(
        real_paper(),
        title=str(old["title"]),
        version=int(str(old["version"])),
        abstract=str(old["abstract"]),
        abstract_truncated=bool(old["abstract_cut"]),
    )
    record = record_of(
        real_paper(), version=int(str(new["version"])), title=new["title"], abstract=new["abstract"]
    )
    return paper, record


#: arXiv:2511.13708 v1 -> v3: "The Scatter of the Many Outweighs the Scatter of the Few: ..."
#: became "Statistics Meet Systematics: ..." (a JWST feed's items, abstracts cut here at 1000)
SCATTER = "2511.13708"


def severities(paper: Paper, record: ArxivRecord) -> tuple[list[str], list[str]]:
    """(DC509 severities, DC504 severities) for ``paper`` against ``record``."""
    return (
        [d.severity for d in check(NAME, paper, record)],
        [d.severity for d in check(MISMATCH, paper, record)],
    )


def test_unrelated_titles_with_agreeing_abstracts_are_a_retitle() -> None:
    paper, record = _retitle(SCATTER)
    assert paper.title and paper.title.startswith("The Scatter of the Many")
    assert record.title.startswith("Statistics Meet Systematics")
    assert title_overlap(paper.title, record.title) < RETITLE_OVERLAP
    assert severities(paper, record) == (["warning"], [])
    [d] = check(NAME, paper, record)
    assert d.code == "DC509" and d.line == paper.span("title").line
    assert f"after v1: v3 is '{record.title[:30]}" in d.message
    assert "the titles share 4% of words, but the abstracts agree: 78% of words shared" in d.message
    assert title_revised(paper, record) and not title_conflict(paper, record)


def test_the_same_titles_with_another_papers_abstract_stay_an_error() -> None:
    paper, record = _retitle(SCATTER)
    wrong = dataclasses.replace(record, abstract=real_paper(1).abstract or "")
    assert severities(paper, wrong) == ([], ["error"])
    [d] = check(MISMATCH, paper, wrong)
    assert "(the abstracts share 3% of words): the link points at another paper" in d.message


@pytest.mark.parametrize("side", ["digest", "arXiv"])
def test_a_missing_abstract_leaves_unrelated_titles_an_error(side: str) -> None:
    paper, record = _retitle(SCATTER)
    assert severities(paper, record) == (["warning"], [])  # with both abstracts
    if side == "digest":
        paper = dataclasses.replace(paper, abstract=None, abstract_truncated=False)
    else:
        record = dataclasses.replace(record, abstract=" \n")
    assert severities(paper, record) == ([], ["error"])
    [d] = check(MISMATCH, paper, record)
    assert "(the abstracts cannot tell: one is missing or too short)" in d.message


def test_abstracts_of_too_few_words_tell_nothing() -> None:
    """Seven content words on a side are not enough to call two abstracts one paper's."""
    paper, record = _retitle(SCATTER)
    assert ABSTRACT_MIN_WORDS == 8
    eight = "Massive early galaxies challenge standard cosmology via systematic errors."
    seven = eight.replace("standard ", "")
    assert len(abstract_words(seven)) == 7 and len(abstract_words(eight)) == 8
    assert abstract_overlap(seven, seven) is None
    assert abstract_overlap(eight, eight) == 1.0
    for text, expected in ((seven, ([], ["error"])), (eight, (["warning"], []))):
        short = dataclasses.replace(paper, abstract=text, abstract_truncated=False)
        assert severities(short, dataclasses.replace(record, abstract=text)) == expected


@pytest.mark.parametrize("version", [3, None])
def test_without_a_later_version_agreeing_abstracts_change_nothing(version: int | None) -> None:
    """The digest names arXiv's latest version (or none): any title difference is an error."""
    paper, record = _retitle(SCATTER)
    assert severities(paper, record) == (["warning"], [])  # the digest names v1
    same = dataclasses.replace(paper, version=version)
    assert abstracts_agree(same, record)
    assert severities(same, record) == ([], ["error"])
    # a version newer than arXiv's latest is no retitle either
    assert severities(dataclasses.replace(paper, version=4), record) == ([], ["error"])


def test_a_cut_digest_abstract_is_compared_with_as_much_of_arxivs() -> None:
    """The digest's abstract stops at the producer's cut; arXiv's goes on (here with the
    text of other papers, several times as long): only the stretch both have is compared."""
    paper = real_paper()  # its abstract is cut at the producer's 1000 characters
    assert paper.abstract and paper.abstract_truncated and paper.title
    others = " ".join(real_paper(i, SEED_001).abstract or "" for i in range(8))
    longer = paper.abstract + " " + others
    record = record_of(paper, version=2, title=B, abstract=longer)
    assert title_overlap(paper.title, B) < RETITLE_OVERLAP
    assert severities(paper, record) == (["warning"], [])
    # the same text taken as a whole abstract: compared whole, it shares too little
    whole = dataclasses.replace(paper, abstract_truncated=False)
    overlap = abstract_overlap(whole.abstract or "", longer)
    assert overlap is not None and overlap < ABSTRACT_OVERLAP
    assert severities(whole, record) == ([], ["error"])


def test_the_compared_parts() -> None:
    assert compared_abstracts("One  two\nthree", "one two three four") == (
        ("One two three", False),
        ("one two three four", False),
    )
    # either side cut: both on the shorter length, each marked when it goes on
    assert compared_abstracts("alpha beta gam", "alpha beta gamma delta", a_cut=True) == (
        ("alpha beta gam", True),
        ("alpha beta gam", True),
    )
    assert compared_abstracts("alpha beta", "alpha beta gamma", b_cut=True) == (
        ("alpha beta", False),
        ("alpha beta", True),
    )


def test_the_last_word_of_a_cut_text_is_left_out_when_it_may_be_a_part() -> None:
    assert abstract_words("learning of accur", cut=True) == {"learning"}
    assert abstract_words("learning of accur") == {"learning", "accur"}
    assert abstract_words("learning of accuracy.", cut=True) == {"learning", "accuracy"}
    assert abstract_words(r"The $\alpha$-divergence of the Schr\"odinger bridge") == {
        "α",
        "divergence",
        "schrödinger",
        "bridge",
    }
    # a cut inside a word that the other text completes does not lower the overlap
    text = (
        "We measure the ionising photon production efficiency and escape fraction "
        "of faint galaxies at redshift six"
    )
    assert abstract_overlap(text[:-2], text, a_cut=True) == 1.0
    assert abstract_overlap(text[:-2], text) == pytest.approx(11 / 13)  # "s" against "six"


@given(st.text(max_size=300), st.text(max_size=300), st.booleans(), st.booleans())
def test_abstract_overlap_is_symmetric_and_bounded(a: str, b: str, ca: bool, cb: bool) -> None:
    ab = abstract_overlap(a, b, a_cut=ca, b_cut=cb)
    assert ab == abstract_overlap(b, a, a_cut=cb, b_cut=ca)
    assert ab is None or 0.0 <= ab <= 1.0


@pytest.mark.parametrize("cut", [False, True])
def test_abstract_overlap_grows_linearly_with_the_abstracts(cut: bool) -> None:
    """Twice the text, about twice the work (lines of digestconv's code executed)."""

    def work(n: int) -> Callable[[], object]:
        a = _title(n)
        b = _title(n).replace("Schr", "Bohr")
        return lambda: abstract_overlap(a, b, a_cut=cut)

    base = line_events(work(0))
    small, large = line_events(work(2_000)) - base, line_events(work(4_000)) - base
    assert large / max(small, 1) < 2.3, (small, large)


def test_abstract_overlap_of_a_megabyte_abstract_is_computed() -> None:
    text = "Spectral graph theory bounds the mixing time of random walks. " * 17_000
    assert len(text) > 1_000_000
    assert abstract_overlap(text, text.replace("graph", "group")) == pytest.approx(7 / 9)
    assert abstract_overlap(text, text[:1000], b_cut=True) == 1.0


# -------------------------------------------------------------- the calibration set


def _titles(row: dict[str, dict[str, object]], old: str, new: str) -> tuple[str, str]:
    return str(row[old]["title"]), str(row[new]["title"])


def _outcome(digest: dict[str, object], later: dict[str, object]) -> tuple[int, int]:
    """(DC509 findings, DC504 findings): the digest names v1, arXiv's record is at v2."""
    paper = dataclasses.replace(
        real_paper(),
        title=str(digest["title"]),
        version=1,
        abstract=digest["abstract"],
        abstract_truncated=bool(digest["abstract_cut"]),
    )
    rec = record_of(real_paper(), version=2, title=later["title"], abstract=later["abstract"] or "")
    return len(check(NAME, paper, rec)), len(check(MISMATCH, paper, rec))


def test_every_pair_of_the_calibration_set_has_both_abstracts() -> None:
    """No retitle and no wrong pair lacks an English abstract on either side, so every
    figure below is measured on abstracts (none is an error for want of one)."""
    retitles, wrong = _load("retitles.jsonl.gz"), _load("wrong-links.jsonl.gz")
    assert (len(retitles), len(wrong)) == (179, 6000)
    sides = [r[k] for r in retitles for k in ("old", "new")]
    sides += [r[k] for r in wrong for k in ("digest", "record")]
    missing = [s for s in sides if not s["abstract"]]
    assert missing == []
    assert all(len(str(s["abstract"])) <= 1000 for s in sides)


def test_calibration_set_rates_are_the_documented_ones() -> None:
    """Every real pair through both rules, the digest naming an older version than arXiv's.

    The figures are the ones the rule's explanation and the README give: titles
    alone left 6 of 179 real retitles errors; with the abstracts none is; of 6,000
    real wrong pairs, 50 share enough title words and 7 more enough abstract words
    to be warnings, 5,943 (99.05%) stay errors.  The rule this one replaced made 41
    retitles errors.
    """
    retitles, wrong = _load("retitles.jsonl.gz"), _load("wrong-links.jsonl.gz")
    assert ("2303.06016", OLD, NEW) in [
        (r["arxiv_id"], *_titles(r, "old", "new")) for r in retitles
    ]
    on_retitles = [_outcome(r["old"], r["new"]) for r in retitles]
    on_wrong = [_outcome(r["digest"], r["record"]) for r in wrong]
    # exactly one of the two rules speaks for every pair: nothing passes silently
    assert all(sorted(o) == [0, 1] for o in on_retitles + on_wrong)
    false_errors = sum(e for _, e in on_retitles)
    errors = sum(e for _, e in on_wrong)
    assert (false_errors, len(wrong) - errors) == (0, 57)
    # the titles alone decide all but these: 6 retitles, 7 wrong pairs decided by abstracts
    by_title = [title_overlap(*_titles(r, "old", "new")) < RETITLE_OVERLAP for r in retitles]
    assert sum(by_title) == 6
    wrong_titles = [
        title_overlap(*_titles(r, "digest", "record")) >= RETITLE_OVERLAP for r in wrong
    ]
    assert sum(wrong_titles) == 50


def test_the_lowest_abstract_overlap_of_a_retitle_with_unrelated_titles() -> None:
    """The closest call: arXiv:2511.11835, whose abstract was rewritten with its title."""
    paper, record = _retitle("2511.11835")
    assert paper.title and title_overlap(paper.title, record.title) == 0.0
    overlap = abstract_overlap(paper.abstract or "", record.abstract, a_cut=True)
    assert overlap is not None and ABSTRACT_OVERLAP <= overlap < 0.21
    assert severities(paper, record) == (["warning"], [])


def test_the_provenance_table_describes_the_files() -> None:
    """Rows and content checksums as tests/data/retitles/PROVENANCE.md gives them."""
    table = {}
    for line in (DATA / "PROVENANCE.md").read_text("utf-8").splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 4 and cells[0].endswith(".jsonl.gz"):
            table[cells[0]] = (int(cells[1]), cells[3])
    assert set(table) == {"retitles.jsonl.gz", "wrong-links.jsonl.gz"}
    for name, (rows, digest) in table.items():
        content = gzip.decompress((DATA / name).read_bytes())
        assert (content.count(b"\n"), hashlib.sha256(content).hexdigest()) == (rows, digest)
