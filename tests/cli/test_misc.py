"""``formats``, ``rules``, ``rule``, ``--version``, help and usage errors."""

from __future__ import annotations

import io
import re

import pytest

from digestconv import __version__, formats
from digestconv.rules import all_rules

from .conftest import SEED_000, Invoke, assert_no_traceback

_RULE_LINE = re.compile(r"^(DC\d{3})\s+([a-z][a-z0-9-]*)\s+(error|warning)\s+\S")
CONTRACT_RULES = {
    "not-a-digest", "page-chrome", "syntax", "schema", "ref-missing-detail", "ref-missing-row",
    "ref-duplicate", "ref-order", "title-mismatch", "url-mismatch", "summary-mismatch",
    "link-text-mismatch", "url-not-arxiv", "id-malformed", "id-mismatch", "version-mismatch",
    "unknown-category", "duplicate-paper", "missing-field", "abstract-truncated",
    "translation-truncated", "encoding",
}  # fmt: skip


def test_version(cli: Invoke, run: Invoke) -> None:
    for result in (cli("--version"), run("--version")):
        assert result.exit_code == 0
        assert result.stdout.strip() == f"digestconv {__version__}"


def test_no_arguments_prints_help(cli: Invoke) -> None:
    result = cli()
    assert result.exit_code in (0, 2)
    assert "validate" in result.output and "parse" in result.output
    for verb in ("validate", "parse", "to", "fmt", "formats", "rules", "rule"):
        assert cli(verb, "--help").exit_code == 0


def test_unknown_command_exits_2(cli: Invoke, run: Invoke) -> None:
    for result in (cli("lint", "x.md"), run("lint", "x.md")):
        assert result.exit_code == 2
        assert "lint" in result.stderr
        assert_no_traceback(result.output)


def test_rules_lists_every_rule(cli: Invoke) -> None:
    result = cli("rules")
    assert result.exit_code == 0
    listed = [m.groups() for line in result.stdout.splitlines() if (m := _RULE_LINE.match(line))]
    assert len(listed) == len(result.stdout.splitlines())
    registry = {(r.code, r.name, r.severity) for r in all_rules()}
    assert set(listed) == registry
    names = {name for _, name, _ in listed}
    assert names >= CONTRACT_RULES
    codes = [code for code, _, _ in listed]
    assert len(codes) == len(set(codes)) and codes == sorted(codes)


@pytest.mark.parametrize("name", ["DC301", "abstract-truncated", "dc301"])
def test_rule_explains_with_examples(cli: Invoke, name: str) -> None:
    result = cli("rule", name)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("DC301 abstract-truncated (warning)")
    assert "Bad:" in text and "Good:" in text
    bad = text.split("Bad:", 1)[1].split("Good:", 1)[0].strip()
    good = text.split("Good:", 1)[1].strip()
    assert bad and good and bad != good


def test_every_rule_has_an_explanation(cli: Invoke) -> None:
    for r in all_rules():
        result = cli("rule", r.code)
        assert result.exit_code == 0
        assert result.stdout.startswith(f"{r.code} {r.name}")
        assert r.summary in result.stdout
        assert "Bad:" in result.stdout and "Good:" in result.stdout


@pytest.mark.parametrize("name", ["DC999", "no-such-rule", ""])
def test_unknown_rule_exits_2(cli: Invoke, name: str) -> None:
    result = cli("rule", name)
    assert result.exit_code == 2
    assert "digestconv rules" in result.stderr
    assert result.stdout == ""


def test_formats_lists_the_registry(cli: Invoke) -> None:
    result = cli("formats")
    assert result.exit_code == 0
    rows = result.stdout.splitlines()[1:]
    names = {row.split()[0] for row in rows}
    assert names == {f.name for f in formats.all_formats()}
    for f in formats.all_formats():
        row = next(r for r in rows if r.split()[0] == f.name)
        assert f.media_type in row
        assert all(suffix in row for suffix in f.suffixes)


@pytest.mark.parametrize("args", [["rules"], ["validate", "-q", str(SEED_000)]])
def test_hook_commands_import_nothing_heavy(args: list[str]) -> None:
    """``rules`` and ``validate`` (the pre-commit hook) never import the format libraries,
    nor any network or database module (those load only with ``--enrich``)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from digestconv.cli import app\n"
        "try:\n"
        f"    app({args!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted(m for m in ('lxml', 'bibtexparser', 'jsonschema', 'urllib.request',"
        " 'http.client', 'ssl', 'sqlite3', 'platformdirs') if m in sys.modules)\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert "HEAVY []" in proc.stderr, proc.stderr


def test_progress_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from digestconv.cli import common as cli

    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(cli.sys, "stderr", Tty())
    assert cli._progress(quiet=True) is None
    wrap = cli._progress(quiet=False)
    assert wrap is not None
    items = list(range(3))
    assert list(wrap(items)) == items  # few files: no bar at all
    monkeypatch.setenv("CI", "true")
    assert cli._progress(quiet=False) is None
    monkeypatch.delenv("CI")
    monkeypatch.setattr(cli.sys, "stderr", io.StringIO())
    assert cli._progress(quiet=False) is None
