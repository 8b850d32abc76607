"""DC004 syntax: lines the digest grammar cannot place."""

from __future__ import annotations

from .conftest import (
    SEED_000,
    SEED_003,
    assert_diagnostic,
    assert_ignorable,
    assert_registered,
    fired,
    line_of,
    only,
    parse,
    run,
    seed,
)

NAME = "syntax"
BLOCK_2 = "[^2]: 大型语言模型的下游任务性能的尺度律"
TITLE_2 = "    Scaling Laws for Downstream Task Performance of Large Language Models\n"


def test_registered() -> None:
    assert_registered(NAME, "DC004", "error")


def test_stray_unindented_line_between_blocks() -> None:
    stray = "see also the previous day"
    text = seed(SEED_000).replace(BLOCK_2, f"{stray}\n{BLOCK_2}", 1)
    [diag] = fired(text, NAME)
    assert_diagnostic(diag, NAME, line_of(text, stray), 1, says=["cannot place", "indented"])
    assert (diag.end_line, diag.end_column) == (diag.line, len(stray) + 1)

    # the blocks around it are still read completely
    def content(data: str) -> list[dict[str, object]]:
        return [
            {k: v for k, v in p.to_dict().items() if k not in ("line", "end_line")}
            for p in parse(data).papers
        ]

    assert content(text) == content(seed(SEED_000))


def test_unindented_english_title() -> None:
    text = seed(SEED_000).replace(TITLE_2, TITLE_2.lstrip(" "), 1)
    found = fired(text, NAME)
    line = line_of(text, TITLE_2.lstrip(" "))
    assert_diagnostic(found[0], NAME, line, 1, says=["cannot place"])
    assert (found[0].end_line, found[0].end_column) == (line, len(TITLE_2.strip()) + 1)


def test_unindented_line_inside_block_is_reported_once() -> None:
    text = seed(SEED_000).replace(TITLE_2, TITLE_2.lstrip(" "), 1)
    assert len(fired(text, NAME)) == 1


def test_second_heading() -> None:
    text = seed(SEED_000).replace(BLOCK_2, f"# 详细\n\n{BLOCK_2}", 1)
    [diag] = fired(text, NAME)
    assert_diagnostic(
        diag, NAME, line_of(text, "# 详细", occurrence=2), 1, says=["second", "# 详细"]
    )


def test_table_row_outside_summary() -> None:
    text = seed(SEED_000)
    row = text.split("\n")[5]
    edited = text.replace(BLOCK_2, f"{row}\n{BLOCK_2}", 1)
    [diag] = fired(edited, NAME)
    assert_diagnostic(diag, NAME, line_of(edited, BLOCK_2) - 1, 1, says=["table row outside"])


def test_row_without_link_cell() -> None:
    text = seed(SEED_000)
    link = "[Identifiable Latent Neural Causal Models](https://arxiv.org/abs/2403.15711)"
    edited = text.replace(link, "Identifiable Latent Neural Causal Models", 1)
    [diag] = fired(edited, NAME)
    assert_diagnostic(diag, NAME, 5, 1, says=["| [^N] | [title](url) | summary |"])


def test_row_without_closing_bar() -> None:
    text = seed(SEED_000)
    row = text.split("\n")[4]
    edited = text.replace(row, row.removesuffix(" |"), 1)
    [diag] = fired(edited, NAME)
    assert_diagnostic(diag, NAME, 5, 1, says=["does not end with '|'"])


def test_missing_details_heading() -> None:
    text = seed(SEED_000).replace("# 详细\n", "", 1)
    found = fired(text, NAME)
    assert any(d.line == 1 and "no '# 详细' heading" in d.message for d in found)
    outside = [d for d in found if "outside" in d.message]
    assert [d.line for d in outside] == [line_of(text, "[^1]:"), line_of(text, "[^2]:")]


def test_malformed_directive() -> None:
    text = seed(SEED_000).replace(BLOCK_2, f"<!-- digestconv: ignre[encoding] -->\n{BLOCK_2}", 1)
    [diag] = fired(text, NAME)
    assert_diagnostic(diag, NAME, line_of(text, "<!--"), 1, says=["malformed directive"])


def test_html_comment_is_not_a_syntax_error() -> None:
    text = seed(SEED_000).replace(BLOCK_2, f"<!-- reviewed -->\n{BLOCK_2}", 1)
    assert not fired(text, NAME)


def test_tab_indent_is_an_indent() -> None:
    text = seed(SEED_000).replace(TITLE_2, "\t" + TITLE_2.lstrip(" "), 1)
    assert not run(text) or not only(run(text), NAME)
    assert parse(text).papers[1].title == TITLE_2.strip()


def test_empty_digest_is_well_formed() -> None:
    lines = seed(SEED_003).split("\n")
    text = "\n".join(lines[:4] + lines[10:13])
    assert not fired(text, NAME)


def test_real_digests_are_well_formed(real_diagnostics: tuple) -> None:
    assert not [d for d in real_diagnostics if d.rule == NAME]


def test_ignore() -> None:
    text = seed(SEED_000).replace(BLOCK_2, f"stray\n{BLOCK_2}", 1)
    assert_ignorable(text, NAME)
