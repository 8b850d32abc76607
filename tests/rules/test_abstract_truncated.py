"""DC301 abstract-truncated: the English abstract stops at the producer's cut, mid-sentence."""

from __future__ import annotations

from digestconv.settings import Settings

from .conftest import (
    SEED_000,
    SEED_003,
    assert_diagnostic,
    assert_ignorable,
    assert_registered,
    fired,
    line_of,
    parse,
    seed,
)

NAME = "abstract-truncated"
ABSTRACT_1 = "    arXiv:2403.15711v1 Announce Type: new  Abstract: "


def _abstract_line(text: str, start: str) -> str:
    return next(ln for ln in text.split("\n") if ln.startswith(start))


def test_registered() -> None:
    assert_registered(NAME, "DC301", "warning")


def test_real_cut_abstract() -> None:
    text = seed(SEED_000)
    line_text = _abstract_line(text, ABSTRACT_1)
    assert len(line_text) - 4 == 1000  # the producer's cut, announce prefix included
    found = fired(text, NAME)
    diag = next(d for d in found if d.line == line_of(text, ABSTRACT_1))
    assert_diagnostic(
        diag,
        NAME,
        line_of(text, ABSTRACT_1),
        len(line_text),
        says=["1000-character cut", "findin'", "https://arxiv.org/abs/2403.15711"],
    )
    assert (diag.end_line, diag.end_column) == (diag.line, len(line_text) + 1)
    assert parse(text).papers[0].abstract_truncated


def test_cut_made_by_an_edit() -> None:
    # a whole abstract cut to exactly the producer's 1000 characters
    text = seed(SEED_000)
    line_text = _abstract_line(text, ABSTRACT_1)
    whole = line_text[: -len("findin")] + "findings to the general case."
    edited = text.replace(line_text, whole, 1)
    assert not [d for d in fired(edited, NAME) if d.line == 22]
    cut = whole[: 4 + 1000]
    assert not cut.endswith(".")
    [diag] = [d for d in fired(edited.replace(whole, cut, 1), NAME) if d.line == 22]
    assert_diagnostic(diag, NAME, 22, len(cut))


def test_abstract_of_995_characters_ending_with_a_period_passes() -> None:
    text = seed(SEED_000)
    line_text = _abstract_line(text, ABSTRACT_1)
    edited_line = line_text[: 4 + 994] + "."
    assert len(edited_line) - 4 == 995
    edited = text.replace(line_text, edited_line, 1)
    assert not [d for d in fired(edited, NAME) if d.line == 22]
    assert not parse(edited).papers[0].abstract_truncated


def test_closing_bracket_after_the_period_passes() -> None:
    text = seed(SEED_000)
    line_text = _abstract_line(text, ABSTRACT_1)
    edited = text.replace(line_text, line_text[:-3] + ".)", 1)
    assert not [d for d in fired(edited, NAME) if d.line == 22]


def test_short_abstract_ending_mid_word_is_not_at_the_cut() -> None:
    text = seed(SEED_000)
    line_text = _abstract_line(text, ABSTRACT_1)
    edited = text.replace(line_text, line_text[:500], 1)
    assert not [d for d in fired(edited, NAME) if d.line == 22]


def test_cut_setting() -> None:
    text = seed(SEED_000)
    assert fired(text, NAME)
    assert not fired(text, NAME, settings=Settings(abstract_cut=2000))


def test_whole_abstracts_in_real_digests_pass() -> None:
    text = seed(SEED_003)
    papers = parse(text).papers
    found = {d.line for d in fired(text, NAME)}
    for paper in papers:
        line = paper.span("abstract").line
        assert (line in found) == paper.abstract_truncated


def test_ignore() -> None:
    assert_ignorable(seed(SEED_000), NAME)
