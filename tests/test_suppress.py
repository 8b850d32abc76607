"""Inline suppressions: scope (block, row, file), codes and names, unused and unknown ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from digestconv.api import check
from digestconv.model import Diagnostic
from digestconv.reader import read
from digestconv.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SEED_000 = (ROOT / "seeds" / "000_20f5c0d8057fc2ad.txt").read_text("utf-8")
SEED_001 = (ROOT / "seeds" / "001_47dd8e642f9add4b.txt").read_text("utf-8")


def diagnostics(text: str) -> list[Diagnostic]:
    """Every diagnostic of one file."""
    return check([read(text, "x.md")])


def insert_before(text: str, line: int, *comments: str) -> str:
    """Insert comment lines before line ``line`` (1-based)."""
    lines = text.split("\n")
    lines[line - 1 : line - 1] = list(comments)
    return "\n".join(lines)


def block_line(text: str, index: int) -> int:
    """The header line of the ``index``-th detail block."""
    line = read(text, "x.md").papers[index].line
    assert line is not None
    return line


def row_line(text: str, index: int) -> int:
    """The line of the ``index``-th table row."""
    return read(text, "x.md").rows[index].line


def mistitle_rows(text: str) -> str:
    """Edit the table titles of the first two rows so both disagree with their blocks."""
    digest = read(text, "x.md")
    lines = text.split("\n")
    for row in digest.rows[:2]:
        lines[row.line - 1] = lines[row.line - 1].replace(f"[{row.title}]", f"[{row.title} II]")
    return "\n".join(lines)


def _at(diags: list[Diagnostic], rule: str) -> list[int]:
    return sorted(d.line for d in diags if d.rule == rule)


def test_baseline_has_both_truncations() -> None:
    assert len(_at(diagnostics(SEED_000), "abstract-truncated")) == 2


@pytest.mark.parametrize("selector", ["abstract-truncated", "DC301", "dc301"])
def test_block_suppression_covers_only_that_block(selector: str) -> None:
    text = insert_before(
        SEED_000, block_line(SEED_000, 0), f"<!-- digestconv: ignore[{selector}] -->"
    )
    diags = diagnostics(text)
    second = read(text, "x.md").papers[1]
    assert second.line and second.end_line
    remaining = _at(diags, "abstract-truncated")
    assert len(remaining) == 1 and second.line <= remaining[0] <= second.end_line
    assert not [d for d in diags if d.rule in ("unused-suppression", "syntax")]


def test_block_suppression_names_only_its_rules() -> None:
    text = insert_before(
        SEED_000, block_line(SEED_000, 0), "<!-- digestconv: ignore[translation-truncated] -->"
    )
    diags = diagnostics(text)
    assert len(_at(diags, "abstract-truncated")) == 2
    assert [d.rule for d in diags if d.rule == "unused-suppression"] == ["unused-suppression"]


def test_row_suppression_covers_only_that_row() -> None:
    edited = mistitle_rows(SEED_000)
    assert len(_at(diagnostics(edited), "title-mismatch")) == 2
    text = insert_before(edited, row_line(edited, 0), "<!-- digestconv: ignore[DC201] -->")
    diags = diagnostics(text)
    assert _at(diags, "title-mismatch") == [row_line(text, 1)]
    assert not _at(diags, "syntax") and not _at(diags, "unused-suppression")


def test_several_rules_in_one_comment() -> None:
    text = insert_before(
        SEED_000,
        block_line(SEED_000, 1),
        "<!-- digestconv: ignore[abstract-truncated, DC302] -->",
    )
    diags = diagnostics(text)
    assert len(_at(diags, "abstract-truncated")) == 1
    # DC302 found nothing to silence, but DC301 did: the comment is used
    assert not _at(diags, "unused-suppression")


def test_bare_ignore_silences_every_rule_in_the_block() -> None:
    edited = mistitle_rows(SEED_000)
    text = insert_before(edited, block_line(edited, 0), "<!-- digestconv: ignore -->")
    diags = diagnostics(text)
    first = read(text, "x.md").papers[0]
    assert first.line and first.end_line
    assert not [d for d in diags if first.line <= d.line <= first.end_line]


@pytest.mark.parametrize("selector", ["abstract-truncated", "DC301"])
def test_file_level_suppression(selector: str) -> None:
    text = f"<!-- digestconv: ignore-file[{selector}] -->\n\n" + SEED_000
    diags = diagnostics(text)
    assert not _at(diags, "abstract-truncated")
    assert not _at(diags, "syntax") and not _at(diags, "unused-suppression")
    tail = SEED_000 + f"\n<!-- digestconv: ignore-file[{selector}] -->\n"
    assert not _at(diagnostics(tail), "abstract-truncated")


def test_unused_suppression_is_reported_at_the_comment() -> None:
    text = insert_before(
        SEED_000, block_line(SEED_000, 0), "<!-- digestconv: ignore[url-mismatch] -->"
    )
    diags = diagnostics(text)
    unused = [d for d in diags if d.rule == "unused-suppression"]
    assert len(unused) == 1
    assert unused[0].code == "DC401" and unused[0].line == block_line(SEED_000, 0)
    assert "url-mismatch" in unused[0].message
    file_level = "<!-- digestconv: ignore-file[DC205] -->\n" + SEED_000
    assert _at(diagnostics(file_level), "unused-suppression") == [1]


def test_unknown_rule_is_reported() -> None:
    text = insert_before(
        SEED_000, block_line(SEED_000, 0), "<!-- digestconv: ignore[abstract-truncatd] -->"
    )
    diags = diagnostics(text)
    unknown = [d for d in diags if d.rule == "unused-suppression"]
    assert len(unknown) == 1 and "abstract-truncatd" in unknown[0].message
    assert "unknown" in unknown[0].message
    assert len(_at(diags, "abstract-truncated")) == 2


def test_unused_suppression_can_itself_be_ignored() -> None:
    text = insert_before(
        SEED_000, block_line(SEED_000, 0), "<!-- digestconv: ignore[url-mismatch] -->"
    )
    diags = check([read(text, "x.md")], _settings(ignore=("unused-suppression",)))
    assert not _at(diags, "unused-suppression")


def test_malformed_directive_is_a_syntax_error() -> None:
    text = insert_before(SEED_000, block_line(SEED_000, 0), "<!-- digestconv: ignroe[DC301] -->")
    diags = diagnostics(text)
    assert _at(diags, "syntax") == [block_line(SEED_000, 0)]


def test_suppressions_in_a_long_real_digest() -> None:
    """One comment per block on seed 001 silences each block's own truncation only."""
    digest = read(SEED_001, "x.md")
    lines = SEED_001.split("\n")
    truncated = [p for p in digest.papers if p.abstract_truncated]
    for paper in reversed(truncated[::2]):
        assert paper.line
        lines.insert(paper.line - 1, "<!-- digestconv: ignore[abstract-truncated] -->")
    diags = diagnostics("\n".join(lines))
    assert len(_at(diags, "abstract-truncated")) == len(truncated) - len(truncated[::2])
    assert not _at(diags, "unused-suppression") and not _at(diags, "syntax")


