"""Hostile shapes and reader speed.  Prints figures; asserts nothing.

Run from the repository root with the project installed::

    python benchmarks/hostile.py              # everything
    python benchmarks/hostile.py reader       # reader MB/s over the corpus only
    python benchmarks/hostile.py growth       # the complexity table only

``reader``: the reader alone (bytes -> Digest, no rules) over the real corpus
repeated to about 30 MB, one core, best of three runs (CPU time).  The ID and URL caches
are cleared per file so the repeated corpus gets no help from them.

``growth``: each hostile shape at size n and 10n, built from a real corpus
digest, timed for the reader alone and for reader + every file rule +
suppressions (``digestconv.check``), with the garbage collector enabled as in
normal use.  Linear code takes about 10x the time for 10x the input; the goal
is at most 11x.

Each figure is the best of five fresh processes, each timing one call after a
warm-up on a small digest (imports and caches loaded), as a real run reads a
file once.  Timing repeated calls in one process would flatter the small size:
its memory comes back warm from the previous call, while a 100 MB model always
needs fresh pages.
"""

from __future__ import annotations

import gc
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted((ROOT / "tests" / "fixtures" / "corpus").glob("[0-9][0-9][0-9].md"))
#: the real digest the shapes are cut from (old-feed titles, full detail blocks)
TEMPLATE = ROOT / "tests" / "fixtures" / "corpus" / "002.md"


def best_of(fn: Callable[[], object], runs: int = 3) -> float:
    """Best CPU time of ``runs`` calls, in seconds (the garbage collector stays on).

    CPU time of this single-threaded process, so other work on the machine
    does not inflate the figures; on an idle machine it equals wall time.
    """
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return min(times)


