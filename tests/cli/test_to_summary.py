"""What ``digestconv to`` prints: errors in full, one line per kind of warning."""

from __future__ import annotations

import json
import re

from .conftest import SEEDS, Invoke

DIAGNOSTIC = re.compile(r"^\S.*:\d+:\d+: (DC\d{3}) ([a-z-]+) ")


def lines_of(stderr: str, code: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if (m := DIAGNOSTIC.match(ln)) and m[1] == code]


def test_to_summarises_warnings_and_lists_errors(cli: Invoke) -> None:
    validate = cli("validate", SEEDS)
    cut = lines_of(validate.stdout, "DC301")
    assert len(cut) > 20  # the seeds' abstracts are cut
    report = json.loads(cli("validate", "--output-format", "json", SEEDS).stdout)
    errors = [
        f"{d['path']}:{d['line']}:{d['column']}: {d['code']} {d['rule']} {d['message']}"
        for d in report
        if d["severity"] == "error"
    ]
    assert errors  # the abstract page is not a digest
    result = cli("to", "bibtex", SEEDS)
    assert result.exit_code == 1
    # every error and every paper left out, in full
    for line in errors:
        assert line in result.stderr.splitlines()
    assert lines_of(result.stderr, "DC900")
    # one line for the cut abstracts, with the count and what to do
    assert lines_of(result.stderr, "DC301") == []
    assert (
        f"{len(cut)} English abstracts cut at 1000 characters: `--enrich` fills them from arXiv "
        "(DC301 abstract-truncated)"
    ) in result.stderr.splitlines()
    # a warning that occurs once stays a full line
    assert len(lines_of(result.stderr, "DC210")) == 1
    assert result.stderr.rstrip().endswith("(warnings summarised: --show-warnings lists each)")


def test_show_warnings_lists_every_warning(cli: Invoke) -> None:
    result = cli("to", "bibtex", "--show-warnings", SEEDS)
    validate = cli("validate", SEEDS)
    assert lines_of(result.stderr, "DC301") == lines_of(validate.stdout, "DC301")


def test_machine_formats_list_everything(cli: Invoke) -> None:
    result = cli("to", "bibtex", "--diagnostics-format", "json", SEEDS)
    codes = [d["code"] for d in json.loads(result.stderr)]
    assert codes.count("DC301") > 20


def test_quiet_keeps_the_summary_lines_only(cli: Invoke) -> None:
    result = cli("to", "bibtex", "--quiet", SEEDS)
    assert "English abstracts cut" in result.stderr
    assert "papers:" not in result.stderr.splitlines()[-1]
