"""Start-up: what a run imports before it does anything, counted in modules, not seconds.

Without cached bytecode every module is compiled on every run, so a module a
command does not need costs start-up time: ``validate`` of a few files (the
pre-commit hook) loads no typer and no other command, ``to`` and the other
commands load typer and their own module only, and ``validate`` of plain paths
behaves exactly as typer would run it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import SEED_000, SEED_001, SEED_004, _command, copy_seed

#: never needed to validate a file: the command-line libraries, the output formats, the
#: metadata lookup (network, database), entry-point scanning, the other commands, the
#: TOML parser (no configuration to read: the files sit in a repository without one)
NOT_FOR_VALIDATE = (
    "typer",
    "click",
    "rich",
    "lxml",
    "jsonschema",
    "bibtexparser",
    "citeproc",
    "sqlite3",
    "ssl",
    "http.client",
    "urllib.request",
    "email",
    "importlib.metadata",
    "platformdirs",
    "tomllib",
    "digestconv.api",
    "digestconv.conversion",
    "digestconv.enrich",
    "digestconv.fmt",
    "digestconv.formats",
    "digestconv.layout",
    "digestconv.output",
    "digestconv.spill",
    "digestconv.report.json",
    "digestconv.report.sarif",
    "digestconv.report.junit",
    "digestconv.report.github",
    "digestconv.report.summary",
    "digestconv.cli.base",
    "digestconv.cli.check",
    "digestconv.cli.convert",
    "digestconv.cli.enrich",
    "digestconv.cli.info",
    "digestconv.cli.lookup",
    "digestconv.cli.options",
    "digestconv.cli.progress",
)


def _imported(*args: str, cwd: Path) -> tuple[int, set[str]]:
    """The exit code of the installed command run with ``args``, and every module it
    imported (``python -X importtime`` lists each one on standard error)."""
    command = _command()
    if command[0] != sys.executable:  # the console script: run it by this interpreter
        command = [sys.executable, *command]
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *command[1:], *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )
    names = {
        line.rsplit("|", 1)[1].strip()
        for line in proc.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "digestconv.cli" in names, proc.stderr[-2000:]
    return proc.returncode, names


def _loaded(names: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if any(n == p or n.startswith(p + ".") for p in prefixes))


def _digests(folder: Path) -> list[str]:
    (folder / ".git").mkdir()  # a repository root: no configuration above it
    return [copy_seed(SEED_000, folder).name, copy_seed(SEED_001, folder).name]


@pytest.mark.parametrize(
    "flags",
    [
        (),
        ("--strict", "-q"),
        ("--per-file", "--skip-non-digests", "--allow-empty"),  # the pre-commit hook
    ],
)
def test_validate_of_files_imports_no_command_line_library(
    tmp_path: Path, flags: tuple[str, ...]
) -> None:
    files = _digests(tmp_path)
    code, names = _imported("validate", *flags, *files, cwd=tmp_path)
    assert code in (0, 1)
    assert "digestconv.rules.engine" in names and "digestconv.reader" in names  # it did check
    assert _loaded(names, NOT_FOR_VALIDATE) == []


def test_validate_with_any_other_option_loads_typer_and_only_its_own_command(
    tmp_path: Path,
) -> None:
    files = _digests(tmp_path)
    code, names = _imported("validate", "-f", "json", *files, cwd=tmp_path)
    assert code == 0
    assert "typer" in names and "digestconv.cli.check" in names
    others = ("digestconv.cli.convert", "digestconv.cli.info", "digestconv.cli.enrich")
    heavy = ("rich", "lxml", "importlib.metadata", "sqlite3", "digestconv.formats")
    assert _loaded(names, others + heavy) == []


def test_to_a_builtin_format_reads_no_package_metadata(tmp_path: Path) -> None:
    files = _digests(tmp_path)
    code, names = _imported("to", "bibtex", *files, cwd=tmp_path)
    assert code == 0
    assert "digestconv.formats.bibtex" in names
    others = ("digestconv.cli.check", "digestconv.cli.info", "digestconv.cli.enrich")
    heavy = ("rich", "importlib.metadata", "sqlite3", "digestconv.formats.rss")
    assert _loaded(names, others + heavy) == []


def test_help_lists_every_command_whatever_module_came_first() -> None:
    code = (
        "import digestconv.cli as cli\n"
        "cli._app(('enrich',)); cli._app(('info',)); cli._app(('convert',))\n"
        "print(' '.join(c.name or c.callback.__name__ for c in cli.app.registered_commands))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    ).stdout.split()
    assert out == [
        "validate",
        "parse",
        "to",
        "fmt",
        "formats",
        "styles",
        "rules",
        "rule",
        "enrich",
    ]


def _both_ways(
    args: list[str], cwd: Path, stdin: bytes = b"", env: dict[str, str] | None = None
) -> list[tuple[int, bytes, bytes]]:
    """``digestconv ARGS`` run directly and through typer: (exit code, stdout, stderr) each."""
    outcomes = []
    for patch in ("", "cli._plain_validate = lambda args: None; "):
        code = f"import sys, digestconv.cli as cli; {patch}sys.argv[0] = 'digestconv'; cli.main()"
        proc = subprocess.run(
            [sys.executable, "-c", code, *args],
            input=stdin,
            capture_output=True,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            timeout=120,
            check=False,
        )
        outcomes.append((proc.returncode, proc.stdout, proc.stderr))
    return outcomes


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["validate", "000.md"], None),
        (["validate", "001.md", "--strict"], None),
        (["validate", "-q", "000.md", "001.md"], None),
        (["validate", "--quiet", "--strict", "000.md"], None),
        (["validate", "--per-file", "--skip-non-digests", "--allow-empty", "."], None),
        (["validate", "--skip-non-digests", "notes.md"], None),
        (["validate", "notes.md"], None),
        (["validate", "missing.md"], None),
        (["validate", "empty"], None),
        (["validate", "--allow-empty", "empty"], None),
        (["validate", "000.md", "-"], None),
        (["validate", "000.md"], {"DIGESTCONV_OUTPUT_FORMAT": "github"}),
        (["validate", "000.md"], {"DIGESTCONV_OUTPUT_FORMAT": "nope"}),
        (["validate", "001.md"], {"FORCE_COLOR": "1"}),
    ],
)
def test_validate_of_plain_paths_is_what_typer_would_run(
    tmp_path: Path, args: list[str], env: dict[str, str] | None
) -> None:
    (tmp_path / ".git").mkdir()
    copy_seed(SEED_000, tmp_path, "000.md")
    copy_seed(SEED_001, tmp_path, "001.md")
    copy_seed(SEED_004, tmp_path, "notes.md")
    (tmp_path / "empty").mkdir()
    direct, typed = _both_ways(args, tmp_path, SEED_001.read_bytes(), env)
    assert direct == typed
    assert b"Traceback" not in direct[2]


def test_only_paths_and_plain_flags_run_without_typer() -> None:
    from digestconv.cli import _plain_validate

    assert _plain_validate(["validate", "a.md", "-", "--strict", "-q"]) == {
        "paths": ["a.md", "-"],
        "strict": True,
        "quiet": True,
    }
    for args in (
        ["validate"],
        ["validate", "--strict"],
        ["validate", "-f", "json", "a.md"],
        ["validate", "--", "a.md"],
        ["validate", "-qs", "a.md"],
        ["validate", "--help", "a.md"],
        ["to", "bibtex", "a.md"],
    ):
        assert _plain_validate(args) is None, args
