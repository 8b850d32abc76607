"""DC209 unknown-category: a primary category outside arXiv's taxonomy."""

from __future__ import annotations

import pytest

from .conftest import (
    SEED_001,
    assert_diagnostic,
    assert_ignorable,
    assert_registered,
    corpus,
    fired,
    parse,
    position,
    seed,
)

NAME = "unknown-category"
SUFFIX = "(arXiv:2310.15719v1 [cs.LG])"


def test_registered() -> None:
    assert_registered(NAME, "DC209", "error")


def test_typo_category() -> None:
    text = seed(SEED_001).replace(SUFFIX, SUFFIX.replace("cs.LG", "cs.XX"), 1)
    [diag] = fired(text, NAME)
    line, col = position(text, "Recurrent Linear Transformers. (arXiv")
    assert_diagnostic(diag, NAME, line, col, says=["'cs.XX'", "not an arXiv category"])
    # the span covers the edit
    edit_col = position(text, "cs.XX")[1]
    assert diag.line == diag.end_line and diag.column <= edit_col < diag.end_column


def test_wrong_case_gets_a_hint() -> None:
    text = seed(SEED_001).replace(SUFFIX, SUFFIX.replace("cs.LG", "cs.lg"), 1)
    [diag] = fired(text, NAME)
    assert_diagnostic(diag, NAME, 231, 5, says=["'cs.lg'", "did you mean cs.LG?"])


def test_updated_suffix_category() -> None:
    text = seed(SEED_001).replace("[cs.LG] UPDATED)", "[cs.LGG] UPDATED)", 1)
    [diag] = fired(text, NAME)
    assert_diagnostic(
        diag, NAME, *position(text, "    GraphMaker: Can Diffusion", offset=4), says=["cs.LGG"]
    )


@pytest.mark.parametrize(
    "good",
    [
        "cs.NA",
        "math.NA",
        "math.IT",
        "cs.IT",
        "q-fin.EC",
        "econ.GN",
        "stat.ML",
        "hep-th",
        "cmp-lg",
        "solv-int",
        "physics.space-ph",
    ],
)
def test_known_and_alias_categories_pass(good: str) -> None:
    text = seed(SEED_001).replace(SUFFIX, SUFFIX.replace("cs.LG", good), 1)
    assert not fired(text, NAME)
    assert parse(text).papers[14].primary_category == good


def test_real_categories_pass(real_diagnostics: tuple) -> None:
    assert "[math.NA])" in corpus(4)
    assert not fired(corpus(4), NAME)
    assert not [d for d in real_diagnostics if d.rule == NAME]


def test_ignore() -> None:
    assert_ignorable(seed(SEED_001).replace(SUFFIX, SUFFIX.replace("cs.LG", "cs.XX"), 1), NAME)
