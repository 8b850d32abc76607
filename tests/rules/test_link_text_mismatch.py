"""DC204 link-text-mismatch: a detail link shows another URL than its target."""

from __future__ import annotations

from .conftest import (
    SEED_000,
    SEED_001,
    assert_diagnostic,
    assert_ignorable,
    assert_registered,
    fired,
    position,
    seed,
)

NAME = "link-text-mismatch"
DETAIL_LINK = "[https://arxiv.org/abs/2402.04177](https://arxiv.org/abs/2402.04177)"


def test_registered() -> None:
    assert_registered(NAME, "DC204", "error")


def test_one_digit_changed_in_the_link_text() -> None:
    text = seed(SEED_000).replace(DETAIL_LINK, DETAIL_LINK.replace("04177]", "04178]"), 1)
    [diag] = fired(text, NAME)
    line, col = position(text, "https://arxiv.org/abs/2402.04178")
    assert_diagnostic(
        diag,
        NAME,
        line,
        col,
        says=[
            "'https://arxiv.org/abs/2402.04178'",
            "target https://arxiv.org/abs/2402.04177",
            "[https://arxiv.org/abs/2402.04177](https://arxiv.org/abs/2402.04177)",
        ],
    )
    assert (line, col, diag.end_column) == (28, 6, 6 + len("https://arxiv.org/abs/2402.04178"))
    # the table and the target agree: this is not a URL mismatch
    assert not fired(text, "url-mismatch")


def test_word_as_link_text() -> None:
    text = seed(SEED_000).replace(DETAIL_LINK, "[link](https://arxiv.org/abs/2402.04177)", 1)
    [diag] = fired(text, NAME)
    assert_diagnostic(diag, NAME, 28, 6, says=["'link'"])


def test_scheme_differs_in_text() -> None:
    text = seed(SEED_000).replace(DETAIL_LINK, DETAIL_LINK.replace("[https", "[http", 1), 1)
    [diag] = fired(text, NAME)
    assert_diagnostic(diag, NAME, 28, 6, says=["'http://arxiv.org/abs/2402.04177'"])


def test_matching_link_text_passes(real_diagnostics: tuple) -> None:
    assert not fired(seed(SEED_000), NAME)
    assert not fired(seed(SEED_001), NAME)  # http, https and rss.arxiv.org links
    assert not [d for d in real_diagnostics if d.rule == NAME]


def test_ignore() -> None:
    text = seed(SEED_000).replace(DETAIL_LINK, DETAIL_LINK.replace("04177]", "04178]"), 1)
    assert_ignorable(text, NAME)
