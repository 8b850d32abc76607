"""Stress the worker pool where it used to hang: capped output, a reader that goes away,
Ctrl-C, SIGTERM, a killed parent and a killed worker, many times over.

    python benchmarks/pool_stress.py --runs 500            # every scenario, 500 runs each
    python benchmarks/pool_stress.py --runs 50 head capped # chosen scenarios

Each run is a real ``digestconv`` process over the corpus with ``--jobs 2`` and the
pool forced on.  A run that does not end within ``--hang`` seconds counts as a hang
(and is killed); a run that ends with another exit code than the documented one, with
a traceback, or that leaves a worker process or a temporary file behind, is a failure.
Prints one line per scenario: runs, hangs, failures, the exit codes seen, and the
median and slowest wall time.  The test suite runs the same scenarios a few times
(``tests/test_pool_stress.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import descendants

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "corpus"


def command() -> list[str]:
    """The installed ``digestconv`` next to this Python, else the module."""
    script = shutil.which("digestconv", path=os.path.dirname(sys.executable))
    return [script] if script else [sys.executable, "-m", "digestconv.cli"]


def environment() -> dict[str, str]:
    env = dict(os.environ)
    for key in ("SOURCE_DATE_EPOCH", "DIGESTCONV_OUTPUT_FORMAT", "FORCE_COLOR", "NO_COLOR"):
        env.pop(key, None)
    env["DIGESTCONV_POOL_MIN_BYTES"] = "0"  # always through the worker processes
    return env


@dataclass
class Outcome:
    """How one run ended."""

    code: int | None  # None: it hung and was killed
    seconds: float
    problems: list[str] = field(default_factory=list)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _wait_for_workers(proc: subprocess.Popen[bytes], deadline: float) -> list[int]:
    while proc.poll() is None and time.monotonic() < deadline:
        kids = descendants(proc.pid)
        if len(kids) >= 2:
            return kids
        time.sleep(0.005)
    return descendants(proc.pid)


def _finish(
    proc: subprocess.Popen[bytes], started: float, hang: float, workers: list[int]
) -> Outcome:
    try:
        _, stderr = proc.communicate(timeout=hang)
    except subprocess.TimeoutExpired:
        with_kids = [proc.pid, *descendants(proc.pid)]
        for pid in with_kids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        proc.communicate()
        return Outcome(None, time.monotonic() - started, ["hang"])
    outcome = Outcome(proc.returncode, time.monotonic() - started)
    if b"Traceback" in stderr or b"Exception ignored" in stderr:
        outcome.problems.append("traceback: " + stderr.decode("utf-8", "replace")[-300:])
    if b"internal error" in stderr:
        outcome.problems.append("internal error: " + stderr.decode("utf-8", "replace")[-300:])
    # the workers must be gone soon after the parent (they die with it)
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.01)
    left = [p for p in workers if _alive(p)]
    if left:
        outcome.problems.append(f"workers left behind: {left}")
        for pid in left:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
    return outcome


def _limit_file_size(limit: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    return apply


def capped(work: Path, hang: float, rng: random.Random) -> Outcome:
    """``validate -f github`` into a file capped at 8,000 bytes: exit 2, a clear message."""
    fmt = rng.choice(["github", "text", "json", "sarif", "junit"])
    started = time.monotonic()
    with (work / "report").open("wb") as out:
        proc = subprocess.Popen(
            [*command(), "validate", "-f", fmt, "--jobs", "2", str(CORPUS)],
            stdout=out,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=environment(),
            preexec_fn=_limit_file_size(rng.choice([100, 8_000, 30_000])),
        )
        workers = _wait_for_workers(proc, started + hang)
        outcome = _finish(proc, started, hang, workers)
    if outcome.code not in (None, 2):
        outcome.problems.append(f"{fmt}: exit {outcome.code}, expected 2")
    return outcome


def head(work: Path, hang: float, rng: random.Random) -> Outcome:
    """``to bibtex | head -c 100``: the reader goes away; a quiet exit 0."""
    started = time.monotonic()
    what = rng.choice([["to", "bibtex"], ["to", "atom"], ["parse"], ["validate"]])
    proc = subprocess.Popen(
        [*command(), *what, "--jobs", "2", str(CORPUS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=environment(),
    )
    assert proc.stdout is not None
    proc.stdout.read(rng.choice([1, 100, 5000]))
    proc.stdout.close()  # what head does once it has its bytes
    workers = descendants(proc.pid)
    stderr = proc.stderr
    proc.stdout = None
    outcome = _finish(proc, started, hang, workers)
    if stderr is not None:
        stderr.close()
    # validate's report may fit in the pipe before head leaves: then it ends as usual (1)
    allowed = {0, 1} if what == ["validate"] else {0}
    if outcome.code is not None and outcome.code not in allowed:
        outcome.problems.append(f"{' '.join(what)}: exit {outcome.code}, expected {allowed}")
    return outcome


def _interrupted(work: Path, hang: float, rng: random.Random, sig: int, code: int) -> Outcome:
    target = work / "out.bib"
    target.write_bytes(b"% keep me\n")
    started = time.monotonic()
    proc = subprocess.Popen(
        [*command(), "to", "bibtex", "--jobs", "2", str(CORPUS), str(CORPUS), "-o", str(target)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=environment(),
        start_new_session=True,
    )
    workers = _wait_for_workers(proc, started + hang)
    time.sleep(rng.uniform(0, 0.3))
    try:
        if sig == signal.SIGINT:
            os.killpg(proc.pid, sig)  # a terminal's Ctrl-C goes to the whole group
        else:
            os.kill(proc.pid, sig)
    except ProcessLookupError:
        pass
    outcome = _finish(proc, started, hang, workers)
    finished = target.read_bytes() != b"% keep me\n"
    # a run that finished before the signal keeps its own exit code (the signal is held
    # back once the run is over, never met by the default action while Python shuts down)
    if outcome.code is not None and not (outcome.code == code or (finished and outcome.code == 0)):
        outcome.problems.append(f"exit {outcome.code}, expected {code}")
    if finished and not target.read_bytes().startswith(b"@"):
        outcome.problems.append("the output is neither the old file nor a whole new one")
    if not finished and target.read_bytes() != b"% keep me\n":
        outcome.problems.append("the old output was changed")
    leftovers = [p.name for p in work.iterdir() if p.name.startswith(".out.bib")]
    if leftovers:
        outcome.problems.append(f"temporary files left: {leftovers}")
    return outcome


def ctrl_c(work: Path, hang: float, rng: random.Random) -> Outcome:
    """Ctrl-C during ``to bibtex -o``: exit 130, the old file kept, no temporary file."""
    return _interrupted(work, hang, rng, signal.SIGINT, 130)


def sigterm(work: Path, hang: float, rng: random.Random) -> Outcome:
    """SIGTERM to the parent: like Ctrl-C, exit 143."""
    return _interrupted(work, hang, rng, signal.SIGTERM, 143)


def parent_killed(work: Path, hang: float, rng: random.Random) -> Outcome:
    """SIGKILL to the parent: the workers leave with it."""
    started = time.monotonic()
    proc = subprocess.Popen(
        [*command(), "validate", "--jobs", "2", str(CORPUS), str(CORPUS)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=environment(),
    )
    workers = _wait_for_workers(proc, started + hang)
    time.sleep(rng.uniform(0, 0.2))
    proc.kill()
    outcome = _finish(proc, started, hang, workers)
    if outcome.code is not None and outcome.code not in (-signal.SIGKILL, 0, 1):
        outcome.problems.append(f"exit {outcome.code}")
    return outcome


_REFERENCE: dict[str, bytes] = {}


def _reference() -> bytes:
    """The report of an undisturbed run, once."""
    if "validate" not in _REFERENCE:
        _REFERENCE["validate"] = subprocess.run(
            [*command(), "validate", "--jobs", "1", str(CORPUS), str(CORPUS)],
            capture_output=True,
            env=environment(),
            timeout=300,
            check=False,
        ).stdout
    return _REFERENCE["validate"]


def worker_killed(work: Path, hang: float, rng: random.Random) -> Outcome:
    """SIGKILL to a worker mid-run: its chunk is done again, file by file, in processes of
    their own, so the report is the undisturbed one (a file that itself kills its
    process would be reported as an internal error instead)."""
    expected = _reference()
    started = time.monotonic()
    report = work / "report"
    with report.open("wb") as out:
        proc = subprocess.Popen(
            [*command(), "validate", "--jobs", "2", str(CORPUS), str(CORPUS)],
            stdout=out,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=environment(),
        )
        workers = _wait_for_workers(proc, started + hang)
        time.sleep(rng.uniform(0, 0.2))
        if workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(rng.choice(workers), signal.SIGKILL)
        outcome = _finish(proc, started, hang, [*workers, *descendants(proc.pid)])
    if outcome.code is not None and outcome.code != 0:
        outcome.problems.append(f"exit {outcome.code}, expected 0 (the undisturbed run's)")
    if outcome.code is not None and report.read_bytes() != expected:
        outcome.problems.append("the report differs from an undisturbed run's")
    return outcome


SCENARIOS: dict[str, Callable[[Path, float, random.Random], Outcome]] = {
    "capped": capped,
    "head": head,
    "ctrl-c": ctrl_c,
    "sigterm": sigterm,
    "parent-killed": parent_killed,
    "worker-killed": worker_killed,
}


def stress(name: str, runs: int, hang: float, seed: int) -> list[Outcome]:
    """``runs`` runs of scenario ``name``, each in a fresh temporary folder."""
    rng = random.Random(seed)
    out = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            out.append(SCENARIOS[name](Path(folder), hang, rng))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="*", choices=[*SCENARIOS, []], default=[])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--hang", type=float, default=120.0, help="seconds before a hang")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for name in args.scenarios or SCENARIOS:
        outcomes = stress(name, args.runs, args.hang, args.seed)
        hangs = sum(o.code is None for o in outcomes)
        failed = [o for o in outcomes if o.problems]
        codes = Counter(o.code for o in outcomes)
        times = sorted(o.seconds for o in outcomes)
        print(
            f"{name:14} runs={len(outcomes)} hangs={hangs} failures={len(failed)} "
            f"exit codes={dict(sorted(codes.items(), key=str))} "
            f"median={statistics.median(times):.2f}s slowest={times[-1]:.2f}s",
            flush=True,
        )
        for o in failed[:5]:
            print("   ", "; ".join(o.problems)[:400], flush=True)


if __name__ == "__main__":
    main()
