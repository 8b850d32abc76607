"""Configuration: ``[tool.digestconv]`` discovery, every key end to end, flags win, errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from digestconv.cli import app
from digestconv.config import ConfigError, Resolver, find_config, find_pyproject, load

ROOT = Path(__file__).resolve().parents[1]
SEED_000 = ROOT / "seeds" / "000_20f5c0d8057fc2ad.txt"
SEED_001 = ROOT / "seeds" / "001_47dd8e642f9add4b.txt"
SEED_003 = ROOT / "seeds" / "003_025763420b998cbe.txt"


def _validate(*args: str) -> tuple[int, list[dict[str, object]], str]:
    result = CliRunner().invoke(
        app, ["validate", "-f", "json", *args], env={"DIGESTCONV_OUTPUT_FORMAT": None}
    )
    diags = json.loads(result.stdout) if result.stdout.strip() else []
    return result.exit_code, diags, result.stderr


def _rules(diags: list[dict[str, object]]) -> set[object]:
    return {d["rule"] for d in diags}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git-rooted project holding seeds 000 and 001 under ``digests/``; cwd is the root."""
    (tmp_path / ".git").mkdir()
    digests = tmp_path / "digests"
    digests.mkdir()
    (digests / "a.md").write_bytes(SEED_000.read_bytes())
    (digests / "b.md").write_bytes(SEED_001.read_bytes())
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _pyproject(folder: Path, body: str) -> Path:
    path = folder / "pyproject.toml"
    path.write_text(f"[project]\nname = 'x'\n\n[tool.digestconv]\n{body}\n", "utf-8")
    return path


# --- discovery ------------------------------------------------------------------------


def test_nearest_pyproject_walking_up(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    top = _pyproject(repo, 'ignore = ["abstract-truncated"]')
    deep = repo / "digests" / "2024" / "03"
    deep.mkdir(parents=True)
    assert find_pyproject(deep) == top
    nearer = _pyproject(repo / "digests", 'ignore = ["translation-truncated"]')
    assert find_pyproject(deep) == nearer
    monkeypatch.chdir(deep)
    settings, source = load()
    assert source == nearer and settings.ignore == ("translation-truncated",)


def test_pyproject_without_the_table_is_passed_over(repo: Path) -> None:
    top = _pyproject(repo, 'ignore = ["DC301"]')
    (repo / "digests" / "pyproject.toml").write_text("[project]\nname = 'y'\n", "utf-8")
    assert find_pyproject(repo / "digests") == top


def test_search_stops_at_the_repository_root(tmp_path: Path) -> None:
    _pyproject(tmp_path, 'ignore = ["DC301"]')
    inner = tmp_path / "checkout"
    (inner / ".git").mkdir(parents=True)
    (inner / "sub").mkdir()
    assert find_pyproject(inner / "sub") is None
    assert find_pyproject(tmp_path) == tmp_path / "pyproject.toml"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_a_folder_reached_through_a_link_is_governed_as_named(repo: Path) -> None:
    """The nearest configuration is looked up from the path as given, never its target."""
    real = repo / "real"
    (real / "sub").mkdir(parents=True)
    (real / "sub" / "a.md").write_bytes(SEED_000.read_bytes())
    (real / "digestconv.toml").write_text('ignore = ["translation-truncated"]\n', "utf-8")
    (repo / "proj").mkdir()
    named = repo / "proj" / "digestconv.toml"
    named.write_text('ignore = ["abstract-truncated"]\n', "utf-8")
    (repo / "proj" / "ln").symlink_to(real / "sub", target_is_directory=True)
    link = Path("proj") / "ln"
    resolver = Resolver()
    assert resolver.source_for(str(link / "a.md")) == named.absolute()
    assert find_config(link) == resolver.config_for(link) == named.absolute()
    settings, source = load(start=link)
    assert source == named.absolute()
    assert settings == resolver.settings_for(str(link / "a.md"))
    _, diags, _ = _validate(str(link))
    assert "abstract-truncated" not in _rules(diags)


def test_config_file_applies_to_validate(repo: Path) -> None:
    code, diags, _ = _validate("digests")
    assert "abstract-truncated" in _rules(diags)
    _pyproject(repo, 'ignore = ["abstract-truncated", "translation-truncated"]')
    code, diags, _ = _validate("digests")
    assert code == 0 and diags == []


def test_explicit_config_file(repo: Path, tmp_path: Path) -> None:
    _pyproject(repo, 'ignore = ["abstract-truncated"]')
    other = tmp_path / "elsewhere"
    other.mkdir()
    standalone = other / "digestconv.toml"
    standalone.write_text('select = ["translation-truncated"]\n', "utf-8")
    _, diags, _ = _validate("--config", str(standalone), "digests")
    assert _rules(diags) == {"translation-truncated"}
    as_pyproject = _pyproject(other, 'select = ["DC301"]')
    _, diags, _ = _validate("--config", str(as_pyproject), "digests")
    assert _rules(diags) == {"abstract-truncated"}


# --- every key end to end ---------------------------------------------------------------


def test_select_by_prefix_code_and_name(repo: Path) -> None:
    _pyproject(repo, 'select = ["DC3"]')
    _, diags, _ = _validate("digests")
    assert _rules(diags) == {"abstract-truncated", "translation-truncated"}
    _pyproject(repo, 'select = ["translation-truncated"]')
    _, diags, _ = _validate("digests")
    assert _rules(diags) == {"translation-truncated"}


def test_extend_select(repo: Path) -> None:
    _pyproject(repo, 'select = ["DC302"]\nextend-select = ["abstract-truncated"]')
    _, diags, _ = _validate("digests")
    assert _rules(diags) == {"abstract-truncated", "translation-truncated"}


def test_per_file_ignores(repo: Path) -> None:
    _pyproject(repo, 'per-file-ignores = { "digests/a.md" = ["abstract-truncated"] }')
    _, diags, _ = _validate("digests")
    truncated = {Path(str(d["path"])).name for d in diags if d["rule"] == "abstract-truncated"}
    assert truncated == {"b.md"}


def test_exclude_and_include(repo: Path) -> None:
    (repo / "digests" / "c.txt").write_bytes(SEED_003.read_bytes())
    _pyproject(repo, 'exclude = ["digests/b.md"]')
    _, diags, _ = _validate("digests")
    assert {Path(str(d["path"])).name for d in diags} == {"a.md", "c.txt"}
    _pyproject(repo, 'include = ["*.txt"]')
    _, diags, _ = _validate("digests")
    assert {Path(str(d["path"])).name for d in diags} == {"c.txt"}


def test_severity(repo: Path) -> None:
    code, _, _ = _validate("digests/a.md")
    assert code == 0
    _pyproject(repo, 'severity = { "abstract-truncated" = "error" }')
    code, diags, _ = _validate("digests/a.md")
    assert code == 1
    assert {d["severity"] for d in diags if d["rule"] == "abstract-truncated"} == {"error"}


def test_abstract_cut(repo: Path) -> None:
    _, before, _ = _validate("digests/a.md")
    assert "abstract-truncated" in _rules(before)
    _pyproject(repo, "abstract-cut = 2000")
    _, after, _ = _validate("digests/a.md")
    assert "abstract-truncated" not in _rules(after)


# --- the command line wins ----------------------------------------------------------------


def test_flags_override_the_file(repo: Path) -> None:
    _pyproject(repo, 'select = ["translation-truncated"]\nabstract-cut = 2000')
    _, diags, _ = _validate("--select", "abstract-truncated", "--abstract-cut", "1000", "digests")
    assert _rules(diags) == {"abstract-truncated"}
    _pyproject(repo, 'ignore = ["abstract-truncated"]')
    _, diags, _ = _validate("--ignore", "translation-truncated", "digests")
    assert diags == []  # the flag adds to the file's list
    _, diags, _ = _validate("--exclude", "b.md", "digests")
    assert {Path(str(d["path"])).name for d in diags} <= {"a.md"}


# --- invalid configuration: exit 2, naming file and key -----------------------------------


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ('colour = "always"', ["colour"]),
        ('select = "DC301"', ["select", "list"]),
        ('ignore = ["no-such-rule"]', ["ignore", "no-such-rule"]),
        ('severity = { "abstract-truncated" = "fatal" }', ["severity", "abstract-truncated"]),
        ('severity = { "no-such-rule" = "error" }', ["severity", "no-such-rule"]),
        ("abstract-cut = 0", ["abstract-cut"]),
        ('abstract-cut = "1000"', ["abstract-cut"]),
        ('per-file-ignores = { "*.md" = "DC301" }', ["per-file-ignores"]),
        ('per-file-ignores = { "*.md" = ["bogus-rule"] }', ["per-file-ignores", "bogus-rule"]),
        ("select = [", ["invalid TOML"]),
    ],
)
def test_invalid_configuration(repo: Path, body: str, words: list[str]) -> None:
    path = _pyproject(repo, body)
    code, diags, stderr = _validate("digests")
    assert code == 2
    assert diags == []
    assert "Traceback" not in stderr
    assert str(path) in stderr or "pyproject.toml" in stderr
    for word in words:
        assert word in stderr, stderr


