"""Run the mutation fuzzer for a while and report its counts: ``python -m tests.fuzz.run``.

Each round runs the fuzz property with a new seed and ``--batch`` examples;
rounds continue until ``--minutes`` have passed (wall-clock time bounds the
run, never a test's outcome).  A finding is shrunk by Hypothesis, saved as
``tests/fuzz/crashers/found-<hash>.md`` (or the folder given), printed, and the
run goes on; the exit status is 1 when anything was found.

    python -m tests.fuzz.run --minutes 60            # an hour
    python -m tests.fuzz.run --minutes 5 --seed 7    # reproducible start
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings

from tests.fuzz import harness
from tests.fuzz.mutations import mutants


def main(argv: list[str] | None = None) -> int:
    """Fuzz until the time is up; print the counts and every finding."""
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz.run", description=__doc__)
    parser.add_argument("--minutes", type=float, default=60.0, help="how long (default 60)")
    parser.add_argument("--batch", type=int, default=200, help="examples per round")
    parser.add_argument("--seed", type=int, default=int(time.time()), help="first round's seed")
    parser.add_argument(
        "--strict", action="store_true", help="report known findings (xfail-pinned) too"
    )
    parser.add_argument(
        "--shrink", action="store_true", help="shrink findings (slow: minutes each)"
    )
    parser.add_argument(
        "--save", type=Path, default=Path(__file__).parent / "crashers", help="where findings go"
    )
    args = parser.parse_args(argv)
    deadline = time.monotonic() + args.minutes * 60
    findings: Counter[str] = Counter()
    last: list[bytes] = []

    def prop(mutant: tuple[str, bytes]) -> None:
        _, data = mutant
        try:
            harness.check(data)
        except harness.Finding as finding:
            pinned = None if args.strict else harness.known(finding, data)
            if pinned is not None:
                harness.COUNTS.known[pinned.test] += 1
                return
            last[:] = [data]
            raise

    rounds = 0
    while time.monotonic() < deadline:
        test = seed(args.seed + rounds)(
            settings(
                max_examples=args.batch,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
                phases=list(Phase) if args.shrink else [Phase.generate],
            )(given(mutants())(prop))
        )
        rounds += 1
        try:
            test()
        except Exception as exc:
            message = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            findings[message.splitlines()[0][:200]] += 1
            if last:
                digest = hashlib.sha256(last[0]).hexdigest()[:12]
                args.save.mkdir(parents=True, exist_ok=True)
                (args.save / f"found-{digest}.md").write_bytes(last[0])
                message += f"\n  saved as {args.save / f'found-{digest}.md'}"
            print(f"round {rounds} (seed {args.seed + rounds - 1}): {message}", flush=True)
        print(f"round {rounds}: {harness.COUNTS.summary()}", flush=True)
    print(f"done: {rounds} rounds, {harness.COUNTS.summary()}")
    print(f"findings: {sum(findings.values())} in {len(findings)} kinds")
    for message, count in findings.most_common():
        print(f"  {count} x {message}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
