"""The renderer registry, the colour decision and the shared helpers."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from digestconv.model import IO_ERROR_CODE, Report
from digestconv.report import (
    RENDERERS,
    relative_to_root,
    render,
    rule_metadata,
    sorted_diagnostics,
    want_color,
)

from .test_snapshots import REPORT, ROOT


class FakeStream:
    def __init__(self, tty: bool) -> None:
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_renderer_names() -> None:
    assert RENDERERS == ("text", "json", "github", "sarif", "junit")


@pytest.mark.parametrize("fmt", RENDERERS)
def test_every_renderer_returns_newline_terminated_text(fmt: str) -> None:
    out = render(fmt, REPORT, root=ROOT)
    assert isinstance(out, str)
    assert out.endswith("\n")
    out.encode("utf-8")  # always encodable


def test_unknown_renderer() -> None:
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        render("xml", REPORT)


@pytest.mark.parametrize(
    ("env", "tty", "expected"),
    [
        ({}, True, True),
        ({}, False, False),
        ({"NO_COLOR": "1"}, True, False),
        ({"NO_COLOR": ""}, True, True),
        ({"FORCE_COLOR": "1"}, False, True),
        ({"FORCE_COLOR": "0"}, False, True),  # any non-empty value forces
        ({"FORCE_COLOR": ""}, False, False),
        ({"NO_COLOR": "x", "FORCE_COLOR": "1"}, True, False),
    ],
)
def test_want_color(env: dict[str, str], tty: bool, expected: bool) -> None:
    assert want_color(FakeStream(tty), env) is expected


def test_want_color_real_streams(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert want_color(io.StringIO()) is False
    closed = io.StringIO()
    closed.close()
    assert want_color(closed, {}) is False
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert want_color(io.StringIO()) is True


def test_sorted_diagnostics() -> None:
    ordered = sorted_diagnostics(REPORT)
    assert [d.sort_key() for d in ordered] == sorted(d.sort_key() for d in REPORT.diagnostics)


def test_relative_to_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert relative_to_root("/srv/digests/a/b.md", ROOT) == "a/b.md"
    assert relative_to_root("/srv/digests/../digests/a.md", ROOT) == "a.md"
    assert relative_to_root("/srv/digests-other/a.md", ROOT) is None
    assert relative_to_root("/tmp/a.md", ROOT) is None
    assert relative_to_root("<stdin>", ROOT) is None
    assert relative_to_root("/srv/digests/a.md", None) is None
    monkeypatch.chdir(tmp_path)
    assert relative_to_root("sub/x.md", tmp_path) == "sub/x.md"
    assert relative_to_root("x.md", Path(".")) == "x.md"
    assert relative_to_root("../x.md", tmp_path) is None


def test_rule_metadata_io_error_and_unknown() -> None:
    info = rule_metadata(IO_ERROR_CODE)
    assert info is not None
    assert (info.code, info.name, info.severity) == (IO_ERROR_CODE, "io-error", "error")
    assert rule_metadata("DC999") is None


def test_rule_metadata_real_registry() -> None:
    try:
        from digestconv.rules import all_rules

        rules = all_rules()
    except ImportError:
        pytest.skip("rule modules not importable")
    for rule in rules:
        info = rule_metadata(rule.code)
        assert info is not None
        assert (info.code, info.name, info.severity, info.summary) == (
            rule.code,
            rule.name,
            rule.severity,
            rule.summary,
        )


def test_imports_stay_light() -> None:
    """The text renderer (every pre-commit run) pulls in nothing heavy."""
    code = (
        "import sys\n"
        "from digestconv.model import Report\n"
        "from digestconv.report import render\n"
        "render('text', Report(()))\n"
        "render('github', Report(()))\n"
        "heavy = {'rich', 'lxml', 'jsonschema', 'typer', 'bibtexparser', 'fastjsonschema'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "[]"


def test_empty_report_renders() -> None:
    for fmt in RENDERERS:
        assert render(fmt, Report((), files=0, papers=0), root=ROOT)
