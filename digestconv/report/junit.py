"""The ``junit`` renderer: JUnit XML for CI test-report viewers.

Mapping:

- one ``<testsuites>`` holding one ``<testsuite name="digestconv">``;
- one ``<testcase classname="digestconv" name="PATH">`` per file with
  diagnostics, in path order;
- each error diagnostic is a ``<failure>`` of its file's test case
  (``message`` = ``CODE rule: message``, ``type`` = the rule code, body = the
  text-report line); a file that could not be read (``DC000``) is an
  ``<error>`` instead, since nothing in it was checked;
- warnings do not fail a test case: they are listed as text-report lines in the
  test case's ``<system-out>``;
- the files without any diagnostic share one passing test case,
  ``name="N other files"`` (``"N files"`` when no file has a diagnostic): the
  report counts them but does not name them, and a clean run still has a test
  case;
- ``<properties>`` give the counts of files, papers, errors and warnings.

Every ``time`` is ``0`` and there is no timestamp or host name, so the output
is deterministic.  Paths (test case names) and messages are made printable the way the text
report does it (:func:`digestconv.text.printable`: control and bidirectional
characters as backslash escapes, line breaks kept), so a file name cannot
reorder or hide what a CI viewer shows; everything else is escaped, and line
breaks inside attributes are kept as character references.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from ..model import INTERNAL_ERROR_CODE, IO_ERROR_CODE
from ..text import XML_ILLEGAL, printable
from . import text as _text
from .common import sorted_diagnostics

if TYPE_CHECKING:
    from ..model import Diagnostic, Report

SUITE = "digestconv"


def _clean(value: str) -> str:
    return XML_ILLEGAL.sub("", value)


def _attr(value: str | int) -> str:
    return quoteattr(_clean(str(value)), {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def _body(value: str) -> str:
    return escape(_clean(value)).replace("\r", "&#13;")


def _tag(element: str, /, **attrs: str | int) -> str:
    joined = "".join(f" {key}={_attr(value)}" for key, value in attrs.items())
    return f"<{element}{joined}"


def _kind(d: Diagnostic) -> str:
    """How an error diagnostic fails its test case: ``error`` (the file could not be
    checked) or ``failure`` (a finding)."""
    return "error" if d.code in (IO_ERROR_CODE, INTERNAL_ERROR_CODE) else "failure"


def _testcase(path: str, diagnostics: list[Diagnostic]) -> list[str]:
    """The lines of one test case."""
    inner: list[str] = []
    warnings: list[str] = []
    for d in diagnostics:
        row = _text.line(d)
        if d.severity != "error":
            warnings.append(row)
            continue
        kind = _kind(d)
        head = _tag(
            kind, message=f"{d.code} {d.rule}: {printable(d.message, lines=True)}", type=d.code
        )
        inner.append(f"      {head}>{_body(row)}</{kind}>")
    if warnings:
        inner.append(f"      <system-out>{_body(chr(10).join(warnings))}</system-out>")
    open_tag = _tag("testcase", classname=SUITE, name=printable(path, lines=True), time=0)
    if not inner:
        return [f"    {open_tag}/>"]
    return [f"    {open_tag}>", *inner, "    </testcase>"]


class Tally:
    """The suite's test counts, taken file by file as the diagnostics arrive."""

    def __init__(self) -> None:
        self.tests = self.failures = self.errors = 0

    def add(self, path_diagnostics: Iterable[Diagnostic]) -> None:
        """Count one path's diagnostics (all of them, at once)."""
        kinds = {_kind(d) for d in path_diagnostics if d.severity == "error"}
        self.tests += 1
        self.failures += kinds == {"failure"}
        self.errors += "error" in kinds


def stream(
    diagnostics: Iterable[Diagnostic],
    tally: Tally,
    files: int,
    papers: int,
    errors: int,
    warnings: int,
) -> Iterator[str]:
    """The JUnit document piece by piece: the header from ``tally`` and the counts, then
    one test case per path as ``diagnostics`` (in report order, read once) go by, then the
    footer."""
    others = max(files - tally.tests, 0)
    tests = tally.tests + (1 if others or not tally.tests else 0)
    counts = {"tests": tests, "failures": tally.failures, "errors": tally.errors}
    counts |= {"skipped": 0, "time": 0}
    props = {"files": files, "papers": papers, "errors": errors, "warnings": warnings}
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f"{_tag('testsuites', name=SUITE, **counts)}>",
        f"  {_tag('testsuite', name=SUITE, **counts)}>",
        "    <properties>",
        *(f"      {_tag('property', name=key, value=value)}/>" for key, value in props.items()),
        "    </properties>",
    ]
    yield "\n".join(lines) + "\n"
    for path, group in groupby(diagnostics, key=lambda d: d.path):
        yield "\n".join(_testcase(path, list(group))) + "\n"
    if others or not tally.tests:
        name = f"{others} {'other ' if tally.tests else ''}{'file' if others == 1 else 'files'}"
        yield f"    {_tag('testcase', classname=SUITE, name=name, time=0)}/>\n"
    yield "  </testsuite>\n</testsuites>\n"


def render(report: Report, *, color: bool = False, root: Path | None = None) -> str:
    """The report as a JUnit XML document (``color`` and ``root`` are ignored)."""
    diagnostics = sorted_diagnostics(report)
    tally = Tally()
    for _, group in groupby(diagnostics, key=lambda d: d.path):
        tally.add(group)
    return "".join(
        stream(diagnostics, tally, report.files, report.papers, report.errors, report.warnings)
    )
