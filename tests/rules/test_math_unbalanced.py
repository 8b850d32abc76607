"""DC303 math-unbalanced: a digest text's `$` signs do not pair up into TeX math."""

from __future__ import annotations

from .conftest import (
    SEED_000,
    assert_diagnostic,
    assert_ignorable,
    assert_registered,
    corpus,
    edit,
    fired,
    position,
    seed,
)

NAME = "math-unbalanced"


def test_registered() -> None:
    assert_registered(NAME, "DC303", "warning")


def test_a_real_lost_dollar_is_found_where_it_stands() -> None:
    # corpus 012 is real: the summary lost the `$` after its second `h`
    text = corpus(12)
    [d] = fired(text, NAME, "012.md")
    # the detail block's summary (the table row repeats it; the paper's field is the block's)
    line, column = position(text, "$h，以解决", occurrence=2)
    assert_diagnostic(d, NAME, line, column, says=("Chinese summary", "restore the lost `$`"))


def test_restoring_the_dollar_silences_it() -> None:
    text = corpus(12).replace("深度$h，以解决", "深度$h$，以解决")  # the row and the block
    assert fired(text, NAME, "012.md") == []


def test_each_text_field_of_an_edited_seed() -> None:
    text = seed(SEED_000)
    broken = edit(text, "Identifiable Latent", "Identifiable $\\alpha Latent", occurrence=2)
    found = fired(broken, NAME)
    assert found and "English title" in found[0].message
    line, column = position(broken, "$\\alpha Latent")
    assert (found[0].line, found[0].column) == (line, column)
    assert_ignorable(broken, NAME)


def test_paired_math_and_plain_text_are_fine() -> None:
    assert fired(seed(SEED_000), NAME) == []
    text = edit(
        seed(SEED_000), "Identifiable Latent", "Identifiable $\\alpha$ Latent", occurrence=2
    )
    assert fired(text, NAME) == []