def test_invalid_explicit_config(repo: Path) -> None:
    code, _, stderr = _validate("--config", "missing.toml", "digests")
    assert code == 2 and "missing.toml" in stderr
    (repo / "bare.toml").write_text('ignore = ["DC301"]\nlevel = 3\n', "utf-8")
    code, _, stderr = _validate("--config", "bare.toml", "digests")
    assert code == 2 and "bare.toml" in stderr and "level" in stderr
    (repo / "pyproject.toml").write_text("[project]\nname = 'x'\n", "utf-8")
    code, _, stderr = _validate("--config", "pyproject.toml", "digests")
    assert code == 2 and "[tool.digestconv]" in stderr


def test_invalid_flag_selector_exits_2(repo: Path) -> None:
    code, _, stderr = _validate("--ignore", "no-such-rule", "digests")
    assert code == 2 and "no-such-rule" in stderr


def test_config_errors_from_the_library(tmp_path: Path) -> None:
    path = _pyproject(tmp_path, "abstract-cut = true")
    with pytest.raises(ConfigError, match="abstract-cut"):
        load(path)


def test_show_settings_reports_the_source(repo: Path) -> None:
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    path = _pyproject(repo, 'ignore = ["DC301"]\nper-file-ignores = { "a/*.md" = ["DC302"] }')
    result = CliRunner().invoke(app, ["validate", "--show-settings", "--ignore", "DC302", "."])
    assert result.exit_code == 0
    assert str(path) in result.stdout.splitlines()[0]
    table = tomllib.loads(result.stdout)["tool"]["digestconv"]
    assert table["ignore"] == ["DC301", "DC302"]
    assert table["per-file-ignores"] == {"a/*.md": ["DC302"]}
