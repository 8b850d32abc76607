"""DC206 id-malformed: an identifier that does not follow arXiv's grammar."""

from __future__ import annotations

import pytest

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

NAME = "id-malformed"
ID = "2402.04177"


def test_registered() -> None:
    assert_registered(NAME, "DC206", "error")


def test_month_13() -> None:
    text = seed(SEED_000).replace(ID, "2413.04177")
    [diag] = fired(text, NAME)
    line, col = position(text, "https://arxiv.org/abs/2413.04177", occurrence=3)
    assert_diagnostic(diag, NAME, line, col, says=["URL identifier '2413.04177'", "month 13"])
    assert (line, col) == (28, 40)


def test_table_id_only() -> None:
    text = seed(SEED_000).replace(f"abs/{ID}) |", "abs/2402.0417) |", 1)
    [diag] = fired(text, NAME)
    assert_diagnostic(
        diag,
        NAME,
        *position(text, "https://arxiv.org/abs/2402.0417)"),
        says=["table URL identifier '2402.0417'", "5-digit"],
    )


def test_announce_prefix_id() -> None:
    text = seed(SEED_000).replace("arXiv:2403.15711v1 Announce", "arXiv:2403.1571v1 Announce", 1)
    [diag] = fired(text, NAME)
    assert_diagnostic(
        diag,
        NAME,
        *position(text, "arXiv:2403.1571v1"),
        says=["abstract prefix identifier '2403.1571'"],
    )


def test_title_suffix_id() -> None:
    text = seed(SEED_001).replace(
        "(arXiv:2310.15719v1 [cs.LG])", "(arXiv:2310.157190v1 [cs.LG])", 1
    )
    [diag] = fired(text, NAME)
    assert_diagnostic(
        diag,
        NAME,
        *position(text, "Recurrent Linear Transformers. (arXiv"),
        says=["title suffix identifier '2310.157190'"],
    )


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("0703.1234", "April 2007"),
        ("1501.1234", "5-digit"),
        ("1412.12345", "4-digit"),
        ("2400.04177", "month 00"),
        ("hep-xx/9901001", "not an arXiv archive"),
        ("hep-th/0704001", "March 2007"),
        ("arxiv-2402.04177", "not of the form"),
    ],
)
def test_grammar(bad: str, says: str) -> None:
    text = seed(SEED_000).replace(ID, bad)
    [diag] = fired(text, NAME)
    assert says in diag.message
    assert diag.line == 28


@pytest.mark.parametrize(
    "good",
    [
        "0704.0001",
        "1412.1234",
        "1501.00001",
        "hep-th/9901001",
        "math.AG/0601001",
        "cond-mat/0703999",
    ],
)
def test_valid_identifiers_pass(good: str) -> None:
    assert not fired(seed(SEED_000).replace(ID, good), NAME)


def test_real_digests_pass(real_diagnostics: tuple) -> None:
    assert not [d for d in real_diagnostics if d.rule == NAME]


def test_ignore() -> None:
    assert_ignorable(seed(SEED_000).replace(ID, "2413.04177"), NAME)
