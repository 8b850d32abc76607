"""The junit renderer, parsed with lxml."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from digestconv.model import Diagnostic, Report
from digestconv.report.junit import render
from digestconv.report.text import line
from digestconv.text import XML_ILLEGAL, printable
from tests.strategies import one_line

from .test_snapshots import MISSING, OUTSIDE, REPORT, SPACED


def shown(text: str) -> str:
    """What a path or message becomes in an attribute: printable, line breaks kept."""
    return XML_ILLEGAL.sub("", printable(text, lines=True))


def parse(out: str) -> Any:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(out.encode("utf-8"), parser)


def test_fixture_structure() -> None:
    root = parse(render(REPORT))
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    by_name = {c.get("name"): c for c in cases}
    paths = sorted({d.path for d in REPORT.diagnostics})
    assert [c.get("name") for c in cases] == [*paths, "1 other file"]
    assert suite.get("tests") == str(len(cases)) == root.get("tests")
    # every error is a failure (or an error for an unreadable file), warnings are output
    for d in REPORT.diagnostics:
        case = by_name[d.path]
        if d.severity == "error":
            kind = "error" if d.code == "DC000" else "failure"
            messages = [f.get("message") for f in case.findall(kind)]
            assert f"{d.code} {d.rule}: {shown(d.message)}" in messages
        else:
            assert XML_ILLEGAL.sub("", line(d)) in case.findtext("system-out").split("\n")
    failed = [c for c in cases if c.find("failure") is not None and c.find("error") is None]
    errored = [c for c in cases if c.find("error") is not None]
    assert suite.get("failures") == str(len(failed)) == "3"
    assert suite.get("errors") == str(len(errored)) == "1"
    assert by_name[MISSING].find("error").get("type") == "DC000"
    assert by_name[OUTSIDE].find("failure") is None  # warnings only: passes
    assert len(by_name[SPACED].findall("failure")) == 2
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props == {"files": "6", "papers": "33", "errors": "5", "warnings": "3"}
    assert all(c.get("time") == "0" for c in cases)
    assert suite.get("timestamp") is None


def test_clean_report_has_one_passing_case() -> None:
    suite = parse(render(Report((), files=2, papers=7))).find("testsuite")
    (case,) = suite.findall("testcase")
    assert case.get("name") == "2 files"
    assert len(case) == 0
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("1", "0", "0")


def test_newlines_in_attributes_survive() -> None:
    d = Diagnostic("a.md", 1, 1, 1, 2, "DC004", "syntax", "error", "two\nlines\ttab\rcr")
    failure = parse(render(Report((d,), files=1))).find("testsuite/testcase/failure")
    assert failure.get("message") == "DC004 syntax: two\nlines\ttab\rcr"


@given(
    path=one_line(min_size=1),
    message=st.lists(one_line(), max_size=3).map("\n".join),
    severity=st.sampled_from(["error", "warning"]),
)
def test_hostile_text_is_well_formed(path: str, message: str, severity: str) -> None:
    d = Diagnostic(path, 1, 1, 1, 2, "DC004", "syntax", severity, message)  # type: ignore[arg-type]
    suite = parse(render(Report((d,), files=1))).find("testsuite")
    case = suite.find("testcase")
    assert case.get("name") == shown(path)
    if severity == "error":
        assert case.find("failure").get("message") == f"DC004 syntax: {shown(message)}"
    else:
        assert case.findtext("system-out") == XML_ILLEGAL.sub("", line(d))
