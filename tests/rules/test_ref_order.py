"""DC104 ref-order: references numbered 1, 2, 3, ... and blocks in table order."""

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

NAME = "ref-order"


def _swap_rows(text: str, a: int, b: int) -> str:
    lines = text.split("\n")
    lines[a], lines[b] = lines[b], lines[a]
    return "\n".join(lines)


def test_registered() -> None:
    assert_registered(NAME, "DC104", "error")


def test_swapped_rows() -> None:
    text = _swap_rows(seed(SEED_000), 4, 5)
    found = fired(text, NAME)
    after = [d for d in found if "comes after" in d.message]
    [diag] = after
    assert_diagnostic(diag, NAME, 6, 3, says=["row [^1] comes after [^2]", "sort"])
    # the detail blocks keep the old order: the block of the second row is reported
    [block] = [d for d in found if "detail block" in d.message]
    assert_diagnostic(block, NAME, *position(text, "[^2]: "), says=["[^2]", "table's order"])


def test_swapped_blocks() -> None:
    text = seed(SEED_000)
    first = text[text.index("[^1]: ") : text.index("[^2]: ")]
    edited = text.replace(first, "", 1).rstrip("\n") + "\n" + first
    [diag] = fired(edited, NAME)
    assert_diagnostic(diag, NAME, *position(edited, "[^1]: "), says=["detail block [^1]", "order"])


def test_gap_in_numbering() -> None:
    text = seed(SEED_003).replace("| [^4] |", "| [^9] |", 1).replace("[^4]: ", "[^9]: ", 1)
    found = fired(text, NAME)
    [diag] = [d for d in found if "skips" in d.message]
    assert_diagnostic(diag, NAME, *position(text, "[^9]"), says=["row [^9] skips [^4]..[^8]"])


def test_gap_of_one() -> None:
    text = seed(SEED_000).replace("| [^2] |", "| [^3] |", 1).replace("[^2]: ", "[^3]: ", 1)
    [diag] = fired(text, NAME)
    assert_diagnostic(diag, NAME, 6, 3, says=["row [^3] skips [^2]", "renumber"])


def test_reference_zero_message() -> None:
    text = seed(SEED_000).replace("| [^1] |", "| [^0] |", 1).replace("[^1]: ", "[^0]: ", 1)
    first = fired(text, NAME)[0]
    assert first.line == 5
    assert "after [^0]" not in first.message


def test_duplicates_are_left_to_ref_duplicate() -> None:
    text = seed(SEED_000).replace("| [^2] |", "| [^1] |", 1)
    assert not fired(text, NAME)


def test_ordered_digests_pass(real_diagnostics: tuple) -> None:
    assert not fired(seed(SEED_003), NAME)
    assert not [d for d in real_diagnostics if d.rule == NAME]


def test_ignore() -> None:
    assert_ignorable(_swap_rows(seed(SEED_000), 4, 5), NAME)
