"""Metadata commands catch mistakes early and leave nothing behind they did not need."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.enrich.conftest import ReplayServer

from .conftest import SEED_000, SEEDS, Invoke, diagnostic_lines


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with ReplayServer() as replay:
        yield replay


@pytest.fixture
def env(tmp_path: Path, server: ReplayServer) -> dict[str, str | None]:
    """The loopback API, and a user cache folder inside the test's folder."""
    return {
        "DIGESTCONV_ARXIV_API": server.url,
        "DIGESTCONV_CACHE_DIR": None,
        "XDG_CACHE_HOME": str(tmp_path / "xdg"),
        "DIGESTCONV_OFFLINE": None,
    }


def _unwritable(tmp_path: Path) -> list[Path]:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n", "utf-8")
    places = [blocker / "cache"]
    if Path("/proc/self").is_dir():
        places.append(Path("/proc/nope"))
    return places


def test_enrich_fails_when_nothing_can_be_kept(
    run: Invoke, env: dict[str, str | None], server: ReplayServer, tmp_path: Path
) -> None:
    for place in _unwritable(tmp_path):
        result = run("enrich", "--cache-dir", place, SEEDS, env=env)
        assert result.exit_code == 2, result.output
        assert f"cannot keep arXiv metadata in {place}" in result.stderr
        assert "--cache-dir" in result.stderr
        assert "found" not in result.stdout
    assert server.log == []  # refused before any request


def test_cache_info_clear_and_export_create_nothing(
    run: Invoke, env: dict[str, str | None], tmp_path: Path
) -> None:
    folder = tmp_path / "fresh"
    info = run("cache", "info", "--cache-dir", folder, env=env)
    assert info.exit_code == 0, info.stderr
    assert f"path:     {folder / 'arxiv-v1.sqlite'}" in info.stdout
    assert "records:  0" in info.stdout
    assert run("cache", "clear", "--cache-dir", folder, env=env).exit_code == 0
    exported = run("cache", "export", "--cache-dir", folder, env=env)
    assert exported.exit_code == 0 and exported.stdout == ""
    assert "exported 0 records" in exported.stderr
    assert not folder.exists()
    assert not (tmp_path / "xdg").exists()


def test_offline_enrich_makes_no_default_cache(
    run: Invoke, env: dict[str, str | None], server: ReplayServer, tmp_path: Path
) -> None:
    for command in (
        ("enrich", "--offline"),
        ("to", "bibtex", "--enrich", "--offline"),
        ("validate", "--enrich", "--offline"),
    ):
        result = run(*command, SEED_000, env=env)
        assert result.exit_code in (0, 1), result.output
        assert "not in the cache" in result.output
    assert not (tmp_path / "xdg").exists()
    assert server.log == []


def test_enrich_online_still_fills_the_default_cache(
    run: Invoke, env: dict[str, str | None], tmp_path: Path
) -> None:
    result = run("enrich", SEED_000, env=env)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "xdg" / "digestconv" / "arxiv-v1.sqlite").is_file()


@pytest.mark.parametrize(
    "command", [("enrich",), ("to", "bibtex", "--enrich"), ("validate", "--enrich")]
)
def test_a_snapshot_that_is_not_one_is_refused(
    run: Invoke, env: dict[str, str | None], tmp_path: Path, command: tuple[str, ...]
) -> None:
    garbage = tmp_path / "garbage.json"
    garbage.write_text("this is not JSON\n", "utf-8")
    squeezed = tmp_path / "garbage.json.gz"
    squeezed.write_bytes(gzip.compress(b'{"title": "no id"}\n'))
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    for snapshot, words in (
        (tmp_path, "is a folder"),
        (garbage, "line 1 is not JSON"),
        (squeezed, "line 1 has no 'id'"),
        (empty, "is empty"),
    ):
        result = run(*command, "--offline", "--snapshot", snapshot, SEED_000, env=env)
        assert result.exit_code == 2, result.output
        assert words in result.stderr and "no such file" not in result.stderr
        assert result.stdout == "" and diagnostic_lines(result.stderr) == []


def test_cache_import_names_what_is_missing(
    run: Invoke, env: dict[str, str | None], tmp_path: Path
) -> None:
    lines = tmp_path / "records.jsonl"
    lines.write_text('{"title": "A paper", "version": 1}\n', "utf-8")
    folder = tmp_path / "cache"
    result = run("cache", "import", lines, "--cache-dir", folder, env=env)
    assert result.exit_code == 2
    assert "line 1: not a metadata record written by 'digestconv cache export'" in result.stderr
    assert "it has no 'arxiv_id' field" in result.stderr
    assert "('arxiv_id')" not in result.stderr
    assert not folder.exists()  # nothing imported, nothing made
    lines.write_text("[1, 2]\n", "utf-8")
    listed = run("cache", "import", lines, "--cache-dir", folder, env=env)
    assert listed.exit_code == 2 and "a JSON list" in listed.stderr


def test_enrich_reports_unavailable_papers_as_validate_does(
    run: Invoke, env: dict[str, str | None], tmp_path: Path
) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    env = {**env, "DIGESTCONV_CACHE_DIR": str(folder)}
    enrich = run("enrich", "--offline", SEED_000, env=env)
    validate = run("validate", "--enrich", "--offline", SEED_000, env=env)
    ours = [line for line in enrich.stdout.splitlines() if "DC502" in line]
    theirs = [line for line in validate.stdout.splitlines() if "DC502" in line]
    assert len(ours) == 1 and ours == theirs
    assert "2 papers not enriched" in ours[0]
