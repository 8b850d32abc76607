"""DC103 ref-duplicate: two rows or two detail blocks with one reference number."""

from __future__ import annotations

from .conftest import (
    SEED_000,
    SEED_003,
    assert_diagnostic,
    assert_ignorable,
    assert_registered,
    fired,
    position,
    seed,
)

NAME = "ref-duplicate"


def test_registered() -> None:
    assert_registered(NAME, "DC103", "error")


def test_duplicate_row_reference() -> None:
    text = seed(SEED_000).replace("| [^2] |", "| [^1] |", 1)
    [diag] = fired(text, NAME)
    line, col = position(text, "[^1]", occurrence=2)
    assert_diagnostic(diag, NAME, line, col, says=["[^1]", "table row on line 5", "renumber"])
    assert (line, col) == (6, 3)


def test_duplicate_block_reference() -> None:
    text = seed(SEED_000).replace("[^2]: ", "[^1]: ", 1)
    [diag] = fired(text, NAME)
    line, col = position(text, "[^1]: ", occurrence=2)
    assert_diagnostic(diag, NAME, line, col, says=["detail block [^1]", "line 10"])


def test_three_rows_with_one_reference() -> None:
    text = seed(SEED_003).replace("| [^2] |", "| [^1] |", 1).replace("| [^3] |", "| [^1] |", 1)
    found = fired(text, NAME)
    assert [(d.line, d.column) for d in found] == [(6, 3), (7, 3)]
    assert all("line 5" in d.message for d in found)


def test_distinct_references_pass(real_diagnostics: tuple) -> None:
    assert not fired(seed(SEED_000), NAME)
    assert not [d for d in real_diagnostics if d.rule == NAME]


def test_same_paper_under_two_references_is_not_a_reference_duplicate() -> None:
    text = seed(SEED_000)
    row = text.split("\n")[5]
    text = text.replace(row, row + "\n" + row.replace("[^2]", "[^3]"), 1)
    block = text[text.index("[^2]: ") :]
    text = text.rstrip("\n") + "\n" + block.replace("[^2]: ", "[^3]: ", 1)
    assert not fired(text, NAME)
    assert fired(text, "duplicate-paper")


def test_ignore() -> None:
    assert_ignorable(seed(SEED_000).replace("| [^2] |", "| [^1] |", 1), NAME)
