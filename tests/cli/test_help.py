"""Help that reads like a finished tool: usage lines, metavars, no foreign markup."""

from __future__ import annotations

import re
import sys

import pytest

from digestconv import formats
from digestconv.rules import all_rules

from .conftest import ROOT, Invoke

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

COMMANDS = [
    (),
    ("validate",),
    ("parse",),
    ("to",),
    ("fmt",),
    ("formats",),
    ("rules",),
    ("rule",),
    ("enrich",),
    ("cache",),
    ("cache", "info"),
    ("cache", "clear"),
    ("cache", "export"),
    ("cache", "import"),
]


@pytest.fixture(scope="module")
def helps() -> dict[tuple[str, ...], str]:
    """The ``--help`` text of every command, from the installed script."""
    import subprocess

    from .conftest import _command

    out = {}
    for command in COMMANDS:
        proc = subprocess.run(
            [*_command(), *command, "--help"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env={"PATH": "/usr/bin:/bin", "COLUMNS": "100"},
        )
        assert proc.returncode == 0, (command, proc.stderr)
        out[command] = proc.stdout
    return out


def test_usage_lines_name_arguments_plainly(helps: dict[tuple[str, ...], str]) -> None:
    expected = {
        (
            "validate",
        ): "Usage: digestconv validate [OPTIONS] [PATH...]",  # --show-settings needs none
        ("parse",): "Usage: digestconv parse [OPTIONS] PATH...",
        ("to",): "Usage: digestconv to [OPTIONS] FORMAT PATH...",
        ("fmt",): "Usage: digestconv fmt [OPTIONS] PATH...",
        ("rule",): "Usage: digestconv rule [OPTIONS] RULE",
        ("enrich",): "Usage: digestconv enrich [OPTIONS] PATH...",
        ("cache", "import"): "Usage: digestconv cache import [OPTIONS] FILE",
    }
    for command, usage in expected.items():
        assert helps[command].splitlines()[0] == usage
    for text in helps.values():
        assert "{" not in text.splitlines()[0], text.splitlines()[0]


def test_metavars_are_words_not_types(helps: dict[tuple[str, ...], str]) -> None:
    for command, text in helps.items():
        assert not re.search(r"<[a-z| ]+>", text), (command, re.findall(r"<[a-z| ]+>", text))
    validate = helps[("validate",)]
    for option, metavar in (
        ("--config", "FILE"),
        ("--select", "RULE"),
        ("--exclude", "GLOB"),
        ("--abstract-cut", "N"),
        ("--jobs", "N"),
        ("--snapshot", "FILE"),
        ("--cache-dir", "DIR"),
        ("--max-age", "AGE"),
        ("--output-format", "FORMAT"),
    ):
        assert f"{option} {metavar}" in validate, option
    assert "--feed-link URL" in helps[("to",)]
    assert "--output FILE" in helps[("to",)]


def test_no_restructuredtext_markup(helps: dict[tuple[str, ...], str], cli: Invoke) -> None:
    for command, text in helps.items():
        assert "``" not in text, command
    for r in all_rules():
        explained = cli("rule", r.code)
        assert explained.exit_code == 0
        assert "``" not in explained.stdout, r.code


def test_rules_columns_are_aligned(run: Invoke) -> None:
    lines = run("rules").stdout.splitlines()
    assert len(lines) == len(all_rules())
    starts = {re.search(r"\s(error|warning)\s", line).start(1) for line in lines}  # type: ignore[union-attr]
    assert len(starts) == 1, lines
    summaries = {len(line) - len(r.summary) for line, r in zip(lines, all_rules(), strict=True)}
    assert len(summaries) == 1


def test_every_format_is_named_in_the_descriptions(helps: dict[tuple[str, ...], str]) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    readme_intro = (ROOT / "README.md").read_text("utf-8").split("\n\n", 2)[1]
    top = " ".join(helps[()].split())
    import digestconv

    for fmt in formats.all_formats():
        label = {"bibtex": "BibTeX", "csl-json": "CSL-JSON", "ris": "RIS"}.get(fmt.name, fmt.name)
        for where, text in (
            ("pyproject description", project["description"]),
            ("--help", top),
            ("README", " ".join(readme_intro.split())),
            ("package docstring", " ".join((digestconv.__doc__ or "").split())),
        ):
            assert label.lower() in text.lower(), (fmt.name, where)
        assert fmt.name in project["keywords"]


def test_license_file_matches_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["license"] == "MIT"
    text = (ROOT / "LICENSE").read_text("utf-8")
    assert text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in text
    assert 'THE SOFTWARE IS PROVIDED "AS IS"' in text
