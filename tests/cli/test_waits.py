"""A wait for arXiv says so: without a terminal, a progress line at most every so often;
and what `to --enrich` says afterwards is true of what it got."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.enrich.conftest import ReplayServer, slow

from .conftest import SEED_000, SEED_001, Invoke

LINE = re.compile(
    r"^digestconv: looking up arXiv metadata: \d+ of 2 papers after \d+ s, still waiting for arXiv$"
)


@pytest.fixture
def silent_api() -> Iterator[str]:
    """An API address that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/api/query"


@pytest.mark.parametrize(
    "command", [("enrich",), ("to", "bibtex", "--enrich"), ("validate", "--enrich")]
)
def test_a_silent_api_gets_progress_lines_without_a_terminal(
    run: Invoke, silent_api: str, tmp_path: Path, command: tuple[str, ...]
) -> None:
    env = {
        "DIGESTCONV_ARXIV_API": silent_api,
        "DIGESTCONV_CACHE_DIR": str(tmp_path / "cache"),
        "DIGESTCONV_PROGRESS_SECONDS": "1",
        "DIGESTCONV_OFFLINE": None,
    }
    began = time.monotonic()
    result = run(*command, "--budget", "3s", SEED_000, env=env)
    elapsed = time.monotonic() - began
    assert result.exit_code in (0, 1), result.output
    beats = [x for x in result.stderr.splitlines() if x.startswith("digestconv: looking up")]
    assert beats, result.stderr
    assert all(LINE.match(x) for x in beats), beats
    assert len(beats) <= elapsed + 1  # at most one a second
    assert re.search(r"^digestconv: arXiv metadata lookup over after \d+ s$", result.stderr, re.M)
    assert "not enriched" in result.output


def test_a_quick_lookup_prints_no_progress_line(run: Invoke, tmp_path: Path) -> None:
    with ReplayServer() as server:
        server.then(slow(1.5))
        env = {
            "DIGESTCONV_ARXIV_API": server.url,
            "DIGESTCONV_CACHE_DIR": str(tmp_path / "cache"),
            "DIGESTCONV_PROGRESS_SECONDS": None,
            "DIGESTCONV_OFFLINE": None,
        }
        result = run("enrich", SEED_000, env=env)
    assert result.exit_code == 0, result.output
    assert "looking up arXiv metadata" not in result.stderr  # well under 10 s


def test_quiet_prints_no_progress_line(run: Invoke, silent_api: str, tmp_path: Path) -> None:
    env = {
        "DIGESTCONV_ARXIV_API": silent_api,
        "DIGESTCONV_CACHE_DIR": str(tmp_path / "cache"),
        "DIGESTCONV_PROGRESS_SECONDS": "0.5",
        "DIGESTCONV_OFFLINE": None,
    }
    result = run("enrich", "--quiet", "--budget", "2s", SEED_000, env=env)
    assert "looking up arXiv metadata" not in result.stderr


def _abstract_line(stderr: str) -> str:
    (found,) = [x for x in stderr.splitlines() if "(DC301 abstract-truncated)" in x]
    return found


def test_abstract_advice_follows_what_was_enriched(run: Invoke, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    env = {"DIGESTCONV_CACHE_DIR": str(cache), "DIGESTCONV_OFFLINE": None}
    digests = (SEED_000, SEED_001)
    offline = run("to", "bibtex", "--enrich", "--offline", *digests, env=env)
    assert offline.exit_code == 0, offline.stderr
    line = _abstract_line(offline.stderr)
    assert "were written where arXiv has the paper" not in line
    assert "no arXiv metadata could be had" in line
    plain = run("to", "bibtex", *digests)
    assert "`--enrich` fills them from arXiv" in _abstract_line(plain.stderr)
    with ReplayServer() as server:
        online = run(
            "to", "bibtex", "--enrich", *digests, env={**env, "DIGESTCONV_ARXIV_API": server.url}
        )
    assert online.exit_code == 0, online.stderr
    assert "arXiv's full abstract was written for each paper enriched" in _abstract_line(
        online.stderr
    )
