"""The sarif renderer: validated against the SARIF 2.1.0 JSON schema, read back."""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digestconv.model import IO_ERROR_CODE, Diagnostic, Report
from digestconv.report import relative_to_root, sorted_diagnostics
from digestconv.report.sarif import render
from digestconv.text import printable
from tests.strategies import one_line

from .test_snapshots import REPORT, ROOT, use_fixture_rules

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json"
#: RFC 3986 URI-reference characters (unreserved, sub-delims, ":", "@", "/", "?", "#", "%XX")
URI_REFERENCE = re.compile(r"\A(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#]|%[0-9A-F]{2})*\Z")


@cache
def validator() -> Any:
    from jsonschema.validators import validator_for

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    refs = re.findall(r'"\$ref"\s*:\s*"([^"]*)"', SCHEMA.read_text(encoding="utf-8"))
    assert refs and all(ref.startswith("#/") for ref in refs)  # resolves with no network
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def validate(log: dict[str, Any]) -> None:
    errors = sorted(validator().iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def test_schema_rejects_a_broken_log() -> None:
    log = json.loads(render(REPORT, root=ROOT))
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    del log["version"]
    assert len(list(validator().iter_errors(log))) == 2


def resolve(location: dict[str, Any], run: dict[str, Any]) -> str:
    """The file path a physical location points at."""
    artifact = location["artifactLocation"]
    if "uri" not in artifact:
        return artifact["description"]["text"]
    uri = artifact["uri"]
    assert URI_REFERENCE.match(uri), uri
    if "uriBaseId" in artifact:
        base = run["originalUriBaseIds"][artifact["uriBaseId"]]["uri"]
        assert base.endswith("/")
        uri = base + uri
    parts = urlsplit(uri)
    assert parts.scheme == "file"
    # decode once: url2pathname unquotes too, so '%2500' would come back as NUL
    return unquote(parts.path, errors="surrogateescape")


def check_log(report: Report, root: Path, out: str) -> dict[str, Any]:
    log = json.loads(out)
    validate(log)
    assert log["version"] == "2.1.0"
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    (run,) = log["runs"]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == root.as_uri().rstrip("/") + "/"
    driver = run["tool"]["driver"]
    assert driver["name"] == "digestconv"
    assert driver["version"]
    assert driver["informationUri"].startswith("https://")
    rules = driver["rules"]
    assert [r["id"] for r in rules] == sorted({d.code for d in report.diagnostics})
    ordered = sorted_diagnostics(report)
    assert len(run["results"]) == len(ordered)
    for result, d in zip(run["results"], ordered, strict=True):
        assert result["ruleId"] == d.code
        assert rules[result["ruleIndex"]]["id"] == d.code
        assert rules[result["ruleIndex"]]["name"] == d.rule
        assert result["level"] == d.severity
        assert result["message"]["text"] == printable(d.message, lines=True)
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        path = resolve(physical, run)
        if d.path in ("<stdin>", "-"):
            assert path == "<stdin>"
        else:
            assert path == os.path.abspath(d.path)
            uses_base = "uriBaseId" in physical["artifactLocation"]
            assert uses_base == (relative_to_root(d.path, root) is not None)
        assert physical["region"] == {
            "startLine": d.line,
            "startColumn": d.column,
            "endLine": d.end_line,
            "endColumn": d.end_column,
        }
    return log


def test_fixture_log(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fixture_rules(monkeypatch)
    log = check_log(REPORT, ROOT, render(REPORT, root=ROOT))
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["DC999"] == {"id": "DC999", "name": "future-rule"}  # unknown: no help
    assert rules[IO_ERROR_CODE]["defaultConfiguration"]["level"] == "error"
    syntax = rules["DC004"]
    assert syntax["shortDescription"]["text"] == "A line the digest grammar cannot place."
    # the bad example holds ``` and is still one fenced block
    assert "````markdown\n| [^1] | ```broken``` |\n````" in syntax["help"]["markdown"]
    assert "    | [^1] | ```broken``` |" in syntax["help"]["text"]
    assert log["runs"][0]["invocations"] == [{"executionSuccessful": False}]


def test_real_registry() -> None:
    try:
        from digestconv.rules import all_rules

        real = all_rules()
    except ImportError:
        pytest.skip("rule modules not importable")
    diagnostics = tuple(
        Diagnostic("/srv/digests/a.md", i + 1, 1, i + 1, 5, r.code, r.name, r.severity, r.summary)
        for i, r in enumerate(real)
    )
    report = Report(diagnostics, files=1, papers=1)
    log = check_log(report, ROOT, render(report, root=ROOT))
    descriptors = log["runs"][0]["tool"]["driver"]["rules"]
    for rule, descriptor in zip(real, descriptors, strict=True):
        assert descriptor["id"] == rule.code
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["defaultConfiguration"]["level"] == rule.severity
        for example in (rule.bad, rule.good):
            if example:
                assert example in descriptor["help"]["markdown"]
    # the registry holds io-error and internal-error: a run reporting them did not succeed
    assert log["runs"][0]["invocations"] == [{"executionSuccessful": False}]


def test_default_root_is_current_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    d = Diagnostic("sub dir/a%b#c?.md", 1, 1, 1, 2, "DC004", "syntax", "error", "m")
    log = check_log(Report((d,)), tmp_path, render(Report((d,))))
    artifact = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "sub%20dir/a%25b%23c%3F.md", "uriBaseId": "%SRCROOT%"}


def test_clean_log() -> None:
    report = Report((), files=3, papers=9)
    log = check_log(report, ROOT, render(report, root=ROOT))
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["tool"]["driver"]["rules"] == []


def test_deterministic_bytes() -> None:
    assert render(REPORT, root=ROOT) == render(REPORT, root=ROOT)


segment = one_line(min_size=1, controls=False).filter(
    # dropping control characters can leave nothing: a path segment is never empty
    lambda s: s not in ("", ".", "..") and "/" not in s
)


@given(
    parts=st.lists(segment, min_size=1, max_size=3),
    inside=st.booleans(),
    message=st.lists(one_line(), max_size=3).map("\n".join),
)
def test_any_path_gives_a_valid_uri(parts: list[str], inside: bool, message: str) -> None:
    path = ("/srv/digests/" if inside else "/opt/other/") + "/".join(parts)
    d = Diagnostic(path, 2, 1, 3, 1, "DC004", "syntax", "error", message)
    check_log(Report((d,)), ROOT, render(Report((d,)), root=ROOT))
