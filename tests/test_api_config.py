"""The library API finds each file's configuration as the command line does; explicit
``Settings`` govern every path instead, as ``--config`` does."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

import digestconv
from digestconv.api import discover, load, stream
from digestconv.cli import app
from digestconv.config import ConfigError, Resolver

ROOT = Path(__file__).resolve().parent.parent
#: two papers whose English abstracts stop at the 1000-character cut
SEED_000 = ROOT / "seeds" / "000_20f5c0d8057fc2ad.txt"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``long/`` (abstract-cut 2000), ``quiet/`` (ignores abstract-truncated), ``plain/``
    (no configuration of its own), each with the same digest; the current folder is the root."""
    (tmp_path / ".git").mkdir()
    configs = {
        "long": "abstract-cut = 2000\n",
        "quiet": 'ignore = ["abstract-truncated"]\n',
        "plain": None,
    }
    for name, text in configs.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "a.md").write_bytes(SEED_000.read_bytes())
        if text is not None:
            (tmp_path / name / "digestconv.toml").write_text(text, "utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"DIGESTCONV_OUTPUT_FORMAT": None})
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    return result.exit_code, result.stdout


def test_parse_gives_what_the_command_gives(tree: Path) -> None:
    code, out = _cli("parse", ".")
    assert code == 0
    expected = json.loads(out)
    got = [d.to_dict() for d in digestconv.parse(".")]
    assert json.loads(json.dumps(got)) == expected
    truncated = {
        os.path.normpath(d["path"]): [p["abstract_truncated"] for p in d["entries"]]
        for d in expected
    }
    assert truncated == {"long/a.md": [False, False], "plain/a.md": [True, True]} | {
        "quiet/a.md": [True, True]
    }


def test_validate_gives_what_the_command_gives(tree: Path) -> None:
    code, out = _cli("validate", ".", "-f", "json")
    report = digestconv.validate(".")
    assert report.exit_code() == code == 0  # warnings only
    assert [d.to_dict() for d in report.diagnostics] == json.loads(out)
    rules = {(os.path.normpath(d.path), d.rule) for d in report.diagnostics}
    assert ("plain/a.md", "abstract-truncated") in rules
    assert not [p for p, r in rules if p != "plain/a.md" and r == "abstract-truncated"]


def test_stream_and_discover_carry_each_files_settings(tree: Path) -> None:
    _, results = stream(".")
    found = {os.path.normpath(result.name): {d.rule for d in diags} for result, diags in results}
    assert "abstract-truncated" in found["plain/a.md"]
    assert "abstract-truncated" not in found["quiet/a.md"]
    inputs, problems = discover(".")
    assert not problems
    loaded = {os.path.normpath(i.name): load(i) for i in inputs}
    truncated = {
        name: [p.abstract_truncated for p in d.papers]  # type: ignore[union-attr]
        for name, d in loaded.items()
    }
    assert truncated["long/a.md"] == [False, False]
    assert truncated["plain/a.md"] == [True, True]


def test_explicit_settings_govern_every_path(tree: Path) -> None:
    """Like ``--config``: no configuration file is read, not even a broken one."""
    (tree / "plain" / "digestconv.toml").write_text("abstract-cut = 'x'\n", "utf-8")
    settings = digestconv.Settings()
    digests = digestconv.parse(".", settings)
    assert all(p.abstract_truncated for d in digests for p in d.papers)
    report = digestconv.validate(".", settings)
    cut = {os.path.normpath(d.path) for d in report.diagnostics if d.rule == "abstract-truncated"}
    assert cut == {"long/a.md", "plain/a.md", "quiet/a.md"}
    with pytest.raises(ConfigError, match="abstract-cut"):
        digestconv.validate(".")


def test_a_resolver_applies_overrides_to_each_configuration(tree: Path) -> None:
    import dataclasses

    resolver = Resolver(override=lambda s: dataclasses.replace(s, abstract_cut=2000))
    digests = {d.path: d for d in digestconv.parse(".", resolver)}
    assert not any(p.abstract_truncated for d in digests.values() for p in d.papers)
    report = digestconv.validate(os.path.join(".", "quiet"), resolver)
    assert not [d for d in report.diagnostics if d.rule == "abstract-truncated"]


def test_convert_gives_what_the_command_gives(tree: Path) -> None:
    result = CliRunner().invoke(app, ["to", "csl-json", "."], env={"SOURCE_DATE_EPOCH": "0"})
    assert result.exit_code == 0, result.stderr
    converted = digestconv.convert(".", "csl-json", env={"SOURCE_DATE_EPOCH": "0"})
    assert converted.output == result.stdout_bytes
    assert digestconv.convert(".", "csl-json", settings=digestconv.Settings()).output != (
        converted.output
    )
