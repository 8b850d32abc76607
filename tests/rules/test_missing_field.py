"""DC211 missing-field: a paper without English title, link, identifier or abstract."""

from __future__ import annotations

from .conftest import (
    SEED_000,
    SEED_004,
    assert_diagnostic,
    assert_ignorable,
    assert_registered,
    corpus,
    fired,
    parse,
    position,
    seed,
)

NAME = "missing-field"
LINK_2 = "    [https://arxiv.org/abs/2402.04177](https://arxiv.org/abs/2402.04177)\n\n"
TITLE_2 = "    Scaling Laws for Downstream Task Performance of Large Language Models\n\n"


def test_registered() -> None:
    assert_registered(NAME, "DC211", "error")


def test_link_deleted() -> None:
    text = seed(SEED_000).replace(LINK_2, "", 1)
    [diag] = fired(text, NAME)
    line, col = position(text, "[^2]: ")
    assert_diagnostic(diag, NAME, line, col, says=["[^2]", "[URL](URL) link"])
    assert diag.end_line == len(text.rstrip("\n").split("\n"))


def test_title_deleted() -> None:
    text = seed(SEED_000).replace(TITLE_2, "", 1)
    [diag] = fired(text, NAME)
    assert_diagnostic(diag, NAME, *position(text, "[^2]: "), says=["[^2]", "English title"])


def test_link_without_identifier() -> None:
    text = seed(SEED_000).replace(
        "https://arxiv.org/abs/2402.04177", "ftp://arxiv.org/abs/2402.04177"
    )
    [diag] = fired(text, NAME)
    assert_diagnostic(diag, NAME, *position(text, "[^2]: "), says=["arXiv identifier"])


def test_abstract_page_lacks_everything() -> None:
    found = fired(seed(SEED_004), NAME)
    assert sorted(d.message.split(":")[0] for d in found) == [
        "abstract page has no arXiv identifier",
        "abstract page has no arXiv link",
        "abstract page has no title",
    ]
    for diag in found:
        assert_diagnostic(diag, NAME, 1, 1, says=["cannot be cited"])


def test_english_abstract_deleted() -> None:
    text = seed(SEED_000)
    abstract = next(ln for ln in text.split("\n") if ln.startswith("    arXiv:2403.15711v1"))
    edited = text.replace(abstract + "\n", "", 1)
    assert parse(edited).papers[0].abstract is None
    [diag] = fired(edited, NAME)
    assert "English abstract" in diag.message


def test_english_abstract_and_trailing_blank_deleted() -> None:
    text = seed(SEED_000)
    abstract = next(ln for ln in text.split("\n") if ln.startswith("    Scaling laws provide"))
    edited = text.replace(abstract + "\n    \n", "", 1)
    paper = parse(edited).papers[1]
    assert paper.abstract_zh is not None and paper.abstract_zh.startswith("尺度律")
    assert paper.abstract is None
    assert fired(edited, NAME)


def test_unindented_title_does_not_hide_the_link() -> None:
    text = seed(SEED_000).replace(TITLE_2, TITLE_2.lstrip(" "), 1)
    assert not [d for d in fired(text, NAME) if "link" in d.message]


def test_empty_chinese_translation_is_allowed() -> None:
    text = seed(SEED_000)
    zh = next(ln for ln in text.split("\n") if ln.startswith("    尺度律提供了"))
    assert not fired(text.replace(zh, "    ", 1), NAME)


def test_complete_papers_pass(real_diagnostics: tuple) -> None:
    assert not fired(seed(SEED_000), NAME)
    assert not fired(corpus(1), NAME)  # the layout with English one-line summaries
    assert not [d for d in real_diagnostics if d.rule == NAME]


def test_ignore() -> None:
    assert_ignorable(seed(SEED_000).replace(LINK_2, "", 1), NAME)
