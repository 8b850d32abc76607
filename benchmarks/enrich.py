#!/usr/bin/env python3
"""Benchmark arXiv metadata enrichment; prints figures (not a test).

* snapshot indexing in MB/s, and lookups per second, on a synthetic snapshot
  in the real layout (``--records`` lines, 200,000 by default) written to a
  temporary folder; the same for a gzip copy of a smaller one;
* cache lookups per second (SQLite, batches of 100);
* ``digestconv to bibtex --enrich --offline`` with a warm cache against plain
  ``digestconv to bibtex`` on the same digests (the corpus and the seeds),
  median wall time of several runs of the installed command.

Usage: ``python benchmarks/enrich.py [--records N] [--runs N]``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digestconv.enrich.cache import Cache  # noqa: E402
from digestconv.enrich.record import ArxivRecord, Author  # noqa: E402
from digestconv.enrich.snapshot import Snapshot  # noqa: E402

WORDS = [
    *[
        "model",
        "learning",
        "neural",
        "data",
        "network",
        "graph",
        "quantum",
        "field",
        "theory",
        "spectral",
    ],
    *["method", "analysis", "optimal", "stochastic", "gradient", "inference", "bayesian", "causal"],
]


def snapshot_line(n: int, rng: random.Random) -> str:
    """One line in the layout of arxiv-metadata-oai-snapshot.json (about 1.5 KB)."""
    months = 3 + n // 10_000  # from April 2007, 10,000 papers a month (4-digit numbers)
    ident = f"{7 + months // 12:02d}{1 + months % 12:02d}.{n % 10_000:04d}"
    authors = [
        (rng.choice(WORDS).title(), f"{rng.choice('ABCDEFGH')}. {rng.choice('JKLMN')}.")
        for _ in range(rng.randint(1, 8))
    ]
    abstract = " ".join(rng.choice(WORDS) for _ in range(rng.randint(120, 180)))
    record = {
        "id": ident,
        "submitter": f"{authors[0][1]} {authors[0][0]}",
        "authors": ", ".join(f"{g} {f}" for f, g in authors),
        "title": " ".join(rng.choice(WORDS) for _ in range(10)).title(),
        "comments": f"{rng.randint(5, 40)} pages, {rng.randint(1, 12)} figures",
        "journal-ref": None,
        "doi": None,
        "report-no": None,
        "categories": "cs.LG stat.ML",
        "license": "http://arxiv.org/licenses/nonexclusive-distrib/1.0/",
        "abstract": "  " + abstract[:80] + "\n" + abstract[80:] + "\n",
        "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}],
        "update_date": "2008-11-13",
        "authors_parsed": [[f, g, ""] for f, g in authors],
    }
    return json.dumps(record)


def write_snapshot(path: Path, count: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    ids = []
    with path.open("w", encoding="utf-8") as handle:
        for n in range(count):
            line = snapshot_line(n, rng)
            ids.append(json.loads(line)["id"])
            handle.write(line + "\n")
    return ids


def bench_snapshot(folder: Path, count: int) -> None:
    path = folder / "arxiv-metadata-oai-snapshot.json"
    ids = write_snapshot(path, count)
    size = path.stat().st_size
    start = time.perf_counter()
    snap = Snapshot(path)
    snap.open()
    took = time.perf_counter() - start
    print(f"snapshot: {count:,} records, {size / 1e6:.0f} MB")
    print(
        f"  index build: {took:.2f} s = {size / 1e6 / took:.0f} MB/s, {count / took:,.0f} records/s"
    )
    rng = random.Random(2)
    wanted = [rng.choice(ids) for _ in range(5_000)]
    start = time.perf_counter()
    found = 0
    for i in range(0, len(wanted), 100):
        found += len(snap.lookup(wanted[i : i + 100]))
    took = time.perf_counter() - start
    print(
        f"  lookups (batches of 100, parsed into records): {len(wanted) / took:,.0f}/s "
        f"({found} found)"
    )
    snap.close()
    start = time.perf_counter()
    again = Snapshot(path)
    again.open()
    print(f"  reopening the existing index: {(time.perf_counter() - start) * 1000:.1f} ms")
    again.close()
    # gzip, on a tenth of the records
    small = folder / "small.json"
    small_ids = write_snapshot(small, count // 10, seed=3)
    gz = folder / "small.json.gz"
    with small.open("rb") as src, gzip.open(gz, "wb", compresslevel=6) as dst:
        shutil.copyfileobj(src, dst)
    raw = small.stat().st_size
    start = time.perf_counter()
    zsnap = Snapshot(gz)
    zsnap.open()
    took = time.perf_counter() - start
    print(
        f"gzip snapshot: {count // 10:,} records, {raw / 1e6:.0f} MB uncompressed, "
        f"{gz.stat().st_size / 1e6:.0f} MB gzip"
    )
    print(f"  index build: {took:.2f} s = {raw / 1e6 / took:.0f} MB/s (uncompressed)")
    rng = random.Random(4)
    batch = [rng.choice(small_ids) for _ in range(100)]
    start = time.perf_counter()
    zsnap.lookup(batch)
    took = time.perf_counter() - start
    print(f"  one batch of 100 random lookups: {took:.2f} s (decompresses up to the last one)")
    zsnap.close()


def record(ident: str) -> ArxivRecord:
    return ArxivRecord(
        ident,
        1,
        "A Title",
        "An abstract. " * 80,
        tuple(Author(family=f"Family{i}", given="Given") for i in range(5)),
        "2024-03-01T00:00:00Z",
        "2024-03-01T00:00:00Z",
        ("cs.LG",),
        source="api",
        fetched_at="2026-11-29T00:00:00Z",
    )


def bench_cache(folder: Path) -> None:
    ids = [f"24{m:02d}.{n:05d}" for m in range(1, 13) for n in range(5_000)]
    with Cache(folder / "cache") as cache:
        start = time.perf_counter()
        for i in range(0, len(ids), 100):
            cache.put({k: record(k) for k in ids[i : i + 100]}, (), time.time())
        took = time.perf_counter() - start
        print(f"cache: {len(ids):,} records written in batches of 100: {len(ids) / took:,.0f}/s")
        rng = random.Random(5)
        wanted = [rng.choice(ids) for _ in range(20_000)]
        start = time.perf_counter()
        for i in range(0, len(wanted), 100):
            cache.get(wanted[i : i + 100], time.time())
        took = time.perf_counter() - start
        print(f"  lookups (batches of 100, parsed into records): {len(wanted) / took:,.0f}/s")


def _command() -> list[str]:
    script = shutil.which("digestconv", path=os.path.dirname(sys.executable)) or shutil.which(
        "digestconv"
    )
    return [script] if script else [sys.executable, "-m", "digestconv.cli"]


def _median(args: list[str], env: dict[str, str], runs: int) -> tuple[float, bytes]:
    times = []
    out = b""
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run([*_command(), *args], capture_output=True, env=env, check=False)
        times.append(time.perf_counter() - start)
        out = proc.stdout
    return statistics.median(times), out


def bench_convert(folder: Path, runs: int) -> None:
    import digestconv

    inputs = [str(ROOT / "tests" / "fixtures" / "corpus"), str(ROOT / "seeds")]
    ids = sorted({p.arxiv_id for d in digestconv.parse(inputs) for p in d.papers if p.arxiv_id})
    cache_dir = folder / "warm"
    with Cache(cache_dir) as cache:
        cache.put({i: record(i) for i in ids}, (), time.time())
    env = dict(os.environ, DIGESTCONV_CACHE_DIR=str(cache_dir), DIGESTCONV_OFFLINE="1")
    plain, plain_out = _median(["to", "bibtex", *inputs], env, runs)
    enriched, enriched_out = _median(["to", "bibtex", "--enrich", "--offline", *inputs], env, runs)
    print(f"to bibtex over the corpus and seeds ({len(ids)} distinct papers), median of {runs}:")
    print(f"  plain:                           {plain * 1000:.0f} ms")
    print(
        f"  --enrich --offline, warm cache:  {enriched * 1000:.0f} ms "
        f"(+{(enriched - plain) * 1000:.0f} ms)"
    )
    print(f"  outputs differ (authors added): {plain_out != enriched_out}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-convert", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dc-enrich-bench-") as tmp:
        folder = Path(tmp)
        bench_snapshot(folder, args.records)
        bench_cache(folder)
        if not args.skip_convert:
            bench_convert(folder, args.runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
