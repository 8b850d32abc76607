"""Streamed reports make no garbage that only the cycle collector frees.

``validate`` writes each file's part of the report between files, while the
collector is kept off the parsed models (``digestconv._gccontrol``): garbage
cycles made then reach the oldest generation and wait for a full collection.
``json.dumps`` with an indent builds its encoder from closures that refer to one
another, a cycle per call, which once held 380 MB over the history-shaped corpus.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from digestconv.api import validate
from digestconv.report import StreamWriter

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["text", "json", "github"])
def test_writing_a_file_s_report_leaves_no_garbage_cycle(name: str) -> None:
    report = validate([ROOT / "tests" / "fixtures" / "corpus"], jobs=1)
    assert len(report.diagnostics) > 100
    out: list[str] = []
    writer = StreamWriter(name, out.append)
    was = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        for d in report.diagnostics:
            writer.file([d])
        assert gc.collect() == 0
    finally:
        if was:
            gc.enable()
    writer.finish(report.files, report.papers)
    assert "".join(out)
