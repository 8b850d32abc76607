"""``digestconv enrich`` and ``digestconv cache`` end to end, against the loopback server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..cli.conftest import SEED_000, SEEDS, Invoke, assert_no_traceback, copy_seed
from ..cli.conftest import run as run
from .conftest import ReplayServer


def test_enrich_fills_the_cache_in_one_request(
    run: Invoke, env: dict[str, str | None], arxiv_server: ReplayServer, tmp_path: Path
) -> None:
    result = run("enrich", SEEDS, env=env)
    assert result.exit_code == 0, result.output
    assert "32 papers: 32 found (0 cached, 0 from the snapshot, 32 from arXiv)" in result.stdout
    (request,) = arxiv_server.log
    assert len(request.ids) == 32 and request.max_results == 32
    assert request.user_agent.startswith("digestconv/")
    # again: everything from the cache, no request
    again = run("enrich", SEEDS, env=env)
    assert again.exit_code == 0 and "32 cached" in again.stdout
    assert len(arxiv_server.log) == 1
    info = run("cache", "info", env=env)
    assert info.exit_code == 0
    assert f"path:     {tmp_path / 'cache' / 'arxiv-v1.sqlite'}" in info.stdout
    assert "records:  32" in info.stdout
    # export, import elsewhere, use it offline
    lock = tmp_path / "arxiv.jsonl"
    exported = run("cache", "export", "-o", lock, env=env)
    assert exported.exit_code == 0 and "exported 32 records" in exported.stderr
    rows = [json.loads(x) for x in lock.read_text("utf-8").splitlines()]
    assert [r["arxiv_id"] for r in rows] == sorted(r["arxiv_id"] for r in rows)
    other = {**env, "DIGESTCONV_CACHE_DIR": str(tmp_path / "other"), "DIGESTCONV_OFFLINE": "1"}
    assert run("cache", "import", lock, env=other).stdout == "imported 32 records\n"
    offline = run("enrich", SEEDS, env=other)
    assert offline.exit_code == 0 and "32 cached" in offline.stdout
    assert len(arxiv_server.log) == 1
    cleared = run("cache", "clear", env=env)
    assert cleared.exit_code == 0 and "cleared 32 records" in cleared.stdout


def test_paper_arxiv_does_not_have_is_reported_at_its_link(
    run: Invoke, env: dict[str, str | None], tmp_path: Path
) -> None:
    digest = copy_seed(SEED_000, tmp_path)
    digest.write_text(digest.read_text("utf-8").replace("2402.04177", "2402.99999"), "utf-8")
    result = run("enrich", digest, env=env)
    assert result.exit_code == 1
    lines = [x for x in result.stdout.splitlines() if "DC501" in x]
    assert len(lines) == 1
    import digestconv

    span = digestconv.parse([digest])[0].papers[1].span("url")
    assert lines[0].startswith(f"{digest}:{span.line}:{span.column}: ")
    assert "DC501 enrich-not-found" in lines[0] and "arXiv:2402.99999" in lines[0]
    assert "1 not found" in result.stdout


def test_offline_with_an_empty_cache_reports_every_paper(
    run: Invoke, env: dict[str, str | None], arxiv_server: ReplayServer
) -> None:
    result = run("enrich", "--offline", SEED_000, env=env)
    assert result.exit_code == 1
    # one line for the papers not enriched, as to --enrich and validate --enrich say it
    assert result.stdout.count("DC502 enrich-unavailable") == 1
    assert "2 papers not enriched with arXiv metadata: offline: not in the cache" in result.stdout
    assert arxiv_server.log == []
    via_env = run("enrich", SEED_000, env={**env, "DIGESTCONV_OFFLINE": "1"})
    assert via_env.exit_code == 1 and arxiv_server.log == []


def test_unreachable_api(run: Invoke, env: dict[str, str | None]) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dead = {**env, "DIGESTCONV_ARXIV_API": f"http://127.0.0.1:{port}/api/query"}
    result = run("enrich", SEEDS, env=dead)
    assert result.exit_code == 1
    assert result.stdout.count("DC502") == 1  # one line: 32 papers (33 rows) not enriched
    assert "unreachable" in result.stdout
    assert_no_traceback(result.stdout, result.stderr)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--snapshot", "no-such-file.json"], "no such file"),
        (["--snapshot", "."], "snapshot . is a folder"),
        (["--max-age", "soon"], "not a duration"),
        (["--budget", "-3"], "not a duration"),
    ],
)
def test_usage_errors_exit_2(
    run: Invoke, env: dict[str, str | None], args: list[str], message: str
) -> None:
    result = run("enrich", *args, SEED_000, env=env)
    assert result.exit_code == 2 and message in result.stderr
    assert_no_traceback(result.stdout, result.stderr)


def test_bad_endpoint_and_config(run: Invoke, env: dict[str, str | None], tmp_path: Path) -> None:
    bad = run("enrich", SEED_000, env={**env, "DIGESTCONV_ARXIV_API": "http://example.org/api"})
    assert bad.exit_code == 2 and "https" in bad.stderr
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        '[tool.digestconv.enrich]\nmax-age = "2d"\nspacing = 0\n', "utf-8"
    )
    result = run("enrich", SEED_000, env=env, cwd=tmp_path)
    assert result.exit_code == 2 and "enrich.spacing" in result.stderr
    (tmp_path / "pyproject.toml").write_text(
        '[tool.digestconv.enrich]\noffline = true\ncache-dir = "here"\n', "utf-8"
    )
    result = run("enrich", SEED_000, env={**env, "DIGESTCONV_CACHE_DIR": None}, cwd=tmp_path)
    assert result.exit_code == 1 and "offline: not in the cache" in result.stdout
    # the config's cache-dir is relative to the config file; offline with nothing to store,
    # no cache file is made there
    info = run("cache", "info", env={**env, "DIGESTCONV_CACHE_DIR": None}, cwd=tmp_path)
    assert f"path:     {tmp_path / 'here' / 'arxiv-v1.sqlite'}" in info.stdout
    assert not (tmp_path / "here").exists()


def test_missing_input_is_an_io_error(run: Invoke, env: dict[str, str | None]) -> None:
    result = run("enrich", "no-such-folder", env=env)
    assert result.exit_code == 2 and "no such file" in result.stdout


def test_progress_bar_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from digestconv.cli import progress as cli

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(cli.sys, "stderr", Tty())
    bar = cli.progress_bar(quiet=False)
    assert bar is not None
    bar(1, 2)
    bar(2, 2)
    assert cli.progress_bar(quiet=True) is None
    # without a terminal: no bar, but a line at most every 10 s while a lookup waits
    monkeypatch.setattr(cli.sys, "stderr", io.StringIO())
    assert isinstance(cli.progress_bar(quiet=False), cli.Heartbeat)
