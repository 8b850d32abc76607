"""``-f``/``--diagnostics-format`` and ``DIGESTCONV_OUTPUT_FORMAT`` accept the same names."""

from __future__ import annotations

import json

import pytest

from .conftest import SEED_000, Invoke


@pytest.mark.parametrize("name", ["JSON", "json", "Json"])
def test_flag_and_environment_agree_on_case(run: Invoke, name: str) -> None:
    by_flag = run("validate", "-f", name, SEED_000)
    by_env = run("validate", SEED_000, env={"DIGESTCONV_OUTPUT_FORMAT": name})
    assert by_flag.exit_code == by_env.exit_code == 0, by_flag.stderr + by_env.stderr
    assert json.loads(by_flag.stdout) == json.loads(by_env.stdout)


def test_to_diagnostics_format_ignores_case(run: Invoke) -> None:
    result = run("to", "bibtex", "--diagnostics-format", "SARIF", SEED_000)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stderr)["version"] == "2.1.0"


def test_unknown_name_is_refused_the_same_way(run: Invoke) -> None:
    by_flag = run("validate", "-f", "jsn", SEED_000)
    by_env = run("validate", SEED_000, env={"DIGESTCONV_OUTPUT_FORMAT": "jsn"})
    assert by_flag.exit_code == by_env.exit_code == 2
    for result in (by_flag, by_env):
        assert "'jsn' is not one of 'text', 'json', 'github', 'sarif', 'junit'" in result.stderr
        assert result.stdout == ""
