"""A corpus shaped like the public history of the digests, and the commands timed over it.

    python benchmarks/history.py generate DIR            # ~9,155 files, ~600 MB
    python benchmarks/history.py run DIR [--before PATH] [--only validate,to-bibtex]

The real history (9,155 digests, 624 MB, 240,534 table rows, 64,654 unique papers)
repeats each paper in about 3.7 files: a paper cross-listed in several categories
appears in each category's digest of the day, with the same English text.  Copying
the corpus over and over, as ``bench.py corpus`` does, makes nearly every paper a
duplicate and hides the cost of unique papers; this generator keeps the real shape:

* every generated file takes its layout, header and paper blocks from one real
  corpus digest of the same feed era (old ``(arXiv:...)`` titles or new ``Announce
  Type`` abstracts), so every layout and the real share of cut abstracts are kept;
* each *virtual paper* is one real block with its arXiv identifier rewritten to a
  new, unique number of the same month (in the link, the table row, the old-style
  title suffix and the announce prefix alike);
* each virtual paper appears 1 + Poisson(2.7) times (3.7 on average), its copies in
  distinct files close together, as one day's categories are; all copies have the
  same text, as in the feed;
* rows per file and files are sized to the real totals.

``run`` times whole commands over the folder (wall, CPU, MB/s, fraction of a bare
Python line scan of the same bytes, and peak memory of the largest process and of
all processes summed) and prints one row per command.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import _cli, measure

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "corpus"

FILES = 9_155
ROWS = 240_534
UNIQUE = 64_654


@dataclass(frozen=True)
class Block:
    """One paper of a real digest: its table row and its detail block, as text."""

    arxiv_id: str
    ref: int
    row: str
    block: str
    title: str
    abstract: str
    category: str
    version: int


@dataclass(frozen=True)
class Template:
    """One real digest split into a head, its papers and the text between them."""

    name: str
    era: str
    head: str  # everything up to and including the table's separator row
    middle: str  # between the last row and the first block (the details heading)
    blocks: tuple[Block, ...]


def _templates() -> list[Template]:
    from digestconv.reader import read

    out = []
    for path in sorted(CORPUS.glob("[0-9][0-9][0-9].md")):
        text = path.read_text("utf-8")
        digest = read(text.encode("utf-8"), path.name)
        lines = text.split("\n")
        papers = [
            p
            for p in digest.papers
            if p.arxiv_id and p.source.row is not None and p.line is not None and p.end_line
        ]
        if not papers or len(papers) != len(digest.papers):
            continue  # keep only files every paper of which has a row and a block
        rows = [p.source.row.line for p in papers]  # type: ignore[union-attr]
        first_block = min(p.line for p in papers if p.line)
        if max(rows) >= first_block:
            continue
        head = "\n".join(lines[: min(rows) - 1]) + "\n"
        middle = "\n".join(lines[max(rows) : first_block - 1]) + "\n"
        blocks = []
        for p in papers:
            row = lines[p.source.row.line - 1]  # type: ignore[union-attr]
            block = "\n".join(lines[p.line - 1 : p.end_line]) + "\n"  # type: ignore[operator]
            blocks.append(
                Block(
                    p.arxiv_id or "",
                    p.ref or 0,
                    row,
                    block,
                    p.title or "",
                    p.abstract or "",
                    p.primary_category or "cs.LG",
                    p.version or 1,
                )
            )
        era = "new" if any("Announce Type" in b.block for b in blocks) else "old"
        out.append(Template(path.name, era, head, middle, tuple(blocks)))
    return out


def _renumber(text: str, old_ref: int, new_ref: int) -> str:
    return text.replace(f"[^{old_ref}]", f"[^{new_ref}]", 1)


def generate(
    folder: Path, files: int, rows: int, unique: int, seed: int, snapshot: Path | None = None
) -> dict[str, float]:
    """Write the corpus into ``folder`` (and, with ``snapshot``, arXiv metadata for every
    paper in the layout of arXiv's bulk snapshot); its totals."""
    rng = random.Random(seed)
    templates = _templates()
    by_era: dict[str, list[Template]] = defaultdict(list)
    for t in templates:
        by_era[t.era].append(t)
    eras = sorted(by_era)
    # virtual papers: each a real block with a new identifier of the same month
    numbers: dict[str, int] = defaultdict(int)
    copies_mean = rows / unique
    papers: list[tuple[Template, Block, str, int]] = []  # template, block, new id, copies
    for u in range(unique):
        era = eras[min(len(eras) - 1, u * len(eras) // unique)]
        template = by_era[era][rng.randrange(len(by_era[era]))]
        block = template.blocks[rng.randrange(len(template.blocks))]
        month = block.arxiv_id.split(".")[0]
        numbers[month] += 1  # numbers above 50000: no real paper of the corpus is there
        if numbers[month] >= 50_000:
            raise SystemExit(f"more than 50,000 papers in month {month}: lower --unique")
        new_id = f"{month}.{50_000 + numbers[month]:05d}"
        copies = 1 + _poisson(rng, copies_mean - 1)
        papers.append((template, block, new_id, copies))
    if snapshot is not None:
        _write_snapshot(snapshot, papers, rng)
    # place copies in distinct files close together (one day's categories)
    contents: list[list[int]] = [[] for _ in range(files)]
    window = 12
    for u, (_, _, _, copies) in enumerate(papers):
        base = min(files - window, u * files // unique)
        for f in rng.sample(range(base, base + window), min(copies, window)):
            contents[f].append(u)
    total_bytes = total_rows = 0
    folder.mkdir(parents=True, exist_ok=True)
    for f, members in enumerate(contents):
        if not members:
            continue
        members.sort()
        template = papers[members[0]][0]
        head_rows: list[str] = []
        blocks: list[str] = []
        for ref, u in enumerate(members, start=1):
            _, block, new_id, _ = papers[u]
            head_rows.append(_renumber(block.row, block.ref, ref).replace(block.arxiv_id, new_id))
            blocks.append(_renumber(block.block, block.ref, ref).replace(block.arxiv_id, new_id))
        text = template.head + "\n".join(head_rows) + "\n" + template.middle + "\n".join(blocks)
        sub = folder / f"{f // 400:03d}"
        sub.mkdir(exist_ok=True)
        data = text.encode("utf-8")
        (sub / f"{f:05d}.md").write_bytes(data)
        total_bytes += len(data)
        total_rows += len(members)
    return {
        "files": sum(1 for c in contents if c),
        "rows": total_rows,
        "unique": unique,
        "copies": total_rows / unique,
        "mb": total_bytes / 1e6,
    }


_NAMES = ["Wang", "Li", "Zhang", "Liu", "Chen", "Smith", "Müller", "García", "van der Berg"]


def _write_snapshot(
    path: Path, papers: list[tuple[Template, Block, str, int]], rng: random.Random
) -> None:
    """One snapshot line per virtual paper: the digest's title and abstract, made-up authors."""
    with path.open("w", encoding="utf-8") as handle:
        for _, block, new_id, _ in papers:
            month = new_id.split(".")[0]
            year, mon = 2000 + int(month[:2]), int(month[2:])
            authors = [(rng.choice(_NAMES), f"{chr(65 + rng.randrange(26))}.") for _ in range(4)]
            record = {
                "id": new_id,
                "submitter": " ".join(reversed(authors[0])),
                "authors": ", ".join(f"{g} {f}" for f, g in authors),
                "title": block.title,
                "comments": "12 pages",
                "journal-ref": None,
                "doi": None,
                "report-no": None,
                "categories": block.category,
                "license": "http://creativecommons.org/licenses/by/4.0/",
                "abstract": "  " + block.abstract + "\n",
                # every version up to the one the digest names (a later one is DC505)
                "versions": [
                    {
                        "version": f"v{n}",
                        "created": f"Mon, {3 + n} {_MONTHS[mon - 1]} {year} 10:00:00 GMT",
                    }
                    for n in range(1, block.version + 1)
                ],
                "update_date": f"{year}-{mon:02d}-{3 + block.version:02d}",
                "authors_parsed": [[f, g, ""] for f, g in authors],
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; fine for small means)."""
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def scan_seconds(folder: Path) -> tuple[float, int]:
    """The baseline: a bare Python line scan, every file read as UTF-8 text line by line,
    in one process (best of three, files in the page cache)."""
    import time

    best = float("inf")
    size = 0
    for _ in range(3):
        start = time.perf_counter()
        size = 0
        for path in sorted(folder.rglob("*.md")):
            size += path.stat().st_size
            with path.open(encoding="utf-8") as handle:
                for _line in handle:
                    pass
        best = min(best, time.perf_counter() - start)
    return best, size


COMMANDS: dict[str, list[str]] = {
    "validate": ["validate", "-q"],
    "validate-json": ["validate", "-f", "json"],
    "validate-sarif": ["validate", "-f", "sarif"],
    "validate-junit": ["validate", "-f", "junit"],
    "validate-github": ["validate", "-f", "github"],
    "to-bibtex": ["to", "bibtex", "-q"],
    "to-csl-json": ["to", "csl-json", "-q"],
    "to-ris": ["to", "ris", "-q"],
    "to-markdown": ["to", "markdown", "-q"],
    "to-rss": ["to", "rss", "-q"],
    "to-atom": ["to", "atom", "-q"],
    "to-opml": ["to", "opml", "-q"],
    "to-bibtex-enrich": ["to", "bibtex", "-q", "--enrich", "--offline"],
}


def run(
    folder: Path, only: list[str], jobs: list[str], before: Path | None, snapshot: Path | None
) -> None:
    """Time each command over ``folder`` and print a table."""
    scan, size = scan_seconds(folder)
    mb = size / 1e6
    print(f"corpus: {mb:.0f} MB; bare line scan {scan:.2f} s ({mb / scan:.0f} MB/s)")
    columns = ["command", "jobs", "tree", "wall s", "CPU s", "MB/s", "of scan"]
    columns += ["peak MB (largest)", "peak MB (all)", "exit"]
    print("| " + " | ".join(columns) + " |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    trees = [("after", None)] + ([("before", before)] if before else [])
    for name in only or list(COMMANDS):
        for j in jobs:
            for label, source in trees:
                argv = [*_cli(source), *COMMANDS[name], "--jobs", j, str(folder)]
                if "--enrich" in argv:
                    if snapshot is None:
                        continue
                    import tempfile  # a new cache each run: the snapshot is read every time

                    cache = tempfile.mkdtemp(prefix="digestconv-bench-cache-")
                    argv += ["--snapshot", str(snapshot), "--cache-dir", cache]
                got = measure(argv)
                wall = float(got["wall"])
                print(
                    f"| `{' '.join(COMMANDS[name])}` | {j} | {label} | {wall:.1f} | "
                    f"{float(got['cpu']):.1f} | {mb / wall:.0f} | {scan / wall:.2f} | "
                    f"{float(got['single']) / 1e6:.0f} | {float(got['tree']) / 1e6:.0f} | "
                    f"{got['code']} |",
                    flush=True,
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument("folder", type=Path)
    gen.add_argument("--files", type=int, default=FILES)
    gen.add_argument("--rows", type=int, default=ROWS)
    gen.add_argument("--unique", type=int, default=UNIQUE)
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument("--snapshot", type=Path, help="also write arXiv metadata for every paper")
    go = sub.add_parser("run")
    go.add_argument("folder", type=Path)
    go.add_argument("--only", default="")
    go.add_argument("--jobs", default="1,2")
    go.add_argument("--before", type=Path)
    go.add_argument("--snapshot", type=Path, help="for to-bibtex-enrich")
    args = parser.parse_args()
    if args.what == "generate":
        totals = generate(args.folder, args.files, args.rows, args.unique, args.seed, args.snapshot)
        print(json.dumps(totals))
    else:
        only = [x for x in args.only.split(",") if x]
        run(args.folder, only, args.jobs.split(","), args.before, args.snapshot)


if __name__ == "__main__":
    main()
