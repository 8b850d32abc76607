"""DC302 translation-truncated: the Chinese abstract ends mid-sentence or with a cut marker."""

from __future__ import annotations

import pytest

from .conftest import (
    SEED_000,
    SEED_001,
    assert_diagnostic,
    assert_ignorable,
    assert_registered,
    fired,
    line_of,
    parse,
    seed,
)

NAME = "translation-truncated"
ZH_2 = "    尺度律提供了重要的见解"


def _zh_line(text: str) -> str:
    return next(ln for ln in text.split("\n") if ln.startswith(ZH_2))


def _with_zh(text: str, new: str) -> str:
    return text.replace(_zh_line(text), new, 1)


def test_registered() -> None:
    assert_registered(NAME, "DC302", "warning")


def test_whole_translation_passes() -> None:
    text = seed(SEED_000)
    assert _zh_line(text).endswith("。")
    assert not fired(text, NAME)


def test_cut_mid_sentence() -> None:
    text = seed(SEED_000)
    zh = _zh_line(text)
    cut = zh[: zh.rindex("，")] + "，我们发现"
    edited = _with_zh(text, cut)
    [diag] = fired(edited, NAME)
    assert_diagnostic(
        diag, NAME, line_of(edited, ZH_2), len(cut), says=["ends mid-sentence", "我们发现'"]
    )
    assert (diag.end_line, diag.end_column) == (diag.line, len(cut) + 1)
    assert parse(edited).papers[1].translation_truncated


@pytest.mark.parametrize(
    ("marker", "says"), [("……", "'……'"), ("...", "'...'"), ("（原文截断）", "原文截断")]
)
def test_cut_markers(marker: str, says: str) -> None:
    text = seed(SEED_000)
    zh = _zh_line(text)
    edited = _with_zh(text, zh[: zh.rindex("，")] + marker)
    [diag] = fired(edited, NAME)
    assert_diagnostic(diag, NAME, line_of(edited, ZH_2), says=["cut marker", says])


def test_latin_fragment() -> None:
    text = seed(SEED_000)
    zh = _zh_line(text)
    edited = _with_zh(text, zh[: zh.rindex("，")] + "，与LLM")
    [diag] = fired(edited, NAME)
    assert_diagnostic(diag, NAME, line_of(edited, ZH_2), says=["Latin fragment 'LLM'"])


def test_real_cut_translations() -> None:
    text = seed(SEED_001)
    found = fired(text, NAME)
    assert [d.line for d in found] == [99, 113]
    assert "ends mid-sentence" in found[0].message
    assert "Latin fragment 's'" in found[1].message


@pytest.mark.parametrize("ending", ["。”", "。）", "！", "？", "$O(n)$。"])
def test_sentence_endings_pass(ending: str) -> None:
    text = seed(SEED_000)
    zh = _zh_line(text)
    assert not fired(_with_zh(text, zh[:-1] + ending), NAME)


def test_empty_translation_passes() -> None:
    assert not fired(_with_zh(seed(SEED_000), "    "), NAME)


def test_ignore() -> None:
    text = seed(SEED_000)
    assert_ignorable(_with_zh(text, _zh_line(text)[:-1] + "……"), NAME)
