"""The ``to`` summary: errors in full, one line per kind of warning, real counts."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

import digestconv
from digestconv.model import Diagnostic, Report
from digestconv.report.summary import HINTS, render, warning_lines
from digestconv.report.text import line

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def corpus_report() -> Report:
    return digestconv.validate([str(ROOT / "seeds"), str(ROOT / "tests/fixtures/corpus")])


def test_errors_in_full_warnings_counted(corpus_report: Report) -> None:
    text = render(corpus_report)
    lines = text.splitlines()
    errors = [d for d in corpus_report.diagnostics if d.severity == "error"]
    for d in errors:
        assert line(d) in lines
    counts = Counter(d.rule for d in corpus_report.diagnostics if d.severity == "warning")
    assert counts["abstract-truncated"] > 100  # real data: most abstracts were cut
    for rule, n in counts.items():
        mine = [ln for ln in lines if ln.endswith(f" {rule})") or f" {rule} " in ln]
        if n == 1:
            assert len(mine) == 1 and mine[0].split(": ")[0].count(":") == 2  # a full line
        else:
            [summary] = [ln for ln in mine if re.match(r"^[\d,]+ ", ln)]
            assert summary.startswith(f"{n:,} ")
    assert len(lines) < len(errors) + len(counts) + 3
    assert lines[-1].endswith("(warnings summarised: --show-warnings lists each)")


def test_the_abstract_line_says_what_to_do(corpus_report: Report) -> None:
    [summary] = [ln for ln in warning_lines(corpus_report.diagnostics, cut=1000) if "DC301" in ln]
    assert re.fullmatch(
        r"[\d,]+ English abstracts cut at 1000 characters: `--enrich` fills them from arXiv "
        r"\(DC301 abstract-truncated\)",
        summary,
    )


def test_counts_have_thousands_separators() -> None:
    d = Diagnostic("a.md", 1, 1, 1, 2, "DC301", "abstract-truncated", "warning", "cut")
    [summary] = warning_lines([d] * 7011)
    assert summary.startswith("7,011 English abstracts cut at 1000 characters")
    [summary] = warning_lines([d] * 3, cut=800, enriched=True)
    assert summary.startswith("3 English abstracts cut at 800 characters: arXiv's full")


def test_unknown_rules_and_clean_reports() -> None:
    d = Diagnostic("a.md", 3, 1, 3, 2, "DC999", "some-plugin-rule", "warning", "odd")
    [summary] = warning_lines([d, d])
    assert (
        summary
        == "2 some-plugin-rule warnings: `digestconv validate` lists them (DC999 some-plugin-rule)"
    )
    clean = render(Report(diagnostics=(), files=1, papers=2))
    assert clean == "1 file, 2 papers: no problems\n"


def test_every_hint_names_a_warning_rule() -> None:
    from digestconv import rules

    for name in HINTS:
        rule = rules.get(name)
        assert rule is not None and rule.severity == "warning", name


def test_writer_file_by_file_equals_render(corpus_report: Report) -> None:
    from itertools import groupby

    from digestconv.report import sorted_diagnostics
    from digestconv.report.summary import SummaryWriter

    out: list[str] = []
    writer = SummaryWriter(out.append, cut=1000)
    for _path, group in groupby(sorted_diagnostics(corpus_report), key=lambda d: d.path):
        writer.file(list(group))
    writer.finish(corpus_report.files, corpus_report.papers, corpus_report.skipped)
    assert "".join(out) == render(corpus_report)
    assert (writer.errors, writer.warnings) == (corpus_report.errors, corpus_report.warnings)
