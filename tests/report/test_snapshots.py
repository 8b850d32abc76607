"""Snapshot tests: every renderer over one shared fixture report.

Run with ``UPDATE_SNAPSHOTS=1`` to rewrite the files under ``snapshots/``
after an intended change, and review the diff.

The other test modules of this folder import the fixture from here.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from digestconv.model import IO_ERROR_CODE, Diagnostic, Report
from digestconv.report import RENDERERS, RuleInfo, render
from digestconv.report import common as report_common
from digestconv.report import sarif as sarif_module

SNAPSHOTS = Path(__file__).parent / "snapshots"
ROOT = Path("/srv/digests")
SPACED = "/srv/digests/2024/cs.LG 2024-03-25.md"
CJK = "/srv/digests/中文/摘要 第1期.md"
OUTSIDE = "/tmp/elsewhere/notes.md"
MISSING = "/srv/digests/missing.md"

DIAGNOSTICS = (
    Diagnostic(
        SPACED,
        12,
        5,
        12,
        40,
        "DC301",
        "abstract-truncated",
        "warning",
        "The English abstract stops at the 1000-character cut (it ends in “50%”): "
        "paste the full abstract from https://arxiv.org/abs/2403.15711.",
    ),
    Diagnostic(
        SPACED,
        12,
        1,
        12,
        1,
        "DC207",
        "id-mismatch",
        "error",
        "The URL names 2403.15711, the title suffix 2403.15712: make them agree.",
    ),
    Diagnostic(
        SPACED,
        30,
        1,
        31,
        18,
        "DC004",
        "syntax",
        "error",
        "These lines cannot be placed:\n| [^3] | broken\nAdd the missing cells, 100% of them.\r",
    ),
    Diagnostic(
        CJK,
        40,
        1,
        52,
        9,
        "DC002",
        "page-chrome",
        "error",
        "页面杂项（下载按钮、二维码）不属于论文：请删除。Bell\u0007 here, e\u0301, 😀.",
    ),
    Diagnostic(
        OUTSIDE,
        3,
        7,
        3,
        7,
        "DC301",
        "abstract-truncated",
        "warning",
        "Abstract cut at 100%, see ::error file=x:: (not a command).",
    ),
    Diagnostic(
        "<stdin>", 2, 1, 2, 30, "DC004", "syntax", "error", "A line the grammar: cannot place."
    ),
    Diagnostic(
        MISSING,
        1,
        1,
        1,
        1,
        IO_ERROR_CODE,
        "io-error",
        "error",
        "Cannot read the file: [Errno 2] No such file or directory.",
    ),
    Diagnostic(
        CJK, 2, 3, 2, 9, "DC999", "future-rule", "warning", "A rule this build does not know."
    ),
)

#: the shared fixture: several files, errors and warnings, hostile text
REPORT = Report(DIAGNOSTICS, files=6, papers=33)

#: rule metadata used by the snapshots, so they do not change with rule docs
FIXTURE_RULES = {
    "DC002": RuleInfo(
        "DC002",
        "page-chrome",
        "error",
        "Scraped web-page text follows the content.",
        "Buttons, related links and footers are not part of the paper: delete them.",
        "翻译: ...\n下载\n关闭",
        "翻译: ...",
    ),
    "DC004": RuleInfo(
        "DC004",
        "syntax",
        "error",
        "A line the digest grammar cannot place.",
        "Every line belongs to the summary table or to a detail block.",
        "| [^1] | ```broken``` |",
        "| [^1] | [Title](https://arxiv.org/abs/2403.15711) | 总结。 |",
    ),
    "DC207": RuleInfo(
        "DC207",
        "id-mismatch",
        "error",
        "The URL, the title suffix and the abstract prefix name different papers.",
        "All identifiers written for one paper must be the same.",
        "Title (arXiv:2403.15712v1 [cs.LG])\n[link](https://arxiv.org/abs/2403.15711)",
        "Title (arXiv:2403.15711v1 [cs.LG])\n[link](https://arxiv.org/abs/2403.15711)",
    ),
    "DC301": RuleInfo(
        "DC301",
        "abstract-truncated",
        "warning",
        "The English abstract stops at the producer's character cut.",
        "",
        "",
        "",
    ),
}


#: the fixture's description of the I/O error rule (the real one is in the rule registry)
FIXTURE_IO_ERROR = RuleInfo(
    IO_ERROR_CODE,
    "io-error",
    "error",
    "A file could not be read.",
    "The file does not exist, is not a regular file or could not be opened. "
    "Nothing in it was checked, and the run exits with status 2.",
)


def fixture_rule_metadata(code: str) -> RuleInfo | None:
    """Rule metadata of the fixture."""
    if code == IO_ERROR_CODE:
        return FIXTURE_IO_ERROR
    return FIXTURE_RULES.get(code)


def use_fixture_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the renderers see the fixture's rule metadata and a fixed tool version."""
    monkeypatch.setattr(report_common, "rule_metadata", fixture_rule_metadata)
    monkeypatch.setattr(sarif_module, "tool_version", lambda: "0.0.0")
    monkeypatch.setattr(
        sarif_module, "information_uri", lambda: sarif_module.DEFAULT_INFORMATION_URI
    )


SNAPSHOT_FILES = {
    "text": "text.txt",
    "json": "json.json",
    "github": "github.txt",
    "sarif": "sarif.json",
    "junit": "junit.xml",
}


def check_snapshot(name: str, actual: str) -> None:
    """Compare ``actual`` with snapshot ``name`` (or rewrite it under UPDATE_SNAPSHOTS=1)."""
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))
        return
    assert path.exists(), f"missing snapshot {path}: run with UPDATE_SNAPSHOTS=1"
    expected = path.read_bytes().decode("utf-8")
    assert actual == expected, f"{name} differs from its snapshot (UPDATE_SNAPSHOTS=1 rewrites)"


@pytest.mark.parametrize("fmt", RENDERERS)
def test_snapshot(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    use_fixture_rules(monkeypatch)
    check_snapshot(SNAPSHOT_FILES[fmt], render(fmt, REPORT, root=ROOT))


def test_snapshot_text_color(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fixture_rules(monkeypatch)
    check_snapshot("text-color.txt", render("text", REPORT, color=True, root=ROOT))


@pytest.mark.parametrize("fmt", RENDERERS)
def test_snapshot_clean(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    use_fixture_rules(monkeypatch)
    clean = Report((), files=2, papers=7)
    check_snapshot(f"clean-{SNAPSHOT_FILES[fmt]}", render(fmt, clean, root=ROOT))


@pytest.mark.parametrize("fmt", RENDERERS)
def test_deterministic(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    use_fixture_rules(monkeypatch)
    shuffled = Report(tuple(reversed(DIAGNOSTICS)), files=6, papers=33)
    assert render(fmt, shuffled, root=ROOT) == render(fmt, REPORT, root=ROOT)
