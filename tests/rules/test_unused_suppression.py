"""DC401 unused-suppression: inline suppressions that silence nothing or name unknown rules."""

from __future__ import annotations

from digestconv.settings import Settings

from .conftest import (
    SEED_000,
    assert_diagnostic,
    assert_ignorable,
    assert_registered,
    fired,
    line_of,
    only,
    run,
    seed,
)

NAME = "unused-suppression"
BLOCK_1 = "[^1]: "
BLOCK_2 = "[^2]: "


def _before(text: str, anchor: str, comment: str) -> str:
    return text.replace(anchor, f"{comment}\n{anchor}", 1)


def test_registered() -> None:
    assert_registered(NAME, "DC401", "warning")


def test_suppression_that_silences_something_is_used() -> None:
    comment = "<!-- digestconv: ignore[abstract-truncated] -->"
    text = _before(seed(SEED_000), BLOCK_1, comment)
    found = run(text)
    assert not only(found, NAME)
    # the block after it is silenced, the next block is not
    truncated = only(found, "abstract-truncated")
    assert [d.line for d in truncated] == [line_of(text, "Scaling laws provide")]


def test_suppression_by_code_and_for_every_rule() -> None:
    for comment in (
        "<!-- digestconv: ignore[DC301] -->",
        "<!-- digestconv: ignore -->",
        "<!-- digestconv: ignore[url-mismatch, abstract-truncated] -->",
    ):
        text = _before(seed(SEED_000), BLOCK_1, comment)
        assert not only(run(text), NAME), comment


def test_suppression_that_silences_nothing() -> None:
    comment = "<!-- digestconv: ignore[url-mismatch] -->"
    text = _before(seed(SEED_000), BLOCK_2, comment)
    [diag] = fired(text, NAME)
    line = line_of(text, comment)
    assert_diagnostic(diag, NAME, line, 1, says=["url-mismatch", "silences nothing", "delete"])
    assert (diag.end_line, diag.end_column) == (line, len(comment) + 1)
    # the abstract-truncated warnings it does not name are still reported
    assert len(only(run(text), "abstract-truncated")) == 2


def test_stale_suppression_after_the_problem_was_fixed() -> None:
    text = seed(SEED_000).replace(
        "(https://arxiv.org/abs/2402.04177) |", "(https://arxiv.org/abs/2402.04178) |", 1
    )
    comment = "<!-- digestconv: ignore[url-mismatch, id-mismatch] -->"
    row = next(ln for ln in text.split("\n") if ln.startswith("| [^2] |"))
    suppressed = text.replace(row, f"{comment}\n{row}", 1)
    assert not only(run(suppressed), "url-mismatch")
    assert not only(run(suppressed), NAME)
    fixed = suppressed.replace("2402.04178) |", "2402.04177) |", 1)
    [diag] = fired(fixed, NAME)
    assert_diagnostic(diag, NAME, line_of(fixed, comment), 1, says=["silences nothing"])


def test_unknown_rule_name() -> None:
    comment = "<!-- digestconv: ignore[abstract-truncatd] -->"
    text = _before(seed(SEED_000), BLOCK_1, comment)
    [diag] = fired(text, NAME)
    assert_diagnostic(
        diag,
        NAME,
        line_of(text, comment),
        1,
        says=["unknown rule", "abstract-truncatd", "digestconv rules"],
    )


def test_unknown_code() -> None:
    comment = "<!-- digestconv: ignore[DC999] -->"
    [diag] = fired(_before(seed(SEED_000), BLOCK_1, comment), NAME)
    assert "DC999" in diag.message


def test_file_level_suppression() -> None:
    used = _before(seed(SEED_000), BLOCK_2, "<!-- digestconv: ignore-file[abstract-truncated] -->")
    assert not only(run(used), NAME)
    assert not only(run(used), "abstract-truncated")
    comment = "<!-- digestconv: ignore-file[encoding] -->"
    unused = _before(seed(SEED_000), BLOCK_2, comment)
    [diag] = fired(unused, NAME)
    assert_diagnostic(
        diag, NAME, line_of(unused, comment), 1, says=["encoding", "silences nothing"]
    )


def test_file_without_suppressions(real_diagnostics: tuple) -> None:
    assert not fired(seed(SEED_000), NAME)
    assert not [d for d in real_diagnostics if d.rule == NAME]


def test_suppressed_rule_disabled_by_settings_leaves_the_comment_unused() -> None:
    comment = "<!-- digestconv: ignore[abstract-truncated] -->"
    text = _before(seed(SEED_000), BLOCK_1, comment)
    found = run(text, settings=Settings(ignore=("abstract-truncated",)))
    assert [d.line for d in only(found, NAME)] == [line_of(text, comment)]


def test_ignore() -> None:
    text = _before(seed(SEED_000), BLOCK_2, "<!-- digestconv: ignore[url-mismatch] -->")
    assert_ignorable(text, NAME)
    unknown = _before(seed(SEED_000), BLOCK_2, "<!-- digestconv: ignore[no-such-rule] -->")
    assert_ignorable(unknown, NAME)
