"""An input set with no digest is an error (exit 2), unless ``--allow-empty`` or the config
says it is expected: a CI step pointed at the wrong folder must not stay green."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import SEED_000, Invoke, copy_seed, files_in

COMMANDS = [
    ("validate",),
    ("validate", "-f", "json"),
    ("parse",),
    ("to", "bibtex"),
    ("fmt", "--check"),
    ("enrich", "--offline"),
]


@pytest.fixture
def empty(in_tmp: Path) -> Path:
    (in_tmp / "digests").mkdir()
    return in_tmp


@pytest.fixture
def notes_only(in_tmp: Path) -> Path:
    (in_tmp / "digests").mkdir()
    (in_tmp / "digests" / "README.md").write_text("# Notes\n\nNothing here yet.\n", "utf-8")
    (in_tmp / "digests" / "todo.txt").write_text("read more papers\n", "utf-8")
    return in_tmp


def _env(tmp: Path) -> dict[str, str | None]:
    return {"DIGESTCONV_CACHE_DIR": str(tmp / "cache"), "DIGESTCONV_OFFLINE": "1"}


@pytest.mark.parametrize("command", COMMANDS)
def test_an_empty_folder_is_an_error(run: Invoke, empty: Path, command: tuple[str, ...]) -> None:
    result = run(*command, "digests", cwd=empty, env=_env(empty))
    assert result.exit_code == 2, result.output
    assert "digestconv: no digest found in digests: check the path" in result.stderr
    assert "--allow-empty" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("command", COMMANDS)
def test_a_folder_of_other_files_is_an_error(
    run: Invoke, notes_only: Path, command: tuple[str, ...]
) -> None:
    result = run(*command, "digests", cwd=notes_only, env=_env(notes_only))
    assert result.exit_code == 2, result.output
    assert "no digest found in digests (2 files without digest structure skipped)" in (
        result.stderr
    )


def test_to_writes_no_target_when_there_is_no_digest(run: Invoke, notes_only: Path) -> None:
    result = run("to", "bibtex", "digests", "-o", "refs.bib", cwd=notes_only)
    assert result.exit_code == 2
    assert files_in(notes_only) == [".git", "digests"]


@pytest.mark.parametrize("command", COMMANDS)
def test_allow_empty_turns_it_off(run: Invoke, notes_only: Path, command: tuple[str, ...]) -> None:
    result = run(*command, "--allow-empty", "digests", cwd=notes_only, env=_env(notes_only))
    assert result.exit_code == 0, result.output
    assert "no digest found" not in result.stderr


def test_the_config_key_turns_it_off(run: Invoke, empty: Path) -> None:
    (empty / "pyproject.toml").write_text("[tool.digestconv]\nallow-empty = true\n", "utf-8")
    for command in COMMANDS:
        result = run(*command, "digests", cwd=empty, env=_env(empty))
        assert result.exit_code == 0, (command, result.output)


def test_the_config_key_must_be_a_boolean(run: Invoke, empty: Path) -> None:
    (empty / "pyproject.toml").write_text('[tool.digestconv]\nallow-empty = "yes"\n', "utf-8")
    result = run("validate", "digests", cwd=empty)
    assert result.exit_code == 2
    assert "'allow-empty' must be true or false" in result.stderr


def test_a_digest_among_other_files_is_enough(run: Invoke, notes_only: Path) -> None:
    copy_seed(SEED_000, notes_only / "digests", "a.md")
    result = run("validate", "digests", cwd=notes_only)
    assert result.exit_code == 0, result.output
    assert "2 non-digest files skipped" in result.stdout


def test_a_named_non_digest_is_reported_not_called_empty(run: Invoke, notes_only: Path) -> None:
    result = run("validate", "digests/README.md", cwd=notes_only)
    assert result.exit_code == 1
    assert "DC001 not-a-digest" in result.stdout
    assert "no digest found" not in result.stderr
