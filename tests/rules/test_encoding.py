"""DC003 encoding: invalid UTF-8, byte-order marks, CRLF, control characters, binary files."""

from __future__ import annotations

import pytest

from .conftest import (
    SEED_000,
    assert_diagnostic,
    assert_ignorable,
    assert_registered,
    fired,
    line_of,
    parse,
    position,
    run,
    seed,
    seed_bytes,
)

NAME = "encoding"
TITLE_ZH = "[^1]: 可识别的潜在神经因果模型"
ABSTRACT_ZH_START = "    因果表征学习旨在"


def test_registered() -> None:
    assert_registered(NAME, "DC003", "error")


def test_truncated_multibyte_character() -> None:
    data = seed_bytes(SEED_000)
    good = "可识别的".encode()
    bad = good[:-1]  # the last character loses its final byte
    edited = data.replace(good, bad, 1)
    [diag] = fired(edited, NAME)
    line, col = position(seed(SEED_000), "的潜在神经因果模型\n")
    assert_diagnostic(diag, NAME, line, col, says=["invalid UTF-8", bad[-2:].hex(" ")])
    assert (line, col) == (10, 10)
    # the rest of the file is still read
    assert len(parse(edited).papers) == 2


def test_latin1_bytes() -> None:
    edited = seed_bytes(SEED_000).replace("可识别的".encode(), "été".encode("latin-1"), 1)
    [diag] = fired(edited, NAME)
    assert_diagnostic(diag, NAME, 10, 7, says=["invalid UTF-8", "e9", "2 invalid sequences"])


def test_byte_order_mark() -> None:
    [diag] = fired(b"\xef\xbb\xbf" + seed_bytes(SEED_000), NAME)
    assert_diagnostic(diag, NAME, 1, 1, says=["byte-order mark", "U+FEFF"])
    assert (diag.end_line, diag.end_column) == (1, 2)


def test_byte_order_mark_in_decoded_text() -> None:
    from digestconv.api import check
    from digestconv.reader import read

    digest = read("\ufeff" + seed(SEED_000), "digest.md")
    [diag] = [d for d in check([digest]) if d.rule == NAME]
    assert_diagnostic(diag, NAME, 1, 1, says=["byte-order mark"])
    assert len(digest.papers) == 2


def test_crlf_everywhere() -> None:
    text = seed(SEED_000)
    [diag] = fired(text.replace("\n", "\r\n"), NAME)
    assert_diagnostic(
        diag, NAME, 1, len("# 摘要") + 1, says=["CRLF", f"{text.count(chr(10))} lines", "LF"]
    )
    # CRLF does not change what is read
    assert parse(text.replace("\n", "\r\n")).papers == parse(text).papers


def test_crlf_on_one_line() -> None:
    text = seed(SEED_000)
    header = "[^2]: 大型语言模型的下游任务性能的尺度律"
    [diag] = fired(text.replace(header + "\n", header + "\r\n"), NAME)
    line = line_of(text, header)
    assert_diagnostic(diag, NAME, line, len(header) + 1, says=["CRLF", "1 lines", f"line {line}"])


@pytest.mark.parametrize(
    ("char", "says"),
    [
        ("\x07", "U+0007 (BEL)"),
        ("\x08", "U+0008 (BS)"),
        ("\x1b", "U+001B (ESC)"),
        ("\x7f", "U+007F (DEL)"),
        ("\x85", "U+0085"),
        ("\x0c", "U+000C (FF)"),
    ],
)
def test_control_character(char: str, says: str) -> None:
    text = seed(SEED_000)
    edited = text.replace(ABSTRACT_ZH_START, ABSTRACT_ZH_START + char, 1)
    [diag] = fired(edited, NAME)
    line, col = position(edited, char)
    assert_diagnostic(diag, NAME, line, col, says=[says, "delete"])
    assert (line, col) == (20, len(ABSTRACT_ZH_START) + 1)
    assert (diag.end_line, diag.end_column) == (line, col + 1)


def test_lone_carriage_return_is_a_control_character() -> None:
    text = seed(SEED_000)
    edited = text.replace("Causal Models\n\n    [https", "Causal\rModels\n\n    [https", 1)
    [diag] = fired(edited, NAME)
    assert_diagnostic(
        diag, NAME, 12, len("    Identifiable Latent Neural Causal") + 1, says=["U+000D"]
    )


def test_bell_in_english_title() -> None:
    text = seed(SEED_000)
    edited = text.replace("    Identifiable Latent Neural", "    Identifiable Latent\x07 Neural", 1)
    [diag] = fired(edited, NAME)
    assert_diagnostic(diag, NAME, 12, len("    Identifiable Latent") + 1, says=["BEL"])


def test_many_control_characters_are_capped() -> None:
    text = seed(SEED_000)
    edited = text.replace(ABSTRACT_ZH_START, ABSTRACT_ZH_START + "\x07" * 25, 1)
    found = fired(edited, NAME)
    listed = [d for d in found if "U+0007" in d.message]
    assert len(listed) == 20
    start = len(ABSTRACT_ZH_START) + 1
    assert [d.column for d in listed] == list(range(start, start + 20))
    [summary] = [d for d in found if "more" in d.message]
    assert "5 more control characters" in summary.message


def test_binary_file() -> None:
    data = seed_bytes(SEED_000).replace(b"Identifiable", b"Ident\x00ifiable", 1)
    [diag] = list(run(data))
    line, col = position(seed(SEED_000), "ifiable")
    assert_diagnostic(diag, NAME, line, col, says=["binary", "NUL"])
    assert (line, col) == (5, 16)
    assert parse(data).papers == ()


def test_binary_file_column_counts_code_points() -> None:
    text = seed(SEED_000)
    data = text.encode().replace(
        TITLE_ZH.encode(), (TITLE_ZH[:10] + "\x00" + TITLE_ZH[10:]).encode(), 1
    )
    [diag] = fired(data, NAME)
    assert (diag.line, diag.column) == (10, 11)


def test_utf16_file_is_reported() -> None:
    [diag] = fired(seed(SEED_000).encode("utf-16"), NAME)
    assert diag.line == 1
    assert not fired(seed(SEED_000).encode("utf-16"), "not-a-digest")


def test_clean_text_characters_are_not_reported() -> None:
    # tab, NBSP, U+3000, zero-width space and </br> occur in real digests
    text = seed(SEED_000)
    edited = text.replace(ABSTRACT_ZH_START, ABSTRACT_ZH_START + "\t\u00a0\u3000\u200b</br>", 1)
    assert not fired(edited, NAME)


def test_real_digests_are_clean(real_diagnostics: tuple) -> None:
    assert not [d for d in real_diagnostics if d.rule == NAME]
    assert not fired(seed_bytes(SEED_000), NAME)


def test_ignore() -> None:
    assert_ignorable(b"\xef\xbb\xbf" + seed_bytes(SEED_000), NAME)
    assert_ignorable(seed(SEED_000).replace("\n", "\r\n"), NAME)
