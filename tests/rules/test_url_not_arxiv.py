"""DC205 url-not-arxiv: a paper links somewhere other than an arXiv page."""

from __future__ import annotations

import pytest

from .conftest import (
    SEED_000,
    assert_diagnostic,
    assert_ignorable,
    assert_registered,
    fired,
    position,
    seed,
)

NAME = "url-not-arxiv"
URL = "https://arxiv.org/abs/2402.04177"


def test_registered() -> None:
    assert_registered(NAME, "DC205", "error")


def test_other_host_everywhere() -> None:
    bad = "https://example.org/abs/2402.04177"
    text = seed(SEED_000).replace(URL, bad)
    [diag] = fired(text, NAME)  # one finding: table and details agree
    line, col = position(text, bad, occurrence=3)
    assert_diagnostic(diag, NAME, line, col, says=[f"'{bad}'", "not an arXiv URL"])
    assert (line, col, diag.end_column) == (28, 42, 42 + len(bad))


def test_other_host_in_the_table_only() -> None:
    bad = "https://arxiv.example.com/abs/2402.04177"
    text = seed(SEED_000).replace(f"({URL}) |", f"({bad}) |", 1)
    [diag] = fired(text, NAME)
    assert_diagnostic(diag, NAME, *position(text, bad), says=[bad])


def test_not_an_abstract_page() -> None:
    bad = "https://arxiv.org/list/cs.LG/recent"
    text = seed(SEED_000).replace(URL, bad)
    [diag] = fired(text, NAME)
    assert_diagnostic(diag, NAME, 28, *position(text, bad, occurrence=3)[1:], says=[bad])


@pytest.mark.parametrize(
    "good",
    [
        "http://arxiv.org/abs/2402.04177",
        "https://rss.arxiv.org/abs/2402.04177",
        "http://export.arxiv.org/abs/2402.04177",
        "https://www.arxiv.org/abs/2402.04177",
        "https://arxiv.org/abs/2402.04177v2",
        "https://arxiv.org/pdf/2402.04177",
        "https://arxiv.org/pdf/2402.04177v1.pdf",
    ],
)
def test_arxiv_url_forms_pass(good: str) -> None:
    assert not fired(seed(SEED_000).replace(URL, good), NAME)


def test_real_digests_pass(real_diagnostics: tuple) -> None:
    assert not [d for d in real_diagnostics if d.rule == NAME]


def test_ignore() -> None:
    assert_ignorable(seed(SEED_000).replace(URL, "https://example.org/x"), NAME)
