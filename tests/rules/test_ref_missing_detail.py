"""DC101 ref-missing-detail: a table row without its [^N]: detail block."""

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

NAME = "ref-missing-detail"


def _without_block(text: str, ref: int, next_ref: int | None) -> str:
    start = text.index(f"[^{ref}]: ")
    end = text.index(f"[^{next_ref}]: ") if next_ref else len(text)
    return text[:start] + text[end:]


def test_registered() -> None:
    assert_registered(NAME, "DC101", "error")


def test_last_detail_block_deleted() -> None:
    text = _without_block(seed(SEED_000), 2, None)
    [diag] = fired(text, NAME)
    line, col = position(text, "[^2]")
    assert_diagnostic(diag, NAME, line, col, says=["[^2]", "no '[^2]:' detail block"])
    assert (line, col, diag.end_column) == (6, 3, 7)


def test_middle_detail_block_deleted() -> None:
    text = _without_block(seed(SEED_003), 3, 4)
    [diag] = fired(text, NAME)
    assert_diagnostic(diag, NAME, *position(text, "[^3]"), says=["[^3]"])


def test_block_renumbered() -> None:
    text = seed(SEED_000).replace("[^2]: ", "[^7]: ", 1)
    [diag] = fired(text, NAME)
    assert_diagnostic(diag, NAME, 6, 3, says=["[^2]"])


def test_complete_digests_pass(real_diagnostics: tuple) -> None:
    assert not fired(seed(SEED_000), NAME)
    assert not [d for d in real_diagnostics if d.rule == NAME]


def test_block_without_row_is_another_rule() -> None:
    text = seed(SEED_000)
    row = text.split("\n")[5] + "\n"
    assert not fired(text.replace(row, "", 1), NAME)


def test_ignore() -> None:
    assert_ignorable(_without_block(seed(SEED_000), 2, None), NAME)
