"""Helpers for the command-line tests: run ``digestconv`` in-process or as a subprocess.

In-process runs use :class:`typer.testing.CliRunner` on :data:`digestconv.cli.app`
(stdout and stderr kept apart); end-to-end runs start the installed
``digestconv`` script, or ``python -m digestconv.cli``-equivalent when the
script is not on ``PATH``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from digestconv.cli import app

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"
CORPUS = ROOT / "tests" / "fixtures" / "corpus"
SCHEMA = ROOT / "schemas" / "digest.schema.json"

#: new-feed digest with two papers
SEED_000 = SEEDS / "000_20f5c0d8057fc2ad.txt"
#: 25 papers, mixed link and title styles
SEED_001 = SEEDS / "001_47dd8e642f9add4b.txt"
#: shares arXiv:2402.04177 with seed 000
SEED_003 = SEEDS / "003_025763420b998cbe.txt"
#: an abstract page with scraped page chrome: not a digest
SEED_004 = SEEDS / "004_6a7442de060cbd81.txt"

#: variables that change what the command prints; cleared for every run
_NOISY_ENV = ("DIGESTCONV_OUTPUT_FORMAT", "SOURCE_DATE_EPOCH", "FORCE_COLOR", "NO_COLOR")


@dataclass(frozen=True)
class Run:
    """The outcome of one ``digestconv`` run."""

    exit_code: int
    stdout: str
    stderr: str
    stdout_bytes: bytes

    @property
    def output(self) -> str:
        """Both streams, stdout first."""
        return self.stdout + self.stderr


Invoke = Callable[..., Run]


def _clean_env(extra: Mapping[str, str | None] | None) -> dict[str, str | None]:
    env: dict[str, str | None] = dict.fromkeys(_NOISY_ENV)
    env.update(extra or {})
    return env


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """Run the typer app in-process: ``cli("validate", path, input=..., env=...)``."""

    def invoke(
        *args: str | os.PathLike[str],
        input: bytes | str | None = None,
        env: Mapping[str, str | None] | None = None,
    ) -> Run:
        runner = CliRunner()
        result = runner.invoke(app, [os.fspath(a) for a in args], input=input, env=_clean_env(env))
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Run(result.exit_code, result.stdout, result.stderr, result.stdout_bytes)

    return invoke


def _command() -> list[str]:
    script = shutil.which("digestconv", path=os.path.dirname(sys.executable))
    if script is None:
        script = shutil.which("digestconv")
    if script is not None:
        return [script]
    return [sys.executable, "-c", "from digestconv.cli import main; main()"]


@pytest.fixture
def run() -> Invoke:
    """Run the installed ``digestconv`` script: ``run("validate", path, cwd=...)``."""

    def invoke(
        *args: str | os.PathLike[str],
        input: bytes | str | None = None,
        env: Mapping[str, str | None] | None = None,
        cwd: str | os.PathLike[str] | None = None,
    ) -> Run:
        full_env = dict(os.environ)
        for key, value in _clean_env(env).items():
            if value is None:
                full_env.pop(key, None)
            else:
                full_env[key] = value
        data = input.encode("utf-8") if isinstance(input, str) else input
        proc = subprocess.run(
            [*_command(), *(os.fspath(a) for a in args)],
            input=data if data is not None else b"",
            capture_output=True,
            env=full_env,
            cwd=cwd,
            timeout=300,
            check=False,
        )
        return Run(
            proc.returncode,
            proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"),
            proc.stdout,
        )

    return invoke


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in an empty git-rooted folder, so no project configuration is picked up."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def copy_seed(source: Path, folder: Path, name: str | None = None) -> Path:
    """Copy a seed into ``folder`` (as ``name``) and return the copy's path."""
    target = folder / (name or source.name)
    target.write_bytes(source.read_bytes())
    return target


def diagnostic_lines(text: str) -> list[str]:
    """The ``path:line:col: CODE rule message`` lines of a text report."""
    return [line for line in text.splitlines() if ": DC" in line]


def assert_no_traceback(*texts: str) -> None:
    """No Python traceback leaked into the output."""
    for text in texts:
        assert "Traceback" not in text


def files_in(folder: Path) -> Sequence[str]:
    """Every name in ``folder`` (hidden temporary files included), sorted."""
    return sorted(p.name for p in folder.iterdir())