def _settings(**changes: object) -> object:
    import dataclasses

    from digestconv.settings import Settings

    return dataclasses.replace(Settings(), **changes)


# --- the file stays valid markdown -------------------------------------------------------


def _markdown_blocks(text: str) -> list[str]:
    markdown_it = pytest.importorskip("markdown_it")
    md = markdown_it.MarkdownIt("commonmark").enable("table")
    return [t.type for t in md.parse(text) if t.nesting in (0, 1) and t.level == 0]


def _table_rows(text: str) -> int:
    markdown_it = pytest.importorskip("markdown_it")
    md = markdown_it.MarkdownIt("commonmark").enable("table")
    return sum(t.type == "tr_open" for t in md.parse(text))


def test_block_and_file_suppressions_keep_the_markdown() -> None:
    text = "<!-- digestconv: ignore-file[DC302] -->\n\n" + insert_before(
        SEED_000, block_line(SEED_000, 0), "<!-- digestconv: ignore[DC301] -->"
    )
    assert _table_rows(text) == _table_rows(SEED_000) == 3
    blocks = _markdown_blocks(text)
    assert blocks.count("html_block") == 2
    assert [b for b in blocks if b != "html_block"] == _markdown_blocks(SEED_000)


def test_row_suppression_keeps_the_table() -> None:
    """At the end of a row the comment is invisible and the table stays whole."""
    lines = SEED_000.split("\n")
    number = row_line(SEED_000, 1)
    lines[number - 1] += " <!-- digestconv: ignore[DC201] -->"
    text = "\n".join(lines)
    assert _table_rows(text) == _table_rows(SEED_000)
    digest = read(text, "x.md")
    assert [p.to_dict() for p in digest.papers] == [p.to_dict() for p in read(SEED_000, "x").papers]
    (s,) = digest.suppressions
    assert (s.start, s.end, s.rules) == (number, number, ("DC201",))


def test_end_of_row_suppression_silences_that_row_only() -> None:
    lines = SEED_000.split("\n")
    for index in (0, 1):
        at = row_line(SEED_000, index) - 1
        lines[at] = lines[at].replace("](https://arxiv.org", "](http://arxiv.org", 1)
    lines[row_line(SEED_000, 0) - 1] += " <!-- digestconv: ignore[url-mismatch] -->"
    found = check([read("\n".join(lines), "x.md")], Settings())
    mismatches = [d for d in found if d.rule == "url-mismatch"]
    assert [d.line for d in mismatches] == [row_line(SEED_000, 1)]
    assert not [d for d in found if d.rule in ("syntax", "unused-suppression")]
