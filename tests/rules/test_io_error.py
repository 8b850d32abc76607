"""DC000 io-error: a path that cannot be read is reported, always as an error, and exits 2."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from digestconv.api import validate
from digestconv.settings import Settings

from .conftest import SEED_000, assert_registered, seed_bytes

NAME = "io-error"


def test_registered() -> None:
    assert_registered(NAME, "DC000", "error")


def test_missing_path(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_bytes(seed_bytes(SEED_000))
    report = validate([tmp_path / "nowhere.md", tmp_path / "a.md"])
    [diag] = [d for d in report.diagnostics if d.rule == NAME]
    assert (diag.path, diag.code, diag.severity) == (str(tmp_path / "nowhere.md"), "DC000", "error")
    assert "no such file" in diag.message
    assert report.files == 1 and report.exit_code() == 2


def test_cannot_be_ignored_or_downgraded(tmp_path: Path) -> None:
    settings = Settings(ignore=(NAME, "DC0"), severity={NAME: "warning"})
    report = validate([tmp_path / "nowhere.md"], settings)
    assert [(d.rule, d.severity) for d in report.diagnostics] == [(NAME, "error")]
    assert report.exit_code() == 2


def test_not_suppressible(tmp_path: Path) -> None:
    comment = b"<!-- digestconv: ignore-file -->\n"
    (tmp_path / "a.md").write_bytes(comment + seed_bytes(SEED_000))
    report = validate([tmp_path / "a.md", tmp_path / "gone.md"])
    assert [d.rule for d in report.diagnostics] == [NAME]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_named_fifo_is_an_io_error_not_a_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    report = validate([fifo])
    [diag] = report.diagnostics
    assert diag.rule == NAME and "FIFO" in diag.message
