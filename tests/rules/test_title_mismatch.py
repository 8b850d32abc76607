"""DC201 title-mismatch: the table title and the detail block's English title differ."""

from __future__ import annotations

from .conftest import (
    SEED_000,
    SEED_001,
    assert_diagnostic,
    assert_ignorable,
    assert_registered,
    fired,
    line_of,
    parse,
    position,
    seed,
)

NAME = "title-mismatch"
TABLE_TITLE = "[Identifiable Latent Neural Causal Models]"


def test_registered() -> None:
    assert_registered(NAME, "DC201", "error")


def test_table_title_edited() -> None:
    text = seed(SEED_000).replace(TABLE_TITLE, "[Identifiable Latent Neural Casual Models]", 1)
    [diag] = fired(text, NAME)
    line, col = position(text, "Identifiable Latent Neural Casual")
    assert_diagnostic(
        diag,
        NAME,
        line,
        col,
        says=[
            "'Identifiable Latent Neural Casual Models'",
            "'Identifiable Latent Neural Causal Models'",
            "line 12",
            "make them equal",
        ],
    )
    assert (line, col, diag.end_column) == (
        5,
        11,
        11 + len("Identifiable Latent Neural Casual Models"),
    )


def test_detail_title_edited() -> None:
    text = seed(SEED_000).replace(
        "    Scaling Laws for Downstream", "    Scaling Law for Downstream", 1
    )
    [diag] = fired(text, NAME)
    assert_diagnostic(
        diag, NAME, 6, 11, says=["Scaling Law for", f"line {line_of(text, '    Scaling Law for')}"]
    )


def test_whitespace_only_difference_is_named() -> None:
    text = seed(SEED_000).replace(TABLE_TITLE, "[Identifiable  Latent Neural Causal Models]", 1)
    [diag] = fired(text, NAME)
    assert_diagnostic(diag, NAME, 5, 11, says=["differ only in whitespace"])


def test_old_feed_title_with_dot_removed_from_table() -> None:
    text = seed(SEED_001).replace(
        "[Recurrent Linear Transformers.]", "[Recurrent Linear Transformers]", 1
    )
    [diag] = fired(text, NAME)
    assert_diagnostic(
        diag,
        NAME,
        *position(text, "Recurrent Linear Transformers]"),
        says=["'Recurrent Linear Transformers.'"],
    )


def test_old_feed_titles_with_appended_dot_and_suffix_pass() -> None:
    # table "Title." vs detail "Title. (arXiv:... [cs.LG])", also UPDATED / CROSS LISTED
    text = seed(SEED_001)
    assert "[cs.LG] UPDATED)" in text
    assert not fired(text, NAME)


def test_outer_spaces_in_the_table_cell_pass() -> None:
    text = seed(SEED_000).replace(TABLE_TITLE, "[ Identifiable Latent Neural Causal Models ]", 1)
    assert not fired(text, NAME)


def test_real_digests_pass(real_diagnostics: tuple) -> None:
    assert not [d for d in real_diagnostics if d.rule == NAME]


def test_row_without_detail_is_not_compared() -> None:
    text = seed(SEED_000)
    text = text[: text.index("[^2]: ")].replace(
        "[Scaling Laws for Downstream", "[Other Laws for Downstream", 1
    )
    assert not fired(text, NAME)


def test_ignore() -> None:
    assert_ignorable(seed(SEED_000).replace(TABLE_TITLE, "[Identifiable Models]", 1), NAME)


def test_cross_listed_suffix_passes() -> None:
    suffix = "(arXiv:2310.15719v1 [cs.LG])"
    text = seed(SEED_001).replace(suffix, suffix[:-1] + " CROSS LISTED)", 1)
    assert not fired(text, NAME)
    paper = parse(text).papers[14]
    assert (paper.title, paper.announce_type) == ("Recurrent Linear Transformers", "cross")
