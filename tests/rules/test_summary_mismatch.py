"""DC203 summary-mismatch: the table summary and the detail summary differ."""

from __future__ import annotations

from .conftest import (
    SEED_000,
    SEED_003,
    assert_diagnostic,
    assert_ignorable,
    assert_registered,
    corpus,
    fired,
    line_of,
    parse,
    position,
    seed,
)

NAME = "summary-mismatch"
SUMMARY_2 = (
    "本研究探讨了在转移学习环境中大型语言模型的尺度行为，"
    "发现微调数据集的大小和预训练数据与下游数据的分布一致性对下游性能有显著影响。"
)


def test_registered() -> None:
    assert_registered(NAME, "DC203", "error")


def test_table_summary_edited() -> None:
    text = seed(SEED_000).replace(
        f"| {SUMMARY_2} |", f"| {SUMMARY_2.replace('在转移', '转移')} |", 1
    )
    [diag] = fired(text, NAME)
    line, col = position(text, "本研究探讨了转移")
    detail_line = line_of(text, "    " + SUMMARY_2)
    assert_diagnostic(diag, NAME, line, col, says=[f"line {detail_line}", "make them equal"])
    assert (line, col) == (6, 118)
    assert diag.end_column == col + len(SUMMARY_2) - 1


def test_detail_summary_edited() -> None:
    text = seed(SEED_000).replace(f"    {SUMMARY_2}\n", f"    {SUMMARY_2[:-1]}\n", 1)
    [diag] = fired(text, NAME)
    assert_diagnostic(diag, NAME, 6, 118, says=["line 30"])


def test_whitespace_only_difference_is_named() -> None:
    text = seed(SEED_003)
    row = next(ln for ln in text.split("\n") if ln.startswith("| [^6] |"))
    assert "名为 GND-Nets 的" in row
    edited = text.replace(row, row.replace("名为 GND-Nets", "名为  GND-Nets"), 1)
    [diag] = fired(edited, NAME)
    assert_diagnostic(
        diag, NAME, line_of(edited, "名为  GND-Nets"), says=["only in whitespace", "digestconv fmt"]
    )


def test_bar_inside_summary_passes() -> None:
    # '|' inside the summary is not escaped by the producer
    text = seed(SEED_000).replace(SUMMARY_2, SUMMARY_2.replace("，", " | ", 1))
    assert text.count(" | 发现") == 2
    assert not fired(text, NAME)
    assert parse(text).papers[1].summary_zh == SUMMARY_2.replace("，", " | ", 1)


def test_empty_summary_layout_passes() -> None:
    text = seed(SEED_000).replace(f"| {SUMMARY_2} |", "|  |", 1)
    text = text.replace(f"    {SUMMARY_2}\n", "    \n", 1)
    assert not fired(text, NAME)
    assert parse(text).papers[1].summary_zh is None


def test_english_summary_layout_passes() -> None:
    # corpus 001: every block has an English one-line summary after the Chinese one
    assert all(p.summary_en for p in parse(corpus(1)).papers)
    assert not fired(corpus(1), NAME)


def test_real_digests_pass(real_diagnostics: tuple) -> None:
    assert not [d for d in real_diagnostics if d.rule == NAME]


def test_ignore() -> None:
    text = seed(SEED_000).replace(f"| {SUMMARY_2} |", "| 另一句总结。 |", 1)
    assert_ignorable(text, NAME)
