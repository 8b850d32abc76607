"""Benchmark of the LaTeX codec.  Prints figures; asserts nothing.

Run from the repository root with the project installed::

    python benchmarks/latex.py                        # this tree
    python benchmarks/latex.py --tree old=/tmp/old    # also an export of an older commit

Figures, each the median of ``--runs`` runs (default 5), trees interleaved run by run so
a busy machine slows them alike:

* ``escape``: :func:`digestconv.latex.escape` over every title and English abstract
  of the corpus digests (``tests/fixtures/corpus``), with the writers' flag combinations
  (titles with ``title=True``; each string plain, ``pdflatex=True`` and
  ``ascii_only=True, pdflatex=True``), in a fresh process; the process's start-up and
  the reading of the corpus are not counted.
* ``to bibtex -j1``: ``digestconv to bibtex -j1 tests/fixtures/corpus seeds >
  /dev/null`` as a whole process (start-up included).
* ``memory``: peak traced memory (``tracemalloc``) per input character of ``escape``
  with ``title=True``, and of the BibTeX writer, on a 4 MB title made of the corpus's
  titles and abstracts (measured once).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: run in a fresh process with the tree on ``sys.path``; prints seconds, then B/char
_CHILD = r"""
import sys, time, tracemalloc
from pathlib import Path
from digestconv.latex import escape
from digestconv.reader import read

root = Path(sys.argv[1])
titles, abstracts = [], []
for path in sorted((root / "tests" / "fixtures" / "corpus").glob("*.md")):
    for paper in read(path.read_bytes(), path.name).papers:
        if paper.title:
            titles.append(paper.title)
        if paper.abstract:
            abstracts.append(paper.abstract)
texts = titles + abstracts
if sys.argv[2] == "time":
    start = time.perf_counter()
    for flags in ({}, {"pdflatex": True}, {"ascii_only": True, "pdflatex": True}):
        for t in titles:
            escape(t, title=True, **flags)
        for t in texts:
            escape(t, **flags)
    print(time.perf_counter() - start)
    print(len(titles), len(abstracts), sum(map(len, texts)))
else:
    from digestconv.formats.base import Batch
    from digestconv.formats.bibtex import BibTeX
    from digestconv.model import Paper

    big = " ".join(texts)
    big = (big * (4_000_000 // len(big) + 1))[:4_000_000]
    tracemalloc.start()
    escape(big, title=True)
    print(tracemalloc.get_traced_memory()[1] / len(big))
    tracemalloc.stop()
    batch = Batch(papers=(Paper(arxiv_id="2403.15711", title=big),))
    tracemalloc.start()
    BibTeX().write(batch)
    print(tracemalloc.get_traced_memory()[1] / len(big))
    tracemalloc.stop()
"""


def _env(tree: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(tree)
    return env


def _child(tree: Path, what: str) -> list[str]:
    return subprocess.run(
        [sys.executable, "-P", "-c", _CHILD, str(ROOT), what],
        env=_env(tree),
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    ).stdout.split("\n")


def _to_bibtex(tree: Path) -> float:
    argv = [
        sys.executable,
        "-P",  # not the working directory first: the tree given
        "-c",
        "import sys; from digestconv.cli import main; sys.argv[0] = 'digestconv'; main()",
        "to",
        "bibtex",
        "-j1",
        "tests/fixtures/corpus",
        "seeds",
    ]
    start = time.perf_counter()
    subprocess.run(
        argv,
        cwd=ROOT,
        env=_env(tree),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
        timeout=600,
    )
    return time.perf_counter() - start


def main() -> None:
    """Parse the options, run every tree ``--runs`` times, print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tree", action="append", default=[], metavar="NAME=PATH")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    trees = [("this", ROOT)] + [
        (name, Path(path).resolve()) for name, _, path in (t.partition("=") for t in args.tree)
    ]
    codec: dict[str, list[float]] = {name: [] for name, _ in trees}
    whole: dict[str, list[float]] = {name: [] for name, _ in trees}
    sizes = ""
    for _ in range(args.runs):
        for name, tree in trees:
            seconds, sizes = _child(tree, "time")[:2]
            codec[name].append(float(seconds))
            whole[name].append(_to_bibtex(tree))
    titles, abstracts, chars = sizes.split()
    print(
        f"escape: {titles} titles and {abstracts} abstracts ({int(chars):,} characters), "
        f"3 flag sets; to bibtex -j1: the corpus and the seeds; medians of {args.runs}"
    )
    for name, _ in trees:
        print(
            f"  {name:<8} escape {statistics.median(codec[name]):7.3f} s   "
            f"to bibtex -j1 {statistics.median(whole[name]):6.2f} s"
        )
    print("peak traced memory per character of a 4 MB title:")
    for name, tree in trees:
        codec_bytes, writer_bytes = _child(tree, "memory")[:2]
        print(
            f"  {name:<8} escape(title=True) {float(codec_bytes):6.1f} B/char   "
            f"BibTeX writer {float(writer_bytes):6.1f} B/char"
        )


if __name__ == "__main__":
    main()
