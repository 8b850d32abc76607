"""DC212 invisible-character: bidirectional controls and zero-width characters in a digest."""

from __future__ import annotations

import subprocess
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def test_none_of_the_reported_characters_is_printable() -> None:
    # the one-pass presence test (``_may_hold``) stands on this
    from digestconv.rules.invisible import _CHARACTERS

    assert not any(ch.isprintable() for ch in _CHARACTERS)
    assert all(__import__("unicodedata").category(ch) == "Cf" for ch in _CHARACTERS)


_SPECIALS = "\u200b\u200c\u200d\u200e\u200f\u202a\u202c\u202e\u2060\u2061\u2065\u2066\u2069"
_SPECIALS += "\ufeff\u061c\u180e\n\t\r \u3000\u00a0，a中"
_FILLER = "abcdefghi*+,-.` \n中文，。\uff0c\u6161"


@pytest.mark.parametrize(
    "char",
    list(
        "\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060"
        "\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff\u061c\u180e"
    ),
)
def test_the_one_pass_test_finds_each_character_among_printable_text(char: str) -> None:
    from digestconv.rules.invisible import _holds

    for text in (char, f"a{char}b", f"{_FILLER * 50}{char}{_FILLER * 50}", f"中\n{char}"):
        assert _holds(text), (char, text[:20])


@given(
    st.text(alphabet=st.sampled_from(_SPECIALS), max_size=40)
    | st.text(max_size=60)
    | st.builds(
        lambda a, b, c: a + b + c,
        st.text(alphabet=_FILLER, max_size=300),
        st.text(alphabet=st.sampled_from(_SPECIALS) | st.characters(), max_size=2),
        st.text(alphabet=_FILLER, max_size=300),
    )
)
@settings(max_examples=400, deadline=None)
def test_the_one_pass_test_answers_as_one_search_per_character(text: str) -> None:
    from digestconv.rules.invisible import _CHARACTERS, _holds, _may_hold

    exact = any(ch in text for ch in _CHARACTERS)
    assert _holds(text) == exact
    if exact:
        assert _may_hold(text)  # a proven superset: it never rules out a real one


def test_the_fast_path_reports_what_the_scan_reports() -> None:
    # a digest with a tab (unprintable, but no invisible character) takes the slow path
    base = seed(SEED_000)
    assert fired(base.replace("Latent Neural", "Latent\tNeural"), NAME) == []
    [diag] = fired(edit(base, "Latent Neural", "Latent\t\u2069 Neural", occurrence=2), NAME)
    assert "U+2069" in diag.message


@pytest.mark.parametrize("fmt_name", ["bibtex", "csl-json", "ris", "rss", "atom", "opml"])
def test_the_writers_leave_out_every_character_the_rule_reports(fmt_name: str) -> None:
    """What the rule's message promises: the citation and feed outputs carry none of the
    characters it reports (read back by each format's reader, on real parsers)."""
    from digestconv.formats import Batch, find
    from digestconv.model import Paper
    from digestconv.rules.invisible import _CHARACTERS
    from digestconv.text import HIDDEN, ILLEGAL, TERMINAL_UNSAFE

    for ch in _CHARACTERS:  # every one is what the writers, the records and the terminal drop
        assert ILLEGAL.fullmatch(ch) and HIDDEN.fullmatch(ch) and TERMINAL_UNSAFE.fullmatch(ch)
    fmt = find(fmt_name)
    assert fmt is not None
    marked = "".join(f"{c}x" for c in _CHARACTERS)
    paper = Paper(
        ref=1,
        arxiv_id="2403.15711",
        url="https://arxiv.org/abs/2403.15711",
        title=f"Safe {marked} title",
        summary_zh=f"总结{marked}",
        abstract=f"An abstract {marked} here.",
    )
    text = fmt.write_bytes(Batch(papers=(paper,))).decode("utf-8")
    assert not set(_CHARACTERS) & set(text)
    [back] = fmt.read(text)
    assert back.title is not None and back.title.startswith("Safe x")
