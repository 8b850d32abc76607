"""Benchmarks of the formatted references and the reading page.  Prints figures; asserts nothing.

Run from the repository root with the project installed with its ``test`` extra::

    python benchmarks/refs.py            # everything
    python benchmarks/refs.py convert    # to text / to html over the repeated corpus
    python benchmarks/refs.py browser    # a 10,000-paper page in Chromium

Sections:

* ``convert``: ``digestconv to text`` and ``digestconv to html`` as commands over the 99
  corpus digests repeated to 349 and to 9,000 files in a temporary folder (generated,
  never committed): wall time, best of ``--runs`` (default 2).  Repeated files hold the
  same papers, so the output has the corpus's papers once each; the figures show the
  reading and merging cost growing with the files and the rendering cost staying.
* ``browser``: a page of 10,000 distinct papers (the corpus papers under new arXiv
  identifiers, with the digests' real text), written by the library (its writing time
  is printed), opened from a file in headless Chromium (Debian's ``chromium`` and
  ``chromium-driver`` through Selenium): time to the first page of results, then the
  time of a first search (which builds the search text), a second search, a category
  filter and a page turn, measured inside the page with ``performance.now()``.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.formats.browser
CORPUS = sorted((ROOT / "tests" / "fixtures" / "corpus").glob("[0-9][0-9][0-9].md"))


def make_corpus(folder: Path, files: int) -> int:
    """``files`` digests in ``folder``: copies of the corpus, one sub-folder per copy."""
    made = 0
    copy = 0
    while made < files:
        sub = folder / f"{copy:04d}"
        sub.mkdir(parents=True, exist_ok=True)
        for path in CORPUS:
            if made >= files:
                break
            target = sub / path.name
            try:
                os.link(path, target)
            except OSError:
                shutil.copyfile(path, target)
            made += 1
        copy += 1
    return made


def _command() -> list[str]:
    script = shutil.which("digestconv")
    return [script] if script else [sys.executable, "-m", "digestconv.cli"]


def bench_convert(runs: int = 2) -> None:
    for files in (349, 9000):
        with tempfile.TemporaryDirectory(prefix="digestconv-refs-") as tmp:
            folder = Path(tmp) / "corpus"
            made = make_corpus(folder, files)
            size = sum(p.stat().st_size for p in folder.rglob("*.md"))
            for fmt in ("text", "html"):
                out = Path(tmp) / f"out.{fmt}"
                times = []
                for _ in range(runs):
                    start = time.perf_counter()
                    done = subprocess.run(
                        [*_command(), "to", fmt, str(folder), "-q", "-o", str(out)],
                        capture_output=True,
                        text=True,
                        timeout=3600,
                        check=False,
                    )
                    times.append(time.perf_counter() - start)
                if done.returncode not in (0, 1):
                    print(f"to {fmt}: exit {done.returncode}: {done.stderr[-500:]}")
                    continue
                entries = (
                    len(out.read_text("utf-8").splitlines())
                    if fmt == "text"
                    else out.read_text("utf-8").count('\n{"id":')
                )
                print(
                    f"to {fmt:<4} {made:>5} files ({size / 1e6:.1f} MB), {entries} references: "
                    f"best {min(times):.2f} s (runs: {', '.join(f'{t:.2f}' for t in times)})"
                )


def big_batch(count: int = 10_000) -> Any:
    """``count`` distinct papers: the corpus papers again and again under new identifiers."""
    from digestconv.formats.base import Batch, Source
    from digestconv.reader import read

    base = []
    sources = []
    for path in CORPUS:
        papers = read(path.read_bytes(), str(path)).papers
        base.extend(papers)
    papers = []
    per_file: dict[int, list[Any]] = {}
    for n in range(count):
        paper = base[n % len(base)]
        year, month = 21 + (n // 40_000) % 5, 1 + (n // 3_400) % 12
        new_id = f"{year:02d}{month:02d}.{10_000 + n % 90_000:05d}"
        papers.append(
            dataclasses.replace(paper, arxiv_id=new_id, url=f"https://arxiv.org/abs/{new_id}")
        )
        per_file.setdefault(n // 40, []).append(papers[-1])
    for index, group in sorted(per_file.items()):
        sources.append(
            Source(
                f"archive/{2021 + index // 60}-{index % 12 + 1:02d}-{index % 28 + 1:02d}.md",
                tuple(group),
            )
        )
    return Batch(papers=tuple(papers), sources=tuple(sources), title="10,000 papers")


def bench_browser(count: int = 10_000) -> None:
    from digestconv.formats import find
    from digestconv.formats._styles import configure

    batch = big_batch(count)
    start = time.perf_counter()
    page = configure(find("html")).write(batch)
    print(
        f"to html, {count:,} papers (library call): {time.perf_counter() - start:.1f} s, "
        f"page {len(page.encode()) / 1e6:.1f} MB"
    )
    try:
        from selenium.webdriver.support.ui import WebDriverWait

        from tests.formats.browser import BrowserMissing, start_chromium
    except ImportError:
        print("browser: selenium is not installed")
        return
    with tempfile.TemporaryDirectory(prefix="digestconv-page-") as tmp:
        path = Path(tmp) / "page.html"
        path.write_text(page, "utf-8")
        try:
            driver = start_chromium(command_timeout=300, page_load_timeout=300, script_timeout=120)
        except BrowserMissing as missing:
            print(f"browser: {missing}")
            return
        try:
            loads = []
            for _ in range(3):
                start = time.perf_counter()
                driver.get(path.as_uri())
                WebDriverWait(driver, 300).until(
                    lambda d: d.find_element("id", "status").text.startswith("共")
                )
                loads.append(time.perf_counter() - start)
            nav = driver.execute_script(
                "var t = performance.getEntriesByType('navigation')[0];"
                "return [t.domContentLoadedEventEnd, t.loadEventEnd];"
            )
            print(
                f"page load to first results, {count:,} papers: median "
                f"{statistics.median(loads):.2f} s of {', '.join(f'{x:.2f}' for x in loads)} "
                f"(DOMContentLoaded {nav[0] / 1000:.2f} s, load {nav[1] / 1000:.2f} s, last run)"
            )
            timed = """
              var form = document.getElementById('filters'), q = document.getElementById('q');
              var cat = document.getElementById('cat'), out = {};
              function time(label, f) {
                var t = performance.now(); f(); out[label] = performance.now() - t;
              }
              function search(text) {
                return function () { q.value = text; form.requestSubmit(); };
              }
              time('first search "learning"', search('learning'));
              out.found = document.getElementById('status').textContent;
              time('second search "graph neural"', search('graph neural'));
              time('clear search', search(''));
              time('category filter', function () {
                cat.selectedIndex = 1; cat.dispatchEvent(new Event('change'));
              });
              out.category = document.getElementById('status').textContent;
              time('next page', function () { document.getElementById('next').click(); });
              return out;
            """
            result = driver.execute_script(timed)
            for label, value in result.items():
                shown = f"{value:.0f} ms" if isinstance(value, (int, float)) else value
                print(f"  {label}: {shown}")
        finally:
            driver.quit()


def main(argv: list[str]) -> None:
    sections = argv or ["convert", "browser"]
    if "convert" in sections:
        bench_convert()
    if "browser" in sections:
        bench_browser()


if __name__ == "__main__":
    main(sys.argv[1:])
