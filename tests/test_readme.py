"""The README stays true to the code: commands, rules, formats."""

from __future__ import annotations

import re
from pathlib import Path

from digestconv import formats
from digestconv.rules import all_rules

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text("utf-8")


def test_setup_commands_are_what_ci_runs() -> None:
    block = README.split("## Set up", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line for line in block.strip().splitlines() if line.strip()]
    assert len(commands) == 2
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    for command in commands:
        assert command in ci.splitlines()


def test_rules_table_matches_registry() -> None:
    rows = re.findall(r"^\| (DC\d{3}) \| `([a-z-]+)` \| (error|warning) \| (.+) \|$", README, re.M)
    # the order too: the table reads like `digestconv rules`, by code
    documented = [(code, name, severity, summary) for code, name, severity, summary in rows]
    actual = [(r.code, r.name, r.severity, r.summary) for r in all_rules()]
    assert documented == actual


def test_formats_table_lists_every_format() -> None:
    for fmt in formats.all_formats():
        assert f"| `{fmt.name}` | " in README, fmt.name
        for suffix in fmt.suffixes:
            assert f"`{suffix}`" in README, (fmt.name, suffix)
