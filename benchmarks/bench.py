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
* ``corpus``: ``digestconv validate`` and ``digestconv to bibtex`` as commands over the
  corpus repeated to at least 600 MB in a temporary folder (generated, never committed),
  with ``--jobs 1`` and with every CPU: wall time, MB/s, papers/s, and peak memory (the
  largest single process, from ``/usr/bin/time -v`` when installed, and the sum over the
  process and its workers, sampled from ``/proc``), and the CPU seconds of the run with
  its workers (from ``/usr/bin/time -v``): on a shared machine, MB per CPU second says
  more than wall time.

Options for ``corpus``: ``--mb N`` (size, default 600), ``--before PATH`` (also run the
source tree at PATH, e.g. an export of an older commit, for before/after figures), and
``--keep DIR`` (build the corpus in DIR and leave it there for later runs), ``--only
validate,to`` (some of the commands).
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
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


def make_corpus(folder: Path, target_mb: float) -> tuple[int, int]:
    """Fill ``folder`` with copies of the corpus (one sub-folder per copy): files and bytes.

    Files are hard links to the fixtures when the file system allows, copies otherwise.
    """
    one_pass = sum(p.stat().st_size for p in CORPUS)
    copies = int(target_mb * 1_000_000 // one_pass) + 1
    files = size = 0
    for copy in range(copies):
        sub = folder / f"{copy:04d}"
        sub.mkdir(parents=True, exist_ok=True)
        for path in CORPUS:
            target = sub / path.name
            if not target.exists():
                try:
                    os.link(path, target)
                except OSError:
                    shutil.copyfile(path, target)
            files += 1
            size += path.stat().st_size
    return files, size


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``: the children of each of its threads, and theirs (Linux
    ``/proc``; a process that is gone has none)."""
    out: list[int] = []
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                kids = [
                    int(c)
                    for c in Path(f"/proc/{current}/task/{task}/children").read_text().split()
                ]
            except OSError:
                continue
            out += kids
            todo += kids
    return out


def _tree_rss(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants, in bytes (0 when gone)."""
    total = 0
    for current in [pid, *descendants(pid)]:
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        if match:
            total += int(match.group(1)) * 1024
    return total


def measure(argv: list[str], cwd: Path | None = None) -> dict[str, float | str]:
    """Run ``argv``: wall seconds, peak RSS of one process and of the whole tree, exit code.

    Standard output is discarded; the last line of the report (stdout or
    stderr) is kept for the paper count.
    """
    time_v = Path("/usr/bin/time")
    use_time = time_v.exists()
    full = [str(time_v), "-v", *argv] if use_time else argv
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(full, stdout=out, stderr=err, cwd=cwd)
        peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_rss(proc.pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = proc.wait()
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        out.seek(max(out.seek(0, os.SEEK_END) - 4096, 0))
        stdout = out.read().decode("utf-8", "replace")
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    cpu = 0.0
    for key in ("User time", "System time"):
        found = re.search(key + r" \(seconds\): ([\d.]+)", stderr)
        if found:
            cpu += float(found.group(1))
    single = 0.0
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    if match:
        single = int(match.group(1)) * 1024
        stderr = stderr[: stderr.rfind("\tCommand being timed")]
    text = (stdout.strip() or stderr.strip()).split("\n")
    return {
        "wall": wall,
        "cpu": cpu,
        "single": single,
        "tree": float(peak),
        "code": code,
        "last": text[-1],
    }


def _cli(source: Path | None) -> list[str]:
    """The command line of digestconv (of the source tree ``source``, if given)."""
    if source is None:
        exe = Path(sys.executable).with_name("digestconv")
        if exe.exists():
            return [str(exe)]
        return [sys.executable, "-c", "from digestconv.cli import main; main()"]
    code = (
        "import sys; sys.path.insert(0, sys.argv.pop(1)); from digestconv.cli import main; main()"
    )
    return [sys.executable, "-c", code, str(source)]


def bench_corpus(args: list[str] | None = None) -> None:
    """``validate`` and ``to bibtex`` over a corpus of at least 600 MB, as commands."""
    args = list(args or [])

    def option(name: str, default: str | None = None) -> str | None:
        if name in args:
            return args[args.index(name) + 1]
        return default

    target_mb = float(option("--mb", "600") or 600)
    before = option("--before")
    keep = option("--keep")
    folder = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="digestconv-corpus-"))
    try:
        files, size = make_corpus(folder, target_mb)
        from digestconv.settings import default_jobs

        cpus = default_jobs()
        papers = 0
        print(f"corpus: {files:,} files, {size / 1e6:,.0f} MB in {folder} ({cpus} CPUs)")
        runs: list[tuple[str, Path | None, list[str]]] = []
        if before:
            runs.append(("before", Path(before), []))
        runs.append(("jobs 1", None, ["--jobs", "1"]))
        runs.append((f"jobs {cpus}", None, ["--jobs", str(cpus)]))
        commands = {
            "validate": ["validate", "--output-format", "text"],
            "to bibtex": ["to", "bibtex", "--quiet"],
        }
        only = option("--only")
        if only:
            commands = {k: v for k, v in commands.items() if k.split()[0] in only.split(",")}
        print(
            f"  {'command':<10} {'run':<7} {'wall s':>7} {'MB/s':>7} {'papers/s':>10} "
            f"{'CPU s':>7} {'MB/CPU s':>9} "
            f"{'peak MB (largest process)':>26} {'peak MB (all processes)':>24}  exit"
        )
        for name, command in commands.items():
            for label, source, extra in runs:
                argv = [*_cli(source), *command, *extra, str(folder)]
                result = measure(argv)
                if name == "validate":
                    found = re.search(r"([\d,]+) papers?", str(result["last"]))
                    if found and not papers:
                        papers = int(found.group(1).replace(",", ""))
                wall = float(result["wall"])
                cpu = float(result["cpu"])
                print(
                    f"  {name:<10} {label:<7} {wall:7.1f} {size / 1e6 / wall:7.1f} "
                    f"{papers / wall if papers else 0:10,.0f} "
                    f"{cpu:7.1f} {size / 1e6 / cpu if cpu else 0:9.1f} "
                    f"{float(result['single']) / 1e6:26,.0f} {float(result['tree']) / 1e6:24,.0f}"
                    f"  {result['code']}"
                )
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


SECTIONS = {
    "validate": bench_validate,
    "startup": bench_startup,
    "linear": bench_linear,
    "convert": bench_convert,
    "corpus": bench_corpus,
}

if __name__ == "__main__":
    names = [a for a in sys.argv[1:] if a in SECTIONS] or list(SECTIONS)
    options = [a for a in sys.argv[1:] if a not in SECTIONS]
    for section in names:
        if section == "corpus":
            bench_corpus(options)
        else:
            SECTIONS[section]()
