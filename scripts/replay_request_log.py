#!/usr/bin/env python3
"""Run digestconv against the loopback arXiv replay server and print the server's request log.

Starts the replay server of ``tests/enrich/conftest.py`` (recorded real API
responses plus the synthesized entries of the seeds), then runs, with a fresh
cache:

1. ``digestconv to bibtex --enrich`` on the three digest seeds;
2. the same with ``--offline`` (no request expected, same bytes);
3. ``digestconv enrich --refresh`` on the seeds and the test corpus (several
   batches of 100; the corpus papers are unknown to the server, so it answers
   empty feeds and the client asks once more, as it does against arXiv).

For every request the log gives the time (seconds after the first request and
since the end of the previous one), the path and query, and the User-Agent.
Run from the repository root: ``python scripts/replay_request_log.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.enrich.conftest import ReplayServer  # noqa: E402

SEEDS = [
    "seeds/000_20f5c0d8057fc2ad.txt",
    "seeds/001_47dd8e642f9add4b.txt",
    "seeds/003_025763420b998cbe.txt",
]


def main() -> int:
    with ReplayServer() as server, tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, DIGESTCONV_ARXIV_API=server.url, DIGESTCONV_CACHE_DIR=cache)
        env.pop("DIGESTCONV_OFFLINE", None)
        ends: list[float] = []
        original = server.httpd.RequestHandlerClass.finish

        def finish(handler: object) -> None:
            original(handler)  # type: ignore[arg-type]
            ends.append(time.time())

        server.httpd.RequestHandlerClass.finish = finish  # type: ignore[method-assign]
        runs = [
            ["to", "bibtex", "--enrich", *SEEDS],
            ["to", "bibtex", "--enrich", "--offline", *SEEDS],
            [
                "enrich",
                "--refresh",
                "--contact",
                "digests@example.org",
                "seeds/",
                "tests/fixtures/corpus",
            ],
        ]
        outputs = []
        for args in runs:
            start = len(server.log)
            proc = subprocess.run(["digestconv", *args], env=env, capture_output=True, cwd=ROOT)
            outputs.append(proc.stdout)
            summary = [
                x
                for x in proc.stderr.decode().splitlines() + proc.stdout.decode().splitlines()
                if "DC502" in x or "papers:" in x
            ][-1:]
            print(
                f"$ digestconv {' '.join(args)}  -> exit {proc.returncode}, "
                f"{len(server.log) - start} request(s) {summary}"
            )
        print(
            "to --enrich and to --enrich --offline give identical bytes: "
            f"{outputs[0] == outputs[1]}"
        )
        print()
        first = server.log[0].time
        previous_end: float | None = None
        print(
            "  t (s) | gap since previous end (s) | ids | path and query (shortened) | User-Agent"
        )
        for n, entry in enumerate(server.log):
            gap = "" if previous_end is None else f"{entry.time - previous_end:6.2f}"
            path = (
                entry.path if len(entry.path) < 90 else entry.path[:60] + "..." + entry.path[-28:]
            )
            print(
                f"{entry.time - first:7.2f} | {gap:>6} | {len(entry.ids):3d} | {path} | "
                f"{entry.user_agent}"
            )
            previous_end = ends[n] if n < len(ends) else entry.time
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
