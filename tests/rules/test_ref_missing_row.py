"""DC102 ref-missing-row: a [^N]: detail block without its table row."""

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

NAME = "ref-missing-row"


def _without_row(text: str, ref: int) -> str:
    [row] = [ln for ln in text.split("\n") if ln.startswith(f"| [^{ref}] |")]
    return text.replace(row + "\n", "", 1)


def test_registered() -> None:
    assert_registered(NAME, "DC102", "error")


def test_row_deleted() -> None:
    text = _without_row(seed(SEED_000), 2)
    [diag] = fired(text, NAME)
    line, col = position(text, "[^2]: ")
    assert_diagnostic(
        diag,
        NAME,
        line,
        col,
        says=["[^2]", "no summary-table row", "| [^2] | [title](url) | summary |"],
    )
    assert (diag.end_line, diag.end_column) == (line, col + len("[^2]:"))


def test_row_deleted_in_a_long_digest() -> None:
    text = _without_row(seed(SEED_001), 15)
    [diag] = fired(text, NAME)
    assert_diagnostic(diag, NAME, *position(text, "[^15]: "), says=["[^15]"])


def test_complete_digests_pass(real_diagnostics: tuple) -> None:
    assert not fired(seed(SEED_000), NAME)
    assert not [d for d in real_diagnostics if d.rule == NAME]


def test_row_without_block_is_another_rule() -> None:
    text = seed(SEED_000)
    text = text[: text.index("[^2]: ")]
    assert not fired(text, NAME)


def test_ignore() -> None:
    assert_ignorable(_without_row(seed(SEED_000), 2), NAME)
