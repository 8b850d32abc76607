"""The per-file rules' CPU time, rule by rule.  Prints figures; asserts nothing.

Run from the repository root with the project installed::

    python benchmarks/rules.py DIR [DIR ...]     # every *.md under the folders
    python benchmarks/rules.py --runs 5 DIR      # best of 5 (default 3)

The files are read first (the reader is not timed); then each enabled file rule
runs over every digest and turns its findings into diagnostics, as a worker
does, with the garbage collector off.  Each figure is the best of ``--runs``
passes, in seconds of CPU time, with the number of findings; the facts a worker
sends to the fold (``paper_fact``) are timed the same way.  A history-shaped
corpus (``python benchmarks/history.py generate DIR``) gives figures shaped like
real use; the default settings apply to every file.
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from pathlib import Path


def _best(runs: int, work: Callable[[], int]) -> tuple[float, int]:
    best, count = float("inf"), 0
    for _ in range(runs):
        start = time.process_time()
        count = work()
        best = min(best, time.process_time() - start)
    return best, count


def main() -> None:
    """Time each file rule over the digests under the folders given."""
    from digestconv.reader import read
    from digestconv.rules.engine import Planner
    from digestconv.rules.facts import paper_fact
    from digestconv.settings import Settings

    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    files = sorted(p for folder in args.folders for p in folder.rglob("*.md"))
    if not files:
        parser.error("no *.md file under the folders given")
    digests = [read(p.read_bytes(), str(p)) for p in files]
    planner = Planner(Settings())
    plan = planner.plan(str(files[0]))
    settings = planner.settings_for(str(files[0]))
    megabytes = sum(p.stat().st_size for p in files) / 1e6
    papers = sum(len(d.papers) for d in digests)
    print(f"{len(files)} files, {megabytes:.0f} MB, {papers} papers; best of {args.runs}, CPU s")

    def run_rule(rule: object, severity: str) -> Callable[[], int]:
        def work() -> int:
            count = 0
            for digest in digests:
                for finding in rule.check(digest, settings):  # type: ignore[attr-defined]
                    rule.diagnostic(digest.path, finding, severity)  # type: ignore[attr-defined]
                    count += 1
            return count

        return work

    def facts() -> int:
        return sum(len([paper_fact(p) for p in d.papers]) for d in digests)

    rows = []
    gc.disable()
    try:
        for rule, severity in plan.file_rules:
            rows.append((rule.name, *_best(args.runs, run_rule(rule, severity))))
        rows.append(("(paper_fact)", *_best(args.runs, facts)))
    finally:
        gc.enable()
    total = sum(seconds for name, seconds, _ in rows if not name.startswith("("))
    for name, seconds, count in sorted(rows, key=lambda row: -row[1]):
        print(f"{name:28} {seconds:7.3f} {count:9d}")
    print(f"{'all file rules':28} {total:7.3f}")


if __name__ == "__main__":
    main()
