"""DC210 duplicate-paper: one arXiv paper twice, within a digest or across files."""

from __future__ import annotations

from digestconv.api import check
from digestconv.settings import Settings

from .conftest import (
    SEED_000,
    SEED_003,
    assert_diagnostic,
    assert_registered,
    fired,
    only,
    parse,
    position,
    seed,
)

NAME = "duplicate-paper"
PATH_000 = "seeds/000.txt"
PATH_003 = "seeds/003.txt"


def _second_copy_of_paper_1(text: str) -> str:
    """Seed 000 with paper [^1] copied as [^3] (row and block), like a copy-paste slip."""
    row = next(ln for ln in text.split("\n") if ln.startswith("| [^1] |"))
    block = text[text.index("[^1]: ") : text.index("[^2]: ")]
    rows_end = next(ln for ln in text.split("\n") if ln.startswith("| [^2] |"))
    text = text.replace(rows_end, rows_end + "\n" + row.replace("[^1]", "[^3]"), 1)
    return text.rstrip("\n") + "\n" + block.replace("[^1]: ", "[^3]: ", 1)


def test_registered() -> None:
    assert_registered(NAME, "DC210", "warning", scope="corpus")


def test_within_one_file() -> None:
    text = _second_copy_of_paper_1(seed(SEED_000))
    [diag] = fired(text, NAME)
    line, col = position(text, "https://arxiv.org/abs/2403.15711)", occurrence=4)
    first_block = position(text, "[^1]: ")[0]
    assert_diagnostic(
        diag,
        NAME,
        line,
        col,
        says=[
            "arXiv:2403.15711",
            f"already appears at line {first_block}",
            "converters keep the first",
        ],
        path="digest.md",
    )
    assert line == position(text, "[^3]: ")[0] + 4


def test_across_two_files() -> None:
    a, b = parse(seed(SEED_000), PATH_000), parse(seed(SEED_003), PATH_003)
    [diag] = only(check([a, b], Settings()), NAME)
    line, col = position(seed(SEED_003), "https://arxiv.org/abs/2402.04177)", occurrence=2)
    first = position(seed(SEED_000), "[^2]: ")[0]
    assert_diagnostic(
        diag, NAME, line, col, path=PATH_003, says=["arXiv:2402.04177", f"{PATH_000}:{first}"]
    )
    # the first file in the order given keeps the paper
    [diag] = only(check([b, a], Settings()), NAME)
    assert diag.path == PATH_000
    assert f"{PATH_003}:" in diag.message


def test_across_files_off_with_per_file_settings() -> None:
    a, b = parse(seed(SEED_000), PATH_000), parse(seed(SEED_003), PATH_003)
    assert not only(check([a, b], Settings(cross_file=False)), NAME)
    # repeats inside one file are still reported
    c = parse(_second_copy_of_paper_1(seed(SEED_000)), "seeds/000-copy.txt")
    found = only(check([b, c], Settings(cross_file=False)), NAME)
    assert [d.path for d in found] == ["seeds/000-copy.txt"]
    assert "already appears at line" in found[0].message


def test_per_file_repeat_is_reported_after_another_file_with_the_paper() -> None:
    a = parse(seed(SEED_000), PATH_000)
    c = parse(_second_copy_of_paper_1(seed(SEED_000)), "seeds/000-copy.txt")
    found = only(check([a, c], Settings(cross_file=False)), NAME)
    assert [d.path for d in found] == ["seeds/000-copy.txt"]


def test_distinct_papers_pass() -> None:
    assert not fired(seed(SEED_000), NAME)
    assert not fired(seed(SEED_003), NAME)


def test_real_corpus_repeats_are_across_files_only(real_diagnostics: tuple) -> None:
    found = [d for d in real_diagnostics if d.rule == NAME]
    assert found  # cross-listed papers recur on later days
    for diag in found:
        assert diag.severity == "warning"
        assert f"{diag.path}:" not in diag.message  # never within one real file


def test_mistyped_reference_is_not_a_duplicate_paper() -> None:
    text = seed(SEED_000).replace("| [^2] |", "| [^1] |", 1)
    assert fired(text, "ref-duplicate")
    assert not fired(text, NAME)


def test_ignore() -> None:
    a, b = parse(seed(SEED_000), PATH_000), parse(seed(SEED_003), PATH_003)
    for key in (NAME, "DC210"):
        assert not only(check([a, b], Settings(ignore=(key,))), NAME)
    assert not only(check([a, b], Settings(per_file_ignores={"seeds/003.txt": (NAME,)})), NAME)
    assert only(check([a, b], Settings(select=(NAME,))), NAME)
    text = _second_copy_of_paper_1(seed(SEED_000))
    assert fired(text, NAME)
    assert not fired(text, NAME, settings=Settings(ignore=(NAME,)))


def test_inline_suppression_in_the_second_file() -> None:
    comment = "<!-- digestconv: ignore[duplicate-paper] -->"
    text = seed(SEED_003).replace("[^2]: ", f"{comment}\n[^2]: ", 1)
    a, b = parse(seed(SEED_000), PATH_000), parse(text, PATH_003)
    found = check([a, b], Settings())
    assert not only(found, NAME)
    assert not only(found, "unused-suppression")
