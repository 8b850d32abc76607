"""The metadata options README lists as shared work on `enrich`, `to --enrich` and
`validate --enrich` alike."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.enrich.conftest import ReplayServer

from .conftest import ROOT, SEED_000, SEEDS, Invoke

README = (ROOT / "README.md").read_text("utf-8")


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with ReplayServer() as replay:
        yield replay


@pytest.fixture
def env(tmp_path: Path, server: ReplayServer) -> dict[str, str | None]:
    return {
        "DIGESTCONV_ARXIV_API": server.url,
        "DIGESTCONV_CACHE_DIR": str(tmp_path / "cache"),
        "DIGESTCONV_OFFLINE": None,
        "DIGESTCONV_CONTACT": None,
    }


def _shared_options() -> list[str]:
    sentence = README.split("Options shared by `enrich`, `to --enrich` and `validate --enrich`:")[1]
    sentence = sentence.split(". The same")[0]
    return re.findall(r"`(--[a-z-]+)", sentence)


def test_readme_lists_options_every_command_has(run: Invoke) -> None:
    options = _shared_options()
    assert "--contact" in options and "--budget" in options
    for command in ("enrich", "to", "validate"):
        text = run(command, "--help", env={"COLUMNS": "200"}).stdout
        for option in options:
            assert re.search(rf"(^|\s){option}(\s|,|$)", text, re.M), (command, option)


@pytest.mark.parametrize(
    "command", [("enrich",), ("to", "bibtex", "--enrich"), ("validate", "--enrich")]
)
def test_contact_reaches_the_user_agent(
    run: Invoke, env: dict[str, str | None], server: ReplayServer, command: tuple[str, ...]
) -> None:
    result = run(*command, "--contact", "me@example.org", "--budget", "2m", SEED_000, env=env)
    assert "No such option" not in result.stderr
    assert result.exit_code in (0, 1), result.stderr
    (request,) = server.log
    assert "mailto:me@example.org" in request.user_agent


@pytest.mark.parametrize("command", [("to", "bibtex", "--enrich"), ("validate", "--enrich")])
def test_a_bad_budget_is_a_usage_error(
    run: Invoke, env: dict[str, str | None], command: tuple[str, ...]
) -> None:
    result = run(*command, "--budget", "soon", SEEDS, env=env)
    assert result.exit_code == 2
    assert "--budget: 'soon' is not a duration" in result.stderr


@pytest.mark.parametrize("option", [("--contact", "me@example.org"), ("--budget", "10s")])
@pytest.mark.parametrize("command", [("to", "bibtex"), ("validate",)])
def test_metadata_options_need_enrich(
    run: Invoke, command: tuple[str, ...], option: tuple[str, str]
) -> None:
    result = run(*command, *option, SEED_000)
    assert result.exit_code == 2
    assert f"{option[0]} only applies with --enrich" in result.stderr
