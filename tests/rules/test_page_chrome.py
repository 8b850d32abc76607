"""DC002 page-chrome: scraped web-page text after an abstract page's content."""

from __future__ import annotations

from .conftest import (
    SEED_004,
    assert_diagnostic,
    assert_ignorable,
    assert_registered,
    fired,
    parse,
    seed,
)

NAME = "page-chrome"


def test_registered() -> None:
    assert_registered(NAME, "DC002", "error")


def test_seed_004_chrome_span() -> None:
    text = seed(SEED_004)
    lines = text.split("\n")
    chrome = [i + 1 for i, ln in enumerate(lines) if ln.strip() and i >= 5]
    assert (chrome[0], chrome[-1]) == (6, 153)
    [diag] = fired(text, NAME, SEED_004)
    assert_diagnostic(diag, NAME, 6, 1, says=["lines 6-153", f"{len(chrome)} non-blank lines"])
    assert (diag.end_line, diag.end_column) == (153, len(lines[152]) + 1)


def test_abstract_page_content_excludes_chrome() -> None:
    text = seed(SEED_004)
    lines = text.split("\n")
    page = parse(text, SEED_004)
    assert page.abstract == lines[0].strip()
    assert page.abstract_zh == lines[3].removeprefix("翻译:").strip()
    for chrome_line in lines[5:]:
        if chrome_line.strip():
            assert chrome_line.strip() not in page.abstract
            assert chrome_line.strip() not in (page.abstract_zh or "")
    assert page.papers == ()


def test_one_chrome_line() -> None:
    lines = seed(SEED_004).split("\n")
    text = "\n".join([*lines[:5], "", "下载"]) + "\n"
    [diag] = fired(text, NAME)
    assert_diagnostic(diag, NAME, 7, 1, says=["lines 7-7", "1 non-blank lines"])
    assert (diag.end_line, diag.end_column) == (7, 3)


def test_abstract_page_without_chrome() -> None:
    lines = seed(SEED_004).split("\n")
    text = "\n".join(lines[:5])
    assert not fired(text, NAME)
    assert fired(text, "not-a-digest")


def test_real_digests_have_no_chrome(real_diagnostics: tuple) -> None:
    assert not [d for d in real_diagnostics if d.rule == NAME]


def test_ignore() -> None:
    assert_ignorable(seed(SEED_004), NAME)
