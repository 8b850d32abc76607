"""DC303 math-unbalanced: a digest text's `$` signs do not pair up into TeX math."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

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


#: what decides how dollars pair: dollars, backslashes, the characters _math_ok weighs,
#: the delimiters of ``\\(...\\)`` and ``\\[...\\]``, letters for source TeX (``\\o``)
_TEX = st.text(alphabet="$$$\\\\{}%#&_()[]ao 中\n", max_size=40)


@given(
    st.text(alphabet="$x\\{", max_size=12)
    | _TEX
    | st.lists(
        st.sampled_from(["$", "$$", "\\", "\\$", "\\(", "\\)", "x", "{", "}", "中文 "]), max_size=16
    ).map("".join)
)
@settings(max_examples=600, deadline=None)
def test_the_pairing_by_split_answers_as_the_scan(text: str) -> None:
    from digestconv.latex.mathspans import _dollars_pair, _scan_spans, math_balanced

    scanned = _scan_spans(text, dollars=True) is not None
    paired = _dollars_pair(text)
    assert paired is None or paired == scanned
    assert math_balanced(text) == scanned
    if "\\" not in text:
        assert paired is not None  # no backslash: the split decides alone


def test_the_pairing_by_split_decides_the_common_texts() -> None:
    from digestconv.latex.mathspans import _dollars_pair

    assert _dollars_pair("a $x^2$ and $$\\frac{a}{b}$$ b \\alpha") is True
    assert _dollars_pair("前瞻深度$h，以解决") is False
    assert _dollars_pair("$$x$ y$") is False
    assert _dollars_pair("$$x$") is False  # display math that one dollar cannot close
    assert _dollars_pair("$$x$$") is True
    assert _dollars_pair("$a\\$ b") is False  # a body ending in a backslash
    assert _dollars_pair("$x$ costs \\$5") is None  # an escaped dollar: the scan decides
