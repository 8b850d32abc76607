"""The rule registry: stable codes and names, documentation, and a test file per rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from digestconv import rules

ALL = rules.all_rules()

#: rule names every digestconv release must keep (the diagnostics contract)
REQUIRED = (
    "not-a-digest",
    "page-chrome",
    "syntax",
    "schema",
    "ref-missing-detail",
    "ref-missing-row",
    "ref-duplicate",
    "ref-order",
    "title-mismatch",
    "url-mismatch",
    "summary-mismatch",
    "link-text-mismatch",
    "url-not-arxiv",
    "id-malformed",
    "id-mismatch",
    "version-mismatch",
    "unknown-category",
    "duplicate-paper",
    "missing-field",
    "abstract-truncated",
    "translation-truncated",
    "encoding",
    "io-error",
    "internal-error",
    "unused-suppression",
    "not-converted",
)


def test_rules_are_ordered_by_code() -> None:
    assert [r.code for r in ALL] == sorted(r.code for r in ALL)
    assert len(ALL) >= len(REQUIRED)


def test_codes_are_unique_and_well_formed() -> None:
    codes = [r.code for r in ALL]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"DC\d{3}", c) for c in codes)
    # DC000 is the rule of unreadable files, emitted by the pipeline like every other code
    assert rules.get("DC000") is not None and rules.get("DC000").name == "io-error"


def test_names_are_unique_kebab_case() -> None:
    names = [r.name for r in ALL]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", n) for n in names)


@pytest.mark.parametrize("rule", ALL, ids=lambda r: r.name)
def test_rule_is_documented(rule: rules.Rule) -> None:
    assert rule.severity in ("error", "warning")
    assert rule.scope in ("file", "corpus", "metadata", "lookup")
    assert rule.summary and (rule.summary[0].isupper() or rule.summary[0] == "`")
    assert rule.summary.endswith(".")
    assert "\n" not in rule.summary
    assert len(rule.explanation) > len(rule.summary)
    assert rule.bad.strip() and rule.good.strip() and rule.bad != rule.good
    assert rules.get(rule.code) is rule and rules.get(rule.name) is rule


@pytest.mark.parametrize("name", REQUIRED)
def test_required_rule_exists(name: str) -> None:
    assert rules.get(name) is not None


def test_unknown_keys() -> None:
    assert rules.get("DC999") is None
    assert rules.get("no-such-rule") is None
    assert rules.get("") is None


def test_scopes() -> None:
    assert [r.name for r in rules.iter_corpus_rules()] == ["duplicate-paper"]
    enrich = {r.name for r in ALL if r.scope in ("metadata", "lookup")}
    assert {r.name for r in rules.iter_file_rules()} == (
        {r.name for r in ALL} - {"duplicate-paper"} - enrich
    )
    assert {r.name for r in rules.iter_lookup_rules()} == {"enrich-unavailable", "enrich-stale"}


def test_every_rule_has_a_test_file() -> None:
    here = Path(__file__).parent
    present = {p.name for p in here.glob("test_*.py")}
    missing = [r.name for r in ALL if f"test_{r.name.replace('-', '_')}.py" not in present]
    assert missing == []
