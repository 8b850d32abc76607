"""DC099 internal-error: an unexpected exception is reported at its file; the others go on."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from digestconv import rules
from digestconv.api import validate
from digestconv.settings import Settings

from .conftest import SEED_000, SEED_003, assert_registered, seed, seed_bytes

NAME = "internal-error"


def test_registered() -> None:
    assert_registered(NAME, "DC099", "error")


@pytest.fixture
def broken_ref_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """``ref-order`` raises on files whose text names a 'boom' paper."""
    rule = rules.get("ref-order")
    assert rule is not None

    def check(digest, settings):  # type: ignore[no-untyped-def]
        if "boom" in digest.text:
            raise RuntimeError("boom in the rule")
        yield from rule.check(digest, settings)  # type: ignore[call-arg]

    monkeypatch.setitem(rules._RULES, rule.code, dataclasses.replace(rule, check=check))


def _files(tmp_path: Path) -> list[Path]:
    bad = tmp_path / "a.md"
    bad.write_text(seed(SEED_000).replace("Identifiable", "boom Identifiable", 1), "utf-8")
    good = tmp_path / "b.md"
    good.write_bytes(seed_bytes(SEED_003))
    return [bad, good]


@pytest.mark.usefixtures("broken_ref_order")
def test_a_raising_rule_is_reported_at_its_file(tmp_path: Path) -> None:
    bad, good = _files(tmp_path)
    report = validate([bad, good], jobs=1)
    [diag] = [d for d in report.diagnostics if d.rule == NAME]
    assert (diag.path, diag.code, diag.severity, diag.line) == (str(bad), "DC099", "error", 1)
    assert "RuntimeError" in diag.message and "boom in the rule" in diag.message
    assert "ref-order" in diag.message
    # the other rules still ran on that file, and the other file was checked
    assert any(d.path == str(bad) and d.rule == "abstract-truncated" for d in report.diagnostics)
    assert any(d.path == str(good) for d in report.diagnostics)
    assert report.files == 2 and report.exit_code() == 2


@pytest.mark.usefixtures("broken_ref_order")
def test_cannot_be_ignored(tmp_path: Path) -> None:
    report = validate(_files(tmp_path), Settings(ignore=(NAME,)), jobs=1)
    assert [d.rule for d in report.diagnostics if d.rule == NAME] == [NAME]


def test_a_raising_reader_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from digestconv import reader

    real = reader.read

    def read(data, path="<stdin>", **kw):  # type: ignore[no-untyped-def]
        if b"boom" in data:
            raise ValueError("reader fell over")
        return real(data, path, **kw)

    monkeypatch.setattr(reader, "read", read)
    bad, good = _files(tmp_path)
    report = validate([bad, good], jobs=1)
    assert [(d.path, d.rule) for d in report.diagnostics if d.rule == NAME] == [(str(bad), NAME)]
    assert "ValueError: reader fell over" in report.diagnostics[0].message
    assert any(d.path == str(good) for d in report.diagnostics)
