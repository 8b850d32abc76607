"""The library API as the README shows it."""

from __future__ import annotations

from pathlib import Path

import pytest

import digestconv
from digestconv.model import Diagnostic, Digest, Report

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def test_read_validate_parse_check() -> None:
    digest = digestconv.read((SEEDS / "000_20f5c0d8057fc2ad.txt").read_bytes(), "000.txt")
    assert isinstance(digest, Digest) and digest.papers[0].arxiv_id == "2403.15711"
    report = digestconv.validate([SEEDS])
    assert isinstance(report, Report)
    assert (report.files, report.papers, report.errors, report.exit_code()) == (4, 33, 5, 1)
    digests = digestconv.parse([SEEDS])
    settings = digestconv.Settings(ignore=("translation-truncated",))
    found = digestconv.check(digests, settings)
    assert all(isinstance(d, Diagnostic) for d in found)
    assert not [d for d in found if d.rule == "translation-truncated"]


def test_convert_can_be_called_repeatedly() -> None:
    """``digestconv.convert`` stays the function after the conversion module is imported."""
    first = digestconv.convert([SEEDS], "bibtex")
    second = digestconv.convert(str(SEEDS), "bibtex")
    assert first.output == second.output and first.output.count(b"@misc{") == 32
    assert first.exit_code == 1  # the abstract page was skipped
    with pytest.raises(ValueError, match="unknown format"):
        digestconv.convert([SEEDS], "nope")


def test_api_names_survive_submodule_imports() -> None:
    """No submodule shares a name with an API function (importing one would shadow it)."""
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(digestconv.__path__):
        importlib.import_module(f"digestconv.{module.name}")
    for name in ("read", "parse", "validate", "check", "convert", "render"):
        assert callable(getattr(digestconv, name)) and not hasattr(
            getattr(digestconv, name), "__path__"
        ), name
        assert type(getattr(digestconv, name)).__name__ == "function", name


def test_render_round_trips() -> None:
    digest = digestconv.read((SEEDS / "003_025763420b998cbe.txt").read_bytes(), "003")
    again = digestconv.read(digestconv.render(digest.papers), "again")
    assert again.papers == digest.papers


def test_unknown_attribute() -> None:
    with pytest.raises(AttributeError):
        digestconv.nothing_here  # noqa: B018
