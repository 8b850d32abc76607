"""Benchmarks: throughput, start-up and growth on hostile input.  Prints figures; asserts nothing.

Run from the repository root with the project installed::

    python benchmarks/bench.py            # everything
    python benchmarks/bench.py validate   # one section: validate, startup, linear, convert

Sections:

* ``validate``: files/s, MB/s and papers/s of reading + all rules (JSON Schema
  included) over the real corpus repeated to at least 50 MB, on one core.
* ``startup``: median wall time of ``digestconv validate`` on one seed file,
  next to bare ``python -c pass``.
* ``linear``: a 100,000-row table and one 10 MB line against inputs 10x
  smaller; linear code takes about 10x longer.
* ``convert``: ``to bibtex`` and ``to atom`` over the corpus (library calls).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted((ROOT / "tests" / "fixtures" / "corpus").glob("[0-9][0-9][0-9].md"))
SEED = ROOT / "seeds" / "000_20f5c0d8057fc2ad.txt"


def best_of(fn: Callable[[], object], runs: int = 3) -> float:
    """Best wall time of ``runs`` calls, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_validate(target_mb: float = 50.0) -> None:
    from digestconv import arxiv
    from digestconv.api import check
    from digestconv.reader import read
    from digestconv.settings import Settings

    files = [(p.name, p.read_bytes()) for p in CORPUS]
    one_pass = sum(len(b) for _, b in files)
    repeat = int(target_mb * 1_000_000 // one_pass) + 1
    batch = files * repeat
    size = one_pass * repeat
    settings = Settings(cross_file=False)
    papers = 0

    def run() -> None:
        nonlocal papers
        papers = 0
        for name, data in batch:
            # the corpus repeats: forget identifiers seen in earlier copies of a file
            arxiv.check_id.cache_clear()
            arxiv.parse_url.cache_clear()
            digest = read(data, name)
            papers += len(digest.papers)
            check([digest], settings)

    seconds = best_of(run, 2)
    print(f"validate: {len(batch)} files, {size / 1e6:.1f} MB, {papers} papers in {seconds:.2f} s")
    print(
        f"  {len(batch) / seconds:,.0f} files/s  {size / 1e6 / seconds:.1f} MB/s  "
        f"{papers / seconds:,.0f} papers/s  (reader + every rule + JSON Schema, one core)"
    )

    def read_all() -> None:
        for name, data in batch:
            arxiv.check_id.cache_clear()
            arxiv.parse_url.cache_clear()
            read(data, name)

    read_only = best_of(read_all, 2)
    print(f"  reader alone: {size / 1e6 / read_only:.1f} MB/s")


def _median_run(argv: list[str], runs: int = 15) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_startup() -> None:
    exe = Path(sys.executable).with_name("digestconv")
    bare = _median_run([sys.executable, "-c", "pass"])
    full = _median_run([str(exe), "validate", str(SEED)])
    imports = _median_run([sys.executable, "-c", "import digestconv.cli"])
    print(f"startup (median of 15): python -c pass {bare * 1000:.0f} ms")
    print(f"  import digestconv.cli {imports * 1000:.0f} ms")
    print(
        f"  digestconv validate {SEED.name} {full * 1000:.0f} ms ({full / bare:.1f}x bare python)"
    )


def _table(rows: int) -> str:
    head = "# 摘要\n\n| Ref | Title | Summary |\n| --- | --- | --- |\n"
    body = "".join(
        f"| [^{i}] | [Title {i}](https://arxiv.org/abs/2403.{i % 100000:05d}) | 总结 |\n"
        for i in range(1, rows + 1)
    )
    return head + body + "\n# 详细\n\n"


def bench_linear() -> None:
    from digestconv.api import check
    from digestconv.reader import read
    from digestconv.settings import Settings

    def timed(text: str) -> float:
        return best_of(lambda: check([read(text, "x.md")], Settings()), 2)

    cases = {
        "table rows": (_table(10_000), _table(100_000)),
        "one long line": ("x" * 1_000_000, "x" * 10_000_000),
        "long table cell": (
            "# 摘要\n\n| [^1] | [" + "](" * 500_000 + " |\n",
            "# 摘要\n\n| [^1] | [" + "](" * 5_000_000 + " |\n",
        ),
        "long indented line": (
            "# 详细\n\n[^1]: t\n\n    " + "[a](" * 250_000,
            "# 详细\n\n[^1]: t\n\n    " + "[a](" * 2_500_000,
        ),
    }
    print("linear growth (10x input should take about 10x time):")
    for name, (small, large) in cases.items():
        t_small, t_large = timed(small), timed(large)
        print(
            f"  {name:<18} {len(small) / 1e6:6.1f} MB {t_small:7.3f} s   "
            f"{len(large) / 1e6:6.1f} MB {t_large:7.3f} s   ratio {t_large / t_small:5.1f}"
        )


def bench_convert() -> None:
    import digestconv

    paths = [str(p) for p in CORPUS]
    size = sum(p.stat().st_size for p in CORPUS)
    for fmt in ("bibtex", "csl-json", "rss", "atom", "opml", "markdown"):
        result: list[object] = []

        def run(fmt: str = fmt, result: list[object] = result) -> None:
            result.append(digestconv.convert(paths, fmt))

        try:
            seconds = best_of(run, 3)
        except ValueError as exc:
            print(f"to {fmt}: unavailable ({exc})")
            continue
        conv = result[-1]
        papers = len(conv.papers)  # type: ignore[attr-defined]
        print(
            f"to {fmt:<9} {len(CORPUS)} files, {papers} papers, {size / 1e6:.1f} MB in "
            f"{seconds:.2f} s: {size / 1e6 / seconds:.1f} MB/s, {papers / seconds:,.0f} papers/s"
        )


SECTIONS = {
    "validate": bench_validate,
    "startup": bench_startup,
    "linear": bench_linear,
    "convert": bench_convert,
}

if __name__ == "__main__":
    for section in sys.argv[1:] or list(SECTIONS):
        SECTIONS[section]()