def bench_reader(target_mb: float = 30.0) -> None:
    from digestconv import arxiv
    from digestconv.reader import read

    files = [(p.name, p.read_bytes()) for p in CORPUS]
    one_pass = sum(len(b) for _, b in files)
    repeat = int(target_mb * 1_000_000 // one_pass) + 1
    batch = files * repeat
    size = one_pass * repeat
    papers = 0

    def read_all() -> None:
        nonlocal papers
        papers = 0
        for name, data in batch:
            arxiv.check_id.cache_clear()
            arxiv.parse_url.cache_clear()
            papers += len(read(data, name).papers)

    seconds = best_of(read_all, 3)
    print(
        f"reader alone: {len(batch)} files, {size / 1e6:.1f} MB, {papers} papers in "
        f"{seconds:.2f} s: {size / 1e6 / seconds:.1f} MB/s, {papers / seconds:,.0f} papers/s "
        "(one core)"
    )


# ---------------------------------------------------------------- hostile shapes


def _template() -> tuple[str, str, str]:
    """(table row, detail block, English abstract) of paper 1 of the template digest."""
    text = TEMPLATE.read_text("utf-8")
    row = next(ln for ln in text.split("\n") if ln.startswith("| [^1] |"))
    start = text.index("\n[^1]:") + 1
    end = text.index("\n[^2]:") + 1
    block = text[start:end]
    abstract = block.rstrip().rsplit("\n", 1)[1].strip()
    return row, block, abstract


HEAD = "# 摘要\n\n| Ref | Title | Summary |\n| --- | --- | --- |\n"
DETAILS = "\n# 详细\n\n"


def _renumber(text: str, ref: int) -> str:
    return text.replace("[^1]", f"[^{ref}]", 1)


def _short_block(block: str, abstract: str) -> str:
    # the real block with its abstracts cut to 200 characters: the shape, not the bulk
    lines = block.split("\n")
    out = []
    for line in lines:
        if len(line) > 300 and line.startswith("    "):
            line = line[:204]
        out.append(line)
    return "\n".join(out)


def papers(n: int) -> str:
    """A digest of ``n`` papers: n table rows and n detail blocks."""
    row, block, abstract = _template()
    short = _short_block(block, abstract)
    rows = "".join(_renumber(row, i) + "\n" for i in range(1, n + 1))
    blocks = "".join(_renumber(short, i) for i in range(1, n + 1))
    return HEAD + rows + DETAILS + blocks


def rows(n: int) -> str:
    """A table of ``n`` rows and no detail blocks."""
    row, _, _ = _template()
    return HEAD + "".join(_renumber(row, i) + "\n" for i in range(1, n + 1)) + DETAILS


def duplicate_blocks(n: int) -> str:
    """One row and ``n`` detail blocks all numbered ``[^1]``."""
    row, block, abstract = _template()
    return HEAD + row + "\n" + DETAILS + _short_block(block, abstract) * n


def long_line(mb: int) -> str:
    """A real digest whose first English abstract is ``mb`` MB long."""
    row, block, abstract = _template()
    words = (abstract + " ") * (mb * 1_000_000 // (len(abstract) + 1) + 1)
    huge = block.replace(abstract, words[: mb * 1_000_000])
    return HEAD + row + "\n" + DETAILS + huge


def suppressions(n: int) -> str:
    """A real one-paper digest with ``n`` suppression comments before its block."""
    row, block, _ = _template()
    comments = "<!-- digestconv: ignore[abstract-truncated] -->\n" * n
    return HEAD + row + "\n" + DETAILS + comments + block


def row_suppressions(n: int) -> str:
    """``n`` table rows, each ending in a suppression comment."""
    row, _, _ = _template()
    tail = " <!-- digestconv: ignore[ref-missing-detail] -->\n"
    return HEAD + "".join(_renumber(row, i) + tail for i in range(1, n + 1)) + DETAILS


SHAPES: list[tuple[str, Callable[[int], str], int]] = [
    ("detail blocks (papers)", papers, 5_000),
    ("table rows", rows, 10_000),
    ("duplicate [^1] blocks", duplicate_blocks, 5_000),
    ("one long line (MB)", long_line, 10),
    ("suppression lines", suppressions, 10_000),
    ("rows + suppressions", row_suppressions, 10_000),
]


def _one_run(name: str, n: int, full: bool) -> float:
    """CPU seconds of one read (``full``: read + check) of shape ``name`` at ``n``."""
    import digestconv
    from digestconv.reader import read
    from digestconv.settings import Settings

    build = {shape: fn for shape, fn, _ in SHAPES}[name]
    settings = Settings()
    digestconv.check([read(papers(3).encode("utf-8"), "warm.md")], settings)  # warm-up
    data = build(n).encode("utf-8")
    gc.collect()
    start = time.process_time()
    if full:
        digestconv.check([read(data, "hostile.md")], settings)
    else:
        read(data, "hostile.md")
    return time.process_time() - start


def _fresh(name: str, n: int, full: bool, runs: int = 5) -> float:
    """Best of ``runs`` fresh processes of :func:`_one_run`."""
    import subprocess

    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import hostile; "
        "print(hostile._one_run(sys.argv[2], int(sys.argv[3]), sys.argv[4] == '1'))"
    )
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code, str(Path(__file__).parent), name, str(n), str(int(full))],
            check=True,
            capture_output=True,
            text=True,
        )
        times.append(float(out.stdout))
    return min(times)


def bench_growth(only: str | None = None) -> None:
    print(f"growth, 10x input (gc enabled: {gc.isenabled()}); goal: ratio <= 11")
    print(
        f"  {'shape':<24} {'n':>7} {'MB':>6} {'read s':>7} {'10n read s':>10} {'ratio':>5}"
        f"   {'check s':>7} {'10n check s':>11} {'ratio':>5}"
    )
    for name, build, n in SHAPES:
        if only and not re.search(only, name):
            continue
        size = len(build(n).encode("utf-8"))
        r1, r10 = _fresh(name, n, False), _fresh(name, 10 * n, False)
        c1, c10 = _fresh(name, n, True), _fresh(name, 10 * n, True)
        print(
            f"  {name:<24} {n:>7} {size / 1e6:6.1f} {r1:7.3f} {r10:10.3f} {r10 / r1:5.1f}"
            f"   {c1:7.3f} {c10:11.3f} {c10 / c1:5.1f}",
            flush=True,
        )


def main(argv: list[str]) -> None:
    what = argv[0] if argv else "all"
    if what in ("all", "reader"):
        bench_reader()
    if what in ("all", "growth"):
        bench_growth(argv[1] if len(argv) > 1 else None)


if __name__ == "__main__":
    main(sys.argv[1:])
