"""DC202 url-mismatch: the table links elsewhere than the detail block."""

from __future__ import annotations

from .conftest import (
    SEED_000,
    SEED_001,
    assert_diagnostic,
    assert_ignorable,
    assert_registered,
    fired,
    line_of,
    position,
    seed,
)

NAME = "url-mismatch"
ROW_LINK = "(https://arxiv.org/abs/2402.04177) |"
DETAIL_LINK = "[https://arxiv.org/abs/2402.04177](https://arxiv.org/abs/2402.04177)"


def test_registered() -> None:
    assert_registered(NAME, "DC202", "error")


def test_one_digit_changed_in_the_table() -> None:
    text = seed(SEED_000).replace(ROW_LINK, "(https://arxiv.org/abs/2402.04178) |", 1)
    [diag] = fired(text, NAME)
    line, col = position(text, "https://arxiv.org/abs/2402.04178")
    assert_diagnostic(
        diag,
        NAME,
        line,
        col,
        says=[
            "https://arxiv.org/abs/2402.04178",
            "https://arxiv.org/abs/2402.04177",
            f"line {line_of(text, DETAIL_LINK)}",
            "same URL",
        ],
    )
    assert (line, col) == (6, 82)
    assert diag.end_column == col + len("https://arxiv.org/abs/2402.04178")


def test_one_digit_changed_in_the_details() -> None:
    text = seed(SEED_000).replace(DETAIL_LINK, DETAIL_LINK.replace("2402.04177", "2402.04178"), 1)
    [diag] = fired(text, NAME)
    assert_diagnostic(
        diag,
        NAME,
        6,
        82,
        says=["but the detail block on line 28 links to https://arxiv.org/abs/2402.04178"],
    )


def test_scheme_differs() -> None:
    text = seed(SEED_000).replace(ROW_LINK, "(http://arxiv.org/abs/2402.04177) |", 1)
    [diag] = fired(text, NAME)
    assert_diagnostic(diag, NAME, 6, 82, says=["http://arxiv.org/abs/2402.04177"])


def test_mirror_differs() -> None:
    text = seed(SEED_000).replace(ROW_LINK, "(https://rss.arxiv.org/abs/2402.04177) |", 1)
    [diag] = fired(text, NAME)
    assert_diagnostic(diag, NAME, 6, 82, says=["rss.arxiv.org"])


def test_http_in_both_places_passes() -> None:
    text = seed(SEED_000).replace(
        "https://arxiv.org/abs/2402.04177", "http://arxiv.org/abs/2402.04177"
    )
    assert not fired(text, NAME)


def test_real_digests_pass(real_diagnostics: tuple) -> None:
    # seed 001 mixes rss.arxiv.org, https and http links: each row agrees with its block
    assert not fired(seed(SEED_001), NAME)
    assert not [d for d in real_diagnostics if d.rule == NAME]


def test_ignore() -> None:
    assert_ignorable(
        seed(SEED_000).replace(ROW_LINK, "(https://arxiv.org/abs/2402.04178) |", 1), NAME
    )
