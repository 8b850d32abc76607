"""The mutation fuzz target: mutated real digests through every command, checked by real consumers.

In the normal suite it runs a bounded number of examples
(``DIGESTCONV_FUZZ_EXAMPLES``, default 40: about half a minute).  For a long run,
see ``python -m tests.fuzz.run --help`` or the README section "Fuzzing".

Inputs that once broke a guarantee are kept in ``tests/fuzz/crashers/`` and
replayed here; each also has a named test in ``tests/test_regressions.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings

from tests.fuzz import harness
from tests.fuzz.mutations import mutants, sources

EXAMPLES = int(os.environ.get("DIGESTCONV_FUZZ_EXAMPLES", "40"))


@settings(max_examples=EXAMPLES, deadline=None)
@given(mutants())
def test_mutated_digests_keep_every_guarantee(mutant: tuple[str, bytes]) -> None:
    _, data = mutant
    try:
        harness.check(data)
    except harness.Finding as finding:
        pinned = harness.known(finding, data)
        if pinned is None:
            raise
        harness.COUNTS.known[pinned.test] += 1  # pinned by its xfail regression test


@pytest.mark.parametrize("path", list(harness.iter_crashers()), ids=lambda p: p.stem)
def test_saved_crashers(path: Path) -> None:
    data = path.read_bytes()
    try:
        harness.check(data)
    except harness.Finding as finding:
        # a finding whose fix has not landed must be exactly the one its xfail test pins
        if harness.known(finding, data) is None:
            raise


def _command() -> list[str]:
    script = shutil.which("digestconv", path=os.path.dirname(sys.executable))
    return [script] if script else [sys.executable, "-c", "from digestconv.cli import main; main()"]


#: a few fixed mutants of real files, run through the installed script
_END_TO_END = {
    "crlf-bidi": lambda d: (
        b"\xef\xbb\xbf" + d.replace(b"\n", b"\r\n").replace(b"](", b"\xe2\x80\xae](")
    ),
    "truncated": lambda d: d[: len(d) // 2],
    "nul-and-pipes": lambda d: d.replace(b" | ", b" \x00| |", 2),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(_END_TO_END))
def test_mutants_end_to_end(name: str, tmp_path: Path) -> None:
    """The real script (its own process, real stdout) on three fixed mutants of seed 001."""
    seed = dict(sources())["001_47dd8e642f9add4b.txt"]
    path = tmp_path / "x.md"
    path.write_bytes(_END_TO_END[name](seed))
    env = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "FORCE_COLOR")}
    env["NO_COLOR"] = "1"

    def run(*args: str) -> subprocess.CompletedProcess[bytes]:
        proc = subprocess.run(
            [*_command(), *args, str(path)],
            capture_output=True,
            env=env,
            stdin=subprocess.DEVNULL,
            timeout=300,
            check=False,
        )
        assert proc.returncode in (0, 1), proc.stderr[-500:]
        assert b"Traceback" not in proc.stderr and b"internal error" not in proc.stderr
        return proc

    harness.check_report("sarif", run("validate", "-f", "sarif").stdout)
    papers = len(json.loads(run("to", "csl-json").stdout))
    harness.check_converted("atom", run("to", "atom").stdout, papers)
    run("fmt", "--check")
