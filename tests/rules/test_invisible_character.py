"""DC212 invisible-character: bidirectional controls and zero-width characters in a digest."""

from __future__ import annotations

import subprocess
import time

import pytest

from .conftest import (
    SEED_000,
    assert_diagnostic,
    assert_ignorable,
    assert_registered,
    corpus_paths,
    edit,
    fired,
    position,
    seed,
)

NAME = "invisible-character"
TITLE = "Identifiable Latent Neural Causal Models"


def test_registered() -> None:
    assert_registered(NAME, "DC212", "warning")


@pytest.mark.parametrize(
    ("char", "says"),
    [
        ("\u202e", ["bidirectional control", "U+202E RIGHT-TO-LEFT OVERRIDE", "reorders"]),
        ("\u2066", ["bidirectional control", "U+2066 LEFT-TO-RIGHT ISOLATE"]),
        ("\u200f", ["bidirectional control", "U+200F RIGHT-TO-LEFT MARK"]),
        ("\u200b", ["invisible character", "U+200B ZERO WIDTH SPACE", "splits or hides"]),
        ("\u2060", ["invisible character", "U+2060 WORD JOINER"]),
        ("\ufeff", ["invisible character", "U+FEFF ZERO WIDTH NO-BREAK SPACE"]),
    ],
)
def test_each_kind_is_reported_where_it_is(char: str, says: list[str]) -> None:
    text = edit(seed(SEED_000), "Latent Neural", f"Latent{char} Neural", occurrence=2)
    [diag] = fired(text, NAME)
    line, column = position(text, char)
    assert_diagnostic(diag, NAME, line, column, says=says)
    assert diag.end_column == column + 1


def test_a_run_is_one_finding_and_every_line_is_counted() -> None:
    text = seed(SEED_000).replace(
        TITLE, "Identifiable\u202e\u200b\u2066 Latent Neural Causal Models"
    )
    diags = fired(text, NAME)
    assert len(diags) == 2  # the table row and the detail block
    for n, diag in enumerate(diags, 1):
        line, column = position(text, "\u202e", occurrence=n)
        assert (diag.line, diag.column, diag.end_column) == (line, column, column + 3)
        assert "U+202E" in diag.message and "U+200B" in diag.message and "U+2066" in diag.message


def test_joiners_and_a_leading_byte_order_mark_are_left_alone() -> None:
    text = seed(SEED_000).replace("Latent Neural", "Latent\u200d\u200c Neural")
    assert fired(text, NAME) == []
    assert fired(b"\xef\xbb\xbf" + text.encode(), NAME) == []  # the encoding rule's


def test_ignorable() -> None:
    assert_ignorable(
        edit(seed(SEED_000), "Latent Neural", "Latent\u202e Neural", occurrence=1), NAME
    )


def test_silent_on_the_real_corpus() -> None:
    for path in corpus_paths()[:99]:
        assert fired(path.read_bytes(), NAME, str(path)) == [], path


def test_a_file_full_of_them_is_bounded_and_linear() -> None:
    lines = ["\u200bx"] * 200_000
    text = seed(SEED_000) + "\n".join(lines)
    start = time.process_time()
    diags = fired(text, NAME)
    elapsed = time.process_time() - start
    assert len(diags) == 51 and "more runs" in diags[-1].message
    assert elapsed < 60  # linear: a quadratic scan would take hours


def test_outputs_leave_them_out_and_markdown_keeps_them(tmp_path: object) -> None:
    from pathlib import Path

    from ..cli.conftest import _command

    digest = Path(str(tmp_path)) / "digest.md"
    digest.write_text(seed(SEED_000).replace("Latent Neural", "Latent\u202e\u200b Neural"), "utf-8")
    for fmt in ("bibtex", "csl-json", "ris", "rss", "atom", "opml", "markdown"):
        proc = subprocess.run(
            [*_command(), "to", fmt, str(digest)], capture_output=True, timeout=60, check=False
        )
        assert proc.returncode == 0, proc.stderr
        out = proc.stdout.decode()
        kept = "\u202e" in out or "\u200b" in out
        assert kept == (fmt == "markdown"), fmt
        assert b"DC212" in proc.stderr


def test_the_quick_check_looks_for_exactly_the_reported_characters() -> None:
    from digestconv.rules.invisible import _CHARACTERS, INVISIBLE

    reported = {chr(c) for c in range(0x110000) if INVISIBLE.fullmatch(chr(c))}
    assert set(_CHARACTERS) == reported
