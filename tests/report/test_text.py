"""The text renderer: one line per diagnostic, a summary, optional colour."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digestconv.model import Diagnostic, Report
from digestconv.report import sorted_diagnostics
from digestconv.report.text import line, printable, render, summary
from tests.strategies import HOSTILE, one_line

from .test_snapshots import REPORT, ROOT

ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: ``path:line:col: CODE rule message`` (the path may itself hold colons)
LINE = re.compile(
    r"^(?P<path>.*?):(?P<line>\d+):(?P<col>\d+): (?P<code>DC\d{3}) (?P<rule>\S+) (?P<msg>.*)$"
)

#: multi-line hostile text: lines of hostile fragments joined by LF, CR or CRLF
hostile_text = st.lists(one_line(), max_size=4).flatmap(
    lambda parts: st.sampled_from(["\n", "\r", "\r\n", "\u2028", "\x1b[31m"]).map(
        lambda sep: sep.join(parts)
    )
)


def diag(path: str, message: str, severity: str = "error", line_: int = 3) -> Diagnostic:
    return Diagnostic(path, line_, 2, line_, 9, "DC004", "syntax", severity, message)  # type: ignore[arg-type]


def test_fixture_lines_parse_back() -> None:
    out = render(REPORT, root=ROOT)
    body, _, tail = out.rpartition("\n\n")
    rows = body.split("\n")
    ordered = sorted_diagnostics(REPORT)
    assert len(rows) == len(ordered)
    for row, d in zip(rows, ordered, strict=True):
        m = LINE.match(row)
        assert m, row
        assert m["path"] == printable(d.path)
        assert (int(m["line"]), int(m["col"])) == (d.line, d.column)
        assert (m["code"], m["rule"]) == (d.code, d.rule)
        assert m["msg"] == printable(d.message)
    assert tail == "6 files, 33 papers: 5 errors, 3 warnings\n"


@pytest.mark.parametrize(
    ("files", "papers", "severities", "expected"),
    [
        (1, 1, [], "1 file, 1 paper: no problems"),
        (0, 0, [], "0 files, 0 papers: no problems"),
        (2, 5, ["error"], "2 files, 5 papers: 1 error"),
        (2, 5, ["warning"], "2 files, 5 papers: 1 warning"),
        (3, 1, ["error", "error", "warning"], "3 files, 1 paper: 2 errors, 1 warning"),
        (1, 2, ["warning"] * 31 + ["error"] * 7, "1 file, 2 papers: 7 errors, 31 warnings"),
    ],
)
def test_summary(files: int, papers: int, severities: list[str], expected: str) -> None:
    report = Report(tuple(diag("a.md", "m", s) for s in severities), files, papers)
    assert summary(report) == expected
    assert render(report).splitlines()[-1] == expected


def test_clean_report_is_just_the_summary() -> None:
    assert render(Report((), files=4, papers=33)) == "4 files, 33 papers: no problems\n"


def test_color_only_when_asked() -> None:
    plain = render(REPORT)
    colored = render(REPORT, color=True)
    assert "\x1b" not in plain
    assert "\x1b[" in colored
    assert ANSI.sub("", colored) == plain


def test_error_and_warning_codes_colored_differently() -> None:
    error = line(diag("a.md", "m", "error"), color=True)
    warning = line(diag("a.md", "m", "warning"), color=True)
    assert "\x1b[1;31mDC004" in error
    assert "\x1b[1;33mDC004" in warning


def test_controls_escaped() -> None:
    text = "a\nb\rc\x1b[2Jd\x07e\u202ef\u2028g\x85h\ti"
    assert printable(text) == "a\\nb\\rc\\x1b[2Jd\\x07e\\u202ef\\u2028g\\x85h\ti"
    assert printable("深度学习 😀 e\u0301") == "深度学习 😀 e\u0301"
    assert printable("\udcff") == "\\udcff"


@given(path=one_line(min_size=1), message=hostile_text, row=st.integers(1, 10**6))
def test_one_line_per_diagnostic(path: str, message: str, row: int) -> None:
    d = diag(path, message, line_=row)
    out = render(Report((d, d), files=1, papers=1))
    rows = out.split("\n")
    assert rows[-1] == ""
    assert len(rows) == 5  # two diagnostics, blank, summary, final ""
    assert rows[0] == rows[1]
    m = LINE.match(rows[0])
    assert m is not None
    assert m["msg"] == printable(message)
    assert int(m["line"]) == row
    # nothing that moves the cursor or switches direction survives
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069]", out)


@given(st.sampled_from(HOSTILE))
def test_hostile_fragments_keep_their_text(fragment: str) -> None:
    out = line(diag("x.md", fragment))
    assert out.endswith(" " + printable(fragment))


def test_long_line_is_linear() -> None:
    message = "\x07" * 500_000 + "深" * 5_000_000
    out = render(Report((diag("x.md", message),), files=1))
    assert out.count("\\x07") == 500_000


def test_printable_text_passes_untouched_and_everything_else_is_checked() -> None:
    """The shortcut for text ``isprintable`` accepts skips nothing the escape patterns
    would catch: no code point of all Unicode that they match is printable."""
    from digestconv.text import LINE_UNSAFE, TERMINAL_UNSAFE, printable

    every = "".join(map(chr, range(0x110000)))
    for pattern in (TERMINAL_UNSAFE, LINE_UNSAFE):
        matched = [m.group() for m in pattern.finditer(every)]
        assert len(matched) > 2_000 and not any(ch.isprintable() for ch in matched)
    assert printable("中文…标题") == "中文…标题"
    assert printable("中文\u202e标题") == "中文\\u202e标题"
    for code in [*range(0x20), 0x7F, *range(0x80, 0xA0), 0x200E, 0x202E, 0xFEFF, 0x2028]:
        ch = chr(code)
        if TERMINAL_UNSAFE.search(ch):
            assert printable("a" + ch + "b") != "a" + ch + "b"
    assert printable("a\x1b[31mb") == "a\\x1b[31mb"
    assert printable("line\nbreak") == "line\\nbreak"
    assert printable("line\nbreak", lines=True) == "line\nbreak"


def test_lines_are_the_line_of_each_diagnostic() -> None:
    """The report's batch of lines says what :func:`line` says of each diagnostic, for
    diagnostics of several files and with paths that need escaping."""
    from digestconv.report.text import line, lines

    batch = [
        diag("a.md", "plain"),
        diag("a.md", "中文…\u202e"),
        diag("b\x1b.md", "x"),
        diag("a.md", "again"),
    ]
    for color in (False, True):
        assert lines(batch, color=color) == "".join(line(d, color=color) + "\n" for d in batch)
