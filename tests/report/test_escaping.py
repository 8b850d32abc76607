"""No report format lets a file name or a message drive a terminal or reorder a log line.

A file called ``\\x1b[2J\\u202eevil.md`` is legal on Linux.  Every renderer
writes what it names without a raw ESC, C1 control or bidirectional control:
text, github, junit and sarif messages show backslash escapes (as the text
report always did); json keeps the exact data, written as ``\\uXXXX`` escapes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from digestconv.model import Diagnostic, Report
from digestconv.report import RENDERERS, render

from ..cli.conftest import SEED_000, Invoke
from ..cli.conftest import run as run

HOSTILE = "\x1b[2J\u202eevil\u2066\x9b\u200b.md"
RAW = ("\x1b", "\u202e", "\u2066", "\x9b", "\u200b")


def _report() -> Report:
    d = Diagnostic(HOSTILE, 3, 1, 3, 5, "DC004", "syntax", "error", f"bad {HOSTILE} here")
    return Report((d,), files=1, papers=0)


@pytest.mark.parametrize("name", RENDERERS)
def test_no_raw_control_or_bidi_character_in_any_format(name: str) -> None:
    out = render(name, _report(), root=Path("/nowhere"))
    assert not any(ch in out for ch in RAW), repr(out)


def test_json_keeps_the_exact_path() -> None:
    (item,) = json.loads(render("json", _report()))
    assert item["path"] == HOSTILE and item["message"] == f"bad {HOSTILE} here"


def test_sarif_and_junit_show_the_escapes() -> None:
    sarif = json.loads(render("sarif", _report(), root=Path("/nowhere")))
    text = sarif["runs"][0]["results"][0]["message"]["text"]
    assert "\\x1b[2J\\u202eevil" in text
    uri = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert "%E2%80%AE" in uri["artifactLocation"]["uri"]  # the URI still names the file
    junit = etree.fromstring(render("junit", _report()).encode())
    assert junit.find(".//testcase").get("name").startswith("\\x1b[2J\\u202eevil")


def test_github_annotations_from_a_hostile_file_name(run: Invoke, tmp_path: Path) -> None:
    digest = tmp_path / "\x1b[31m\u202eevil.md"
    digest.write_bytes(SEED_000.read_bytes().replace(b"| [^2] |", b"| [^2 |", 1))
    result = run("validate", "--output-format", "github", digest, cwd=tmp_path)
    assert "::error file=" in result.stdout
    assert not any(ch in result.stdout for ch in RAW), repr(result.stdout[:300])
    assert "\\x1b[31m\\u202eevil.md" in result.stdout
