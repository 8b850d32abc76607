"""The format registry: entry points, lookup, and a plugin added with one entry point."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from digestconv import formats
from digestconv.formats import Batch, Format

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_20f5c0d8057fc2ad.txt"

PLUGIN = '''
"""A tiny third-party format: one line per paper."""

from digestconv.formats import Batch, Format
from digestconv.model import Paper


class Lines(Format):
    name = "lines"
    suffixes = (".lines",)
    aliases = ("ln",)
    media_type = "text/plain"

    def write(self, batch: Batch) -> str:
        return "".join(f"{p.arxiv_id}\\t{p.title}\\n" for p in batch.papers)

    def read(self, text: str) -> list[Paper]:
        return [
            Paper(arxiv_id=i, title=t)
            for i, t in (line.split("\\t", 1) for line in text.splitlines())
        ]
'''


def test_builtin_formats_are_entry_points() -> None:
    names = {f.name for f in formats.all_formats()}
    assert {"bibtex", "csl-json", "rss", "atom", "opml", "markdown"} <= names
    for fmt in formats.all_formats():
        assert fmt.can_write and fmt.suffixes and fmt.media_type


@pytest.mark.parametrize(
    ("query", "filename", "expected"),
    [
        ("bibtex", None, "bibtex"),
        ("BIB", None, "bibtex"),
        ("csl", None, "csl-json"),
        (None, "out/refs.bib", "bibtex"),
        (None, "feed.atom", "atom"),
        (None, "items.csl.json", "csl-json"),
        (None, "list.opml", "opml"),
        (None, "merged.md", "markdown"),
    ],
)
def test_find(query: str | None, filename: str | None, expected: str) -> None:
    found = formats.find(query, filename)
    assert found is not None and found.name == expected


def test_find_unknown() -> None:
    assert formats.find("nope") is None
    assert formats.find(filename="refs.unknown") is None


def test_register_at_runtime() -> None:
    class Upper(Format):
        name = "upper-test"
        suffixes = (".upper",)

        def write(self, batch: Batch) -> str:
            return "".join((p.title or "").upper() + "\n" for p in batch.papers)

    formats.register(Upper)
    try:
        found = formats.find("upper-test")
        assert found is not None and found.can_write and not found.can_read
        assert formats.find(filename="x.upper") is not None
    finally:
        formats._extra.pop("upper-test")
        formats._loaded = None


def _plugin_site(tmp_path: Path, entry: str) -> Path:
    """A folder that looks like an installed package with one entry point."""
    site = tmp_path / "site"
    (site / "lines_format").mkdir(parents=True)
    (site / "lines_format" / "__init__.py").write_text(textwrap.dedent(PLUGIN), "utf-8")
    info = site / "lines_format-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: lines-format\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[digestconv.formats]\n{entry}\n", "utf-8")
    return site


def _run(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    code = "import sys; from digestconv.cli import main; sys.argv[0] = 'digestconv'; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=False
    )


def test_third_party_package_adds_a_format_with_one_entry_point(tmp_path: Path) -> None:
    site = _plugin_site(tmp_path, "lines = lines_format:Lines")
    listed = _run(site, "formats")
    assert listed.returncode == 0
    assert any(line.startswith("lines (ln)") for line in listed.stdout.splitlines())
    converted = _run(site, "to", "lines", str(SEED))
    assert converted.returncode == 0, converted.stderr
    assert converted.stdout.splitlines()[0].startswith("2403.15711\tIdentifiable Latent")
    out = tmp_path / "ids.lines"
    by_suffix = _run(site, "to", str(SEED), "-o", str(out))
    assert by_suffix.returncode == 0 and out.read_text("utf-8") == converted.stdout


def test_broken_plugin_does_not_break_the_others(tmp_path: Path) -> None:
    site = _plugin_site(tmp_path, "broken = lines_format:Missing")
    listed = _run(site, "formats")
    assert listed.returncode == 0 and "bibtex" in listed.stdout
    assert "format plugin 'broken' failed to load" in listed.stderr
    assert "Traceback" not in listed.stderr
    still = _run(site, "to", "bibtex", str(SEED))
    assert still.returncode == 0 and still.stdout.count("@misc{") == 2


def test_the_builtin_table_is_the_package_entry_points() -> None:
    from importlib.metadata import entry_points

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"][
        "entry-points"
    ][formats.GROUP]
    assert declared == formats.BUILTIN
    installed = {
        ep.name: ep.value
        for ep in entry_points(group=formats.GROUP)
        if ep.dist is not None and ep.dist.name == "digestconv"
    }
    assert installed == formats.BUILTIN
    for name in formats.BUILTIN:
        found = formats.find(name)
        assert found is not None and found.name == name


def test_a_builtin_format_is_found_without_reading_package_metadata() -> None:
    code = (
        "import sys; from digestconv import formats; f = formats.find('CSL-JSON'); "
        "print(f.name, 'importlib.metadata' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.split() == ["csl-json", "False"]
