"""Each input is governed by the configuration nearest to it, as ruff finds its own;
``--config`` governs them all; ``--show-settings`` prints configuration that reads back."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from .conftest import SEED_000, SEED_003, Invoke, copy_seed, diagnostic_lines

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: seed 000 has two papers whose English abstracts stop at the cut (DC301, a warning)
TRUNCATED = "DC301 abstract-truncated"


def _project(root: Path, name: str, config: tuple[str, str] | None) -> Path:
    folder = root / name
    (folder / "digests").mkdir(parents=True)
    copy_seed(SEED_000, folder / "digests", "a.md")
    if config is not None:
        (folder / config[0]).write_text(config[1], "utf-8")
    return folder


STRICT = ("pyproject.toml", '[tool.digestconv]\nseverity = { "abstract-truncated" = "error" }\n')
QUIET = ("digestconv.toml", 'ignore = ["abstract-truncated"]\n')


def _codes(text: str, path: str) -> list[str]:
    return [x.split(": ")[1].split()[0] for x in diagnostic_lines(text) if x.startswith(path)]


def test_the_same_files_get_the_same_verdict_from_any_folder(run: Invoke, in_tmp: Path) -> None:
    _project(in_tmp, "proj", STRICT)
    inside = run("validate", "digests/", cwd=in_tmp / "proj")
    outside = run("validate", "proj/digests", cwd=in_tmp)
    assert inside.exit_code == outside.exit_code == 1
    assert inside.stdout.splitlines()[-1] == outside.stdout.splitlines()[-1]
    assert outside.stdout.splitlines()[-1] == "1 file, 2 papers: 2 errors"
    assert all(" error " not in x or TRUNCATED in x for x in diagnostic_lines(outside.stdout))


def test_two_projects_in_one_run_keep_their_own_settings(run: Invoke, in_tmp: Path) -> None:
    _project(in_tmp, "strict", STRICT)
    _project(in_tmp, "quiet", QUIET)
    _project(in_tmp, "plain", None)
    result = run("validate", "strict", "quiet", "plain", "--per-file", cwd=in_tmp)
    assert result.exit_code == 1, result.output
    lines = diagnostic_lines(result.stdout)
    strict = [x for x in lines if x.startswith("strict/")]
    plain = [x for x in lines if x.startswith("plain/")]
    assert len(strict) == 2 and all(x.split()[1] == "DC301" for x in strict)
    assert not [x for x in lines if x.startswith("quiet/")]
    assert len(plain) == 2
    # same message, same code: only the severity differs, as configured
    assert "3 files, 6 papers: 2 errors, 2 warnings" in result.stdout


def test_pool_workers_use_each_files_settings(run: Invoke, in_tmp: Path) -> None:
    _project(in_tmp, "strict", STRICT)
    _project(in_tmp, "quiet", QUIET)
    one = run("validate", "-j1", "-f", "json", "--per-file", "strict", "quiet", cwd=in_tmp)
    pool = run(
        "validate",
        "-j2",
        "-f",
        "json",
        "--per-file",
        "strict",
        "quiet",
        cwd=in_tmp,
        env={"DIGESTCONV_POOL_MIN_BYTES": "0"},
    )
    assert one.stdout == pool.stdout
    found = json.loads(one.stdout)
    assert {(d["path"].split("/")[0], d["severity"]) for d in found} == {("strict", "error")}


def test_the_nearest_configuration_wins_whole(run: Invoke, in_tmp: Path) -> None:
    project = _project(in_tmp, "proj", STRICT)
    inner = project / "digests" / "old"
    inner.mkdir()
    copy_seed(SEED_000, inner, "b.md")
    (inner / "digestconv.toml").write_text("abstract-cut = 2000\n", "utf-8")
    result = run("validate", "--per-file", "proj", cwd=in_tmp)
    codes = {x.split(":")[0]: x.split()[1] for x in diagnostic_lines(result.stdout)}
    assert codes == {"proj/digests/a.md": "DC301"}  # old/ has its own cut, not proj's severity
    parsed = json.loads(run("parse", "proj", cwd=in_tmp).stdout)
    truncated = {d["path"]: [e["abstract_truncated"] for e in d["entries"]] for d in parsed}
    assert truncated == {"proj/digests/a.md": [True, True], "proj/digests/old/b.md": [False, False]}


def test_digestconv_toml_wins_over_pyproject_in_one_folder(run: Invoke, in_tmp: Path) -> None:
    project = _project(in_tmp, "proj", STRICT)
    (project / QUIET[0]).write_text(QUIET[1], "utf-8")
    result = run("validate", "proj", cwd=in_tmp)
    assert result.exit_code == 0 and diagnostic_lines(result.stdout) == []


def test_include_and_exclude_come_from_the_files_configuration(run: Invoke, in_tmp: Path) -> None:
    mine = _project(in_tmp, "mine", ("digestconv.toml", 'exclude = ["drafts"]\n'))
    other = _project(in_tmp, "other", None)
    for project in (mine, other):
        (project / "drafts").mkdir()
        copy_seed(SEED_003, project / "drafts", "c.md")
    parsed = json.loads(run("parse", "mine", "other", cwd=in_tmp).stdout)
    assert [d["path"] for d in parsed] == [
        "mine/digests/a.md",
        "other/digests/a.md",
        "other/drafts/c.md",
    ]


def test_config_option_governs_every_input(run: Invoke, in_tmp: Path) -> None:
    _project(in_tmp, "strict", STRICT)
    _project(in_tmp, "plain", None)
    shared = in_tmp / "digestconv.toml"
    shared.write_text('ignore = ["DC3"]\n', "utf-8")
    result = run("validate", "--config", shared, "--per-file", "strict", "plain", cwd=in_tmp)
    assert result.exit_code == 0, result.output
    assert diagnostic_lines(result.stdout) == []


def test_flags_apply_over_every_configuration(run: Invoke, in_tmp: Path) -> None:
    _project(in_tmp, "strict", STRICT)
    _project(in_tmp, "plain", None)
    result = run(
        "validate", "--ignore", "abstract-truncated", "--per-file", "strict", "plain", cwd=in_tmp
    )
    assert result.exit_code == 0 and diagnostic_lines(result.stdout) == []


def test_to_converts_each_project_by_its_own_rules(run: Invoke, in_tmp: Path) -> None:
    _project(in_tmp, "strict", STRICT)
    _project(in_tmp, "plain", None)
    result = run("to", "csl-json", "strict", "plain", cwd=in_tmp)
    assert result.exit_code == 1  # strict's papers have errors there: not converted
    assert "strict/digests/a.md" in result.stderr and "DC900 not-converted" in result.stderr
    assert len(json.loads(result.stdout)) == 2  # the two papers, from plain/


def test_a_broken_configuration_of_one_input_is_a_usage_error(run: Invoke, in_tmp: Path) -> None:
    _project(in_tmp, "plain", None)
    _project(in_tmp, "broken", ("digestconv.toml", "select = [\n"))
    result = run("validate", "plain", "broken", cwd=in_tmp)
    assert result.exit_code == 2
    assert result.stderr.startswith("digestconv: invalid configuration: ")
    assert "broken/digestconv.toml" in result.stderr and "invalid TOML" in result.stderr
    assert result.stdout == ""


def _table(text: str) -> dict[str, object]:
    return tomllib.loads(text)["tool"]["digestconv"]


def test_show_settings_needs_no_paths_and_reads_back(run: Invoke, in_tmp: Path) -> None:
    project = _project(
        in_tmp,
        "proj",
        (
            "pyproject.toml",
            "[tool.digestconv]\n"
            'ignore = ["translation-truncated"]\n'
            'per-file-ignores = { "old/*.md" = ["DC3"] }\n'
            'severity = { "duplicate-paper" = "error" }\n'
            "abstract-cut = 900\n"
            "jobs = 3\n"
            "\n[tool.digestconv.enrich]\n"
            'max-age = "7d"\n'
            "offline = true\n",
        ),
    )
    shown = run("validate", "--show-settings", "--per-file", cwd=project)
    assert shown.exit_code == 0, shown.stderr
    assert shown.stdout.startswith(f"# settings from {project / 'pyproject.toml'}\n")
    table = _table(shown.stdout)
    assert table["cross-file"] is False and table["abstract-cut"] == 900 and table["jobs"] == 3
    assert table["enrich"] == {"max-age": "7d", "offline": True}
    # pasted into another project, the same settings come back
    copy = in_tmp / "copy"
    copy.mkdir()
    (copy / "pyproject.toml").write_text(shown.stdout, "utf-8")
    again = run("validate", "--show-settings", cwd=copy)
    assert again.exit_code == 0, again.stderr
    assert _table(again.stdout) == table


def test_show_settings_for_a_path_shows_that_paths_configuration(run: Invoke, in_tmp: Path) -> None:
    _project(in_tmp, "quiet", QUIET)
    shown = run("validate", "--show-settings", "quiet/digests", cwd=in_tmp)
    assert shown.exit_code == 0, shown.stderr
    assert shown.stdout.startswith(
        f"# settings for quiet/digests from {in_tmp / 'quiet' / 'digestconv.toml'}"
    )
    assert _table(shown.stdout)["ignore"] == ["abstract-truncated"]
    defaults = run("validate", "--show-settings", cwd=in_tmp)
    assert defaults.stdout.startswith("# settings from built-in defaults\n")
    assert "# jobs = " in defaults.stdout  # unset: a comment, so pasting it pins nothing
    assert "jobs" not in _table(defaults.stdout)


def test_validate_without_paths_is_still_a_usage_error(run: Invoke, in_tmp: Path) -> None:
    result = run("validate", cwd=in_tmp)
    assert result.exit_code == 2
    assert "missing argument PATH..." in result.stderr


@pytest.mark.parametrize("key", ["cross-file", "skip-non-digests", "allow-empty"])
def test_every_key_shown_is_a_key_accepted(run: Invoke, in_tmp: Path, key: str) -> None:
    (in_tmp / "digestconv.toml").write_text(f"{key} = true\n", "utf-8")
    shown = run("validate", "--show-settings", cwd=in_tmp)
    assert shown.exit_code == 0, shown.stderr
    assert _table(shown.stdout)[key] is True
