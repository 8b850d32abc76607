"""The github renderer, read back with a parser of the workflow-command syntax.

The parser follows the Actions runner: a command line is ``::name props::data``;
properties are split on ``,`` and on the first ``=``; values and data are
unescaped (``%0D``, ``%0A``, ``%3A``, ``%2C``, and ``%25`` last).
"""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from digestconv.model import Diagnostic, Report
from digestconv.report import relative_to_root, sorted_diagnostics
from digestconv.report import text as text_renderer
from digestconv.report.github import escape_data, escape_property, render
from digestconv.text import printable
from tests.strategies import one_line

from .test_snapshots import REPORT, ROOT

COMMAND = re.compile(r"^::(?P<name>[a-z-]+)(?: (?P<props>.*?))?::(?P<data>.*)$")


def unescape_data(value: str) -> str:
    return value.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def unescape_property(value: str) -> str:
    return (
        value.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
    )


def parse_command(row: str) -> tuple[str, dict[str, str], str] | None:
    """``(command, properties, message)`` of a workflow command line, else None."""
    m = COMMAND.match(row)
    if m is None:
        return None
    props: dict[str, str] = {}
    for pair in (m["props"] or "").split(","):
        if pair:
            key, _, value = pair.partition("=")
            props[key] = unescape_property(value)
    return m["name"], props, unescape_data(m["data"])


def check_annotation(parsed: tuple[str, dict[str, str], str], d: Diagnostic) -> None:
    name, props, message = parsed
    assert name == d.severity
    assert message == printable(d.message, lines=True)
    assert props["title"] == f"{d.code} {d.rule}"
    if d.path in ("<stdin>", "-"):
        assert set(props) == {"title"}
        return
    assert props["file"] == printable(relative_to_root(d.path, ROOT) or d.path)
    assert (int(props["line"]), int(props["endLine"])) == (d.line, d.end_line)
    if d.line == d.end_line:
        assert (int(props["col"]), int(props["endColumn"])) == (d.column, d.end_column)
    else:
        assert "col" not in props
        assert "endColumn" not in props


def test_fixture_annotations_then_text_report() -> None:
    out = render(REPORT, root=ROOT)
    rows = out.rstrip("\n").split("\n")
    ordered = sorted_diagnostics(REPORT)
    commands = [parse_command(row) for row in rows[: len(ordered)]]
    for parsed, d in zip(commands, ordered, strict=True):
        assert parsed is not None
        check_annotation(parsed, d)
    rest = "\n".join(rows[len(ordered) :]) + "\n"
    assert rest == text_renderer.render(REPORT)
    # the text report holds no line GitHub would take for a command
    assert all(parse_command(row) is None for row in rows[len(ordered) :])


def test_fixture_paths() -> None:
    parsed = [parse_command(r) for r in render(REPORT, root=ROOT).split("\n")]
    files = {p[1].get("file") for p in parsed if p}
    assert "2024/cs.LG 2024-03-25.md" in files  # relative to root, spaces kept
    assert "/tmp/elsewhere/notes.md" in files  # outside root: absolute
    assert None in files  # standard input: no file


def test_escaping_matches_the_toolkit() -> None:
    assert escape_data("100%\r\nx: a,b") == "100%25%0D%0Ax: a,b"
    assert escape_property("100%\r\nx: a,b") == "100%25%0D%0Ax%3A a%2Cb"
    assert escape_data("%0A") == "%250A"  # no double meaning after unescaping


def test_text_line_starting_with_command_marker_is_defused() -> None:
    d = Diagnostic("::warning file=x::", 1, 1, 1, 2, "DC004", "syntax", "error", "m")
    rows = render(Report((d,), files=1)).split("\n")
    assert parse_command(rows[0]) is not None
    assert sum(parse_command(r) is not None for r in rows) == 1


@given(
    path=one_line(min_size=1).filter(lambda p: p.strip() not in ("<stdin>", "-")),
    message=st.lists(one_line(), max_size=4).map("\r\n".join),
    lines=st.tuples(st.integers(1, 10**5), st.integers(0, 3)),
    severity=st.sampled_from(["error", "warning"]),
)
def test_any_diagnostic_round_trips(
    path: str, message: str, lines: tuple[int, int], severity: str
) -> None:
    start, extra = lines
    d = Diagnostic(
        "/srv/digests/" + path,
        start,
        3,
        start + extra,
        7,
        "DC301",
        "abstract-truncated",
        severity,
        message,  # type: ignore[arg-type]
    )
    out = render(Report((d,), files=1), root=ROOT)
    first = out.split("\n")[0]
    parsed = parse_command(first)
    assert parsed is not None
    check_annotation(parsed, d)
    assert sum(parse_command(r) is not None for r in out.split("\n")) == 1
