"""The library takes one path or many, as ``str``, ``PathLike`` or an iterable of them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import digestconv
from digestconv.api import discover

ROOT = Path(__file__).resolve().parent.parent
SEED_000 = ROOT / "seeds" / "000_20f5c0d8057fc2ad.txt"
SEED_001 = ROOT / "seeds" / "001_47dd8e642f9add4b.txt"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """``dd``, a folder with two digests, named relative to the current folder."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "dd").mkdir()
    for seed in (SEED_000, SEED_001):
        (tmp_path / "dd" / seed.name).write_bytes(seed.read_bytes())
    monkeypatch.chdir(tmp_path)
    return "dd"


def _shape(report: digestconv.Report) -> tuple[int, int, list[tuple[str, int, str]]]:
    return report.files, report.papers, [(d.path, d.line, d.code) for d in report.diagnostics]


def test_validate_takes_a_string_a_path_or_many(folder: str) -> None:
    listed = digestconv.validate([folder])
    assert listed.files == 2 and listed.papers == 27
    assert _shape(digestconv.validate(folder)) == _shape(listed)
    assert _shape(digestconv.validate(Path(folder))) == _shape(listed)
    assert _shape(digestconv.validate(p for p in [Path(folder)])) == _shape(listed)
    assert all(d.path.startswith("dd") for d in listed.diagnostics)


def test_parse_takes_a_string_a_path_or_many(folder: str) -> None:
    listed = digestconv.parse([folder])
    assert [d.path for d in listed] == [f"dd/{SEED_000.name}", f"dd/{SEED_001.name}"]
    for form in (folder, Path(folder), (folder,)):
        assert digestconv.parse(form) == listed  # type: ignore[arg-type]
    assert len(digestconv.parse(f"dd/{SEED_000.name}")) == 1


def test_convert_and_discover_take_the_same(folder: str) -> None:
    listed = digestconv.convert([folder], "csl-json").output
    assert len(json.loads(listed)) == 27
    assert digestconv.convert(folder, "csl-json").output == listed
    assert digestconv.convert(Path(folder), "csl-json").output == listed
    found, problems = discover(folder)
    assert [i.name for i in found] == [f"dd/{SEED_000.name}", f"dd/{SEED_001.name}"]
    assert problems == []


def test_something_that_is_no_path_is_a_clear_type_error() -> None:
    with pytest.raises(TypeError, match="a path or an iterable of paths, not int"):
        digestconv.validate(42)  # type: ignore[arg-type]


def test_dir_lists_the_public_names_without_loading_them() -> None:
    code = (
        "import sys, digestconv; names = dir(digestconv); "
        "loaded = sorted(m for m in sys.modules if m.startswith('digestconv.')); "
        "print(repr((names, loaded)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    names, loaded = eval(out)  # a repr of two lists of str
    public = [n for n in names if not n.startswith("_")]
    assert public == sorted(n for n in digestconv.__all__ if not n.startswith("_"))
    assert {"validate", "parse", "convert", "read", "Settings", "Report"} <= set(public)
    assert "__version__" in names
    assert loaded == ["digestconv._version"]  # still lazy
    for name in digestconv.__all__:
        assert getattr(digestconv, name) is not None
