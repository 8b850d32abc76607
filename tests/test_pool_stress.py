"""The worker pool under stress: every run ends, with the documented exit code.

Each scenario of ``benchmarks/pool_stress.py`` runs a few times here (more with
``DIGESTCONV_STRESS_RUNS``), each run a real ``digestconv`` process with the pool
forced on, under a generous hang timeout: capped output (exit 2), a reader that
goes away (a quiet 0), Ctrl-C (130), SIGTERM (143), a killed parent (its workers
leave too) and a killed worker (the report of an undisturbed run).  No run may
hang, print a traceback, leave a worker process or a temporary file behind.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location(
    "pool_stress", ROOT / "benchmarks" / "pool_stress.py"
)
assert _spec is not None and _spec.loader is not None
stress_module = importlib.util.module_from_spec(_spec)
sys.modules["pool_stress"] = stress_module
_spec.loader.exec_module(stress_module)

RUNS = int(os.environ.get("DIGESTCONV_STRESS_RUNS", "4"))
#: seconds a run may take before it counts as a hang (a run takes about 2 s)
HANG = 120.0

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/task").exists(), reason="watches worker processes through /proc"
)


@pytest.mark.parametrize("scenario", sorted(stress_module.SCENARIOS))
def test_every_run_ends_with_its_documented_exit_code(scenario: str) -> None:
    outcomes = stress_module.stress(scenario, RUNS, HANG, seed=sum(map(ord, scenario)))
    assert len(outcomes) == RUNS
    assert [o.problems for o in outcomes] == [[]] * RUNS
    assert all(o.code is not None for o in outcomes)
