#!/usr/bin/env python3
"""Build ``tests/data/retitles/``: real retitled arXiv papers and real wrong pairs of papers.

The calibration set of the ``arxiv-retitled`` / ``arxiv-title-mismatch`` split
(``benchmarks/retitle.py`` reads it).  Every title and abstract in it is arXiv's
title and English abstract of one version of one paper, as recorded at the time
by a public job that follows arXiv every day and commits what it saw:

* ``qhduan/cn-chat-arxiv``: its digests (``*.md``), one per category and day,
  2023-03 .. 2026-08, read with digestconv's own reader (identifier, version,
  English title and English abstract of every paper; the producer cut abstracts
  at 1000 characters, which the reader marks);
* ``MayDomine/arxiv_rss_bot``: its ``README.md``, the day's top papers of cs.AI,
  cs.CL, cs.DC and cs.LG from arXiv's RSS feeds (``new``, ``cross`` and
  ``replace`` entries, each with its version and the first line of its abstract
  cut at about 300 characters), 2025-08 .. 2026-08;
* ``gbrammer/arxiv-to-rss``: ``feeds/feed.xml`` and ``feeds/author.xml``, an
  arXiv API query (JWST papers in astro-ph.GA/CO) sorted by last update, so a
  paper comes back with each new version and its whole abstract, 2024-10 ..
  2026-08.  That job writes titles and abstracts through a TeX-to-HTML table
  (``$z_{spec}$`` becomes ``z<sub>spec</sub>``) before its RSS writer escapes
  them; entities are decoded here and tags removed, the same for every version
  of a paper.

Abstracts are kept to their first 1000 characters (the digest producer's cut,
``DEFAULT_CUT``) with ``abstract_cut`` true when the text is a prefix of the
version's abstract (cut here, by the producer or by the bot), ``abstract`` null
when the source shows none.

A **retitle** is one paper seen at two versions with titles that differ after
:func:`digestconv.enrich.merge.title_key` (letters and digits only): the title
at the lowest version seen (what an old digest names) against the title at the
highest (what arXiv's record says later), each with the abstract shown beside it
where it was first seen.  Sources are combined per paper, since each records
arXiv's title and abstract for one version.

A **wrong pair** is two different papers listed next to each other on the same
day in the same list (a digest's rows, a feed's items): the link of one row
pointing at its neighbour is the realistic wrong link, and neighbours share a
category and often a topic.  Each side keeps its title and abstract as listed
(the digest's row and the record it would be checked against).  At most
``--per-source`` pairs are kept from each source, chosen by a hash of the two
identifiers (deterministic).

Run from the repository root with the three repositories' git directories::

    python scripts/retitle_pairs.py --cn-chat-arxiv DIR --rss-bot DIR --arxiv-to-rss DIR

The output (``retitles.jsonl.gz``, ``wrong-links.jsonl.gz``: JSON lines, keys
sorted, gzip without a timestamp) is deterministic for the same repositories.
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import hashlib
import html
import itertools
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "retitles"
sys.path.insert(0, str(ROOT))

from digestconv.enrich.merge import title_key  # noqa: E402
from digestconv.reader import DEFAULT_CUT, read  # noqa: E402

CN = "qhduan/cn-chat-arxiv"
BOT = "MayDomine/arxiv_rss_bot"
JWST = "gbrammer/arxiv-to-rss"
#: abstracts are kept to the digest producer's cut (``DEFAULT_CUT`` characters), marked cut
#: when longer: what a digest shows of them, and the set stays small
KEEP = DEFAULT_CUT


@dataclass(frozen=True)
class Seen:
    """One paper at one version as a source recorded it (first sighting)."""

    arxiv_id: str
    version: int
    title: str
    source: str
    commit: str
    path: str
    date: str
    #: the English abstract the source shows for this version ("" when it shows none)
    abstract: str = ""
    #: whether the source cut ``abstract`` short (a prefix of the version's abstract)
    abstract_cut: bool = False

    def json(self) -> dict[str, object]:
        return {
            "arxiv_id": self.arxiv_id,
            "version": self.version,
            "title": self.title,
            "source": self.source,
            "commit": self.commit,
            "path": self.path,
            "date": self.date,
            "abstract": self.abstract[:KEEP] or None,
            "abstract_cut": self.abstract_cut or len(self.abstract) > KEEP,
        }


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout


def history(repo: Path, *paths: str) -> list[tuple[str, str, str, str]]:
    """``(date, commit, path, blob)`` of every version of ``paths``, oldest first."""
    out: list[tuple[str, str, str, str]] = []
    commit = date = ""
    log = git(
        repo,
        "log",
        "--reverse",
        "--raw",
        "--no-abbrev",
        "--format=C %H %ad",
        "--date=short",
        "--",
        *paths,
    )
    for line in log.splitlines():
        if line.startswith("C "):
            _, commit, date = line.split()
        elif line.startswith(":"):
            meta, path = line.split("\t", 1)
            blob, status = meta.split()[3], meta.split()[4]
            if status != "D":
                out.append((date, commit, path, blob))
    return out


def blobs(repo: Path, ids: list[str]) -> Iterator[bytes]:
    """The contents of ``ids``, in order, through one ``git cat-file --batch``."""
    proc = subprocess.Popen(
        ["git", "-C", str(repo), "cat-file", "--batch"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None
    for blob in ids:
        proc.stdin.write(blob.encode() + b"\n")
        proc.stdin.flush()
        size = int(proc.stdout.readline().split()[2])
        data = proc.stdout.read(size)
        proc.stdout.read(1)
        yield data
    proc.stdin.close()
    proc.wait()


# -- sources ----------------------------------------------------------------------------------
def cn_chat_arxiv(repo: Path) -> tuple[list[Seen], list[list[Seen]]]:
    """Every paper of every digest version, and each digest's papers in row order."""
    found: list[Seen] = []
    lists: list[list[Seen]] = []
    done: set[str] = set()
    versions = [h for h in history(repo, "*.md") if h[2] != "README.md"]
    unique = []
    for h in versions:
        if h[3] not in done:
            done.add(h[3])
            unique.append(h)
    for (date, commit, path, _), data in zip(
        unique, blobs(repo, [h[3] for h in unique]), strict=True
    ):
        rows = []
        for paper in read(data, path).papers:
            if paper.arxiv_id and paper.title and paper.version is not None:
                rows.append(
                    Seen(
                        paper.arxiv_id,
                        paper.version,
                        paper.title,
                        CN,
                        commit,
                        path,
                        date,
                        " ".join((paper.abstract or "").split()),
                        paper.abstract_truncated,
                    )
                )
        found.extend(rows)
        lists.append(rows)
    return found, lists


_BOT_HEAD = re.compile(r"^### \d+\. \[(.+)\]\(https?://arxiv\.org/abs/([0-9.]+)\)\s*$")
_BOT_VERSION = re.compile(r"^(?:\*\*ArXiv ID\*\*: |arXiv:)([0-9.]+)v(\d+)\b")


def _bot_abstract(line: str) -> str:
    """The abstract of a ``README.md`` entry: the bot keeps the first line of the feed's
    text, cut at about 300 characters and marked ``...``; the mark is removed.  Always a
    prefix of the version's abstract (a line without the mark is its first paragraph)."""
    text = " ".join(line.split())
    return text.removesuffix("...").rstrip()


def rss_bot(repo: Path) -> tuple[list[Seen], list[list[Seen]]]:
    """Every paper of every ``README.md`` version, and each version's papers in order.

    An entry is a heading with the title, then ``**ArXiv ID**: IDvN`` and the start of
    the abstract (after a ``#### Abstract`` heading from 2025-10), or the feed's own
    ``arXiv:IDvN Announce Type: ...`` line and an ``Abstract: ...`` line (before).
    """
    found: list[Seen] = []
    lists: list[list[Seen]] = []
    for date, commit, path, blob in history(repo, "README.md"):
        text = next(blobs(repo, [blob])).decode("utf-8", "replace")
        rows: list[Seen] = []
        current: tuple[str, str] | None = None
        entry: Seen | None = None  # the entry whose abstract may follow
        for line in text.splitlines():
            head = _BOT_HEAD.match(line)
            if head:
                current, entry = (head[1], head[2]), None
                continue
            version = _BOT_VERSION.match(line)
            if current and version and version[1] == current[1]:
                entry = Seen(current[1], int(version[2]), current[0], BOT, commit, path, date)
                rows.append(entry)
                current = None
                continue
            if entry is None or not line.strip() or line.strip() == "#### Abstract":
                continue
            if not line.startswith(("---", "<details", "#", "**")):
                abstract = _bot_abstract(line.removeprefix("Abstract: "))
                rows[-1] = dataclasses.replace(entry, abstract=abstract, abstract_cut=True)
            entry = None
        found.extend(rows)
        lists.append(rows)
    return found, lists


_ITEM = re.compile(
    r"<item><title>(.*?)</title><link>https?://arxiv\.org/abs/([^<]+?)v(\d+)</link>"
    r"(?:<description>(.*?)</description>)?",
    re.S,
)
_TAG = re.compile(r"</?(?:sub|sup|i|b|em)>")
_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)


def _jwst_title(raw: str) -> str:
    text = html.unescape(html.unescape(raw))
    return " ".join(_TAG.sub("", text).split())


def _jwst_abstract(raw: str | None) -> str:
    """The abstract in an item's description: the paragraph after the authors'.

    Until 2024-11 the description was ``<![CDATA[authors <p> abstract </p> <p>
    Comments ...`` with the feed's line breaks removed (words at a line end run into
    the next line's first word) and TeX as arXiv has it; since then it is ``<p>
    authors </p> <p> abstract </p> <p> <b> Published: ...``, TeX through the job's
    table.  The job never cuts an abstract.
    """
    if not raw:
        return ""
    text = html.unescape(raw).strip()
    paragraphs = _PARAGRAPH.findall(text)
    if text.startswith("<p>"):
        paragraphs = paragraphs[1:]  # the authors
    if not paragraphs:
        return ""
    return _jwst_title(paragraphs[0])


def arxiv_to_rss(repo: Path) -> tuple[list[Seen], list[list[Seen]]]:
    """Every item of every feed version, and each version's items in order."""
    found: list[Seen] = []
    lists: list[list[Seen]] = []
    for date, commit, path, blob in history(repo, "feeds/feed.xml", "feeds/author.xml"):
        text = next(blobs(repo, [blob])).decode("utf-8", "replace")
        rows = [
            Seen(m[2], int(m[3]), _jwst_title(m[1]), JWST, commit, path, date, _jwst_abstract(m[4]))
            for m in _ITEM.finditer(text)
        ]
        found.extend(rows)
        lists.append(rows)
    return found, lists


# -- the two classes --------------------------------------------------------------------------
def retitles(seen: list[Seen]) -> list[dict[str, object]]:
    """Per paper: the lowest and the highest version seen, when their titles differ."""
    first: dict[tuple[str, int], Seen] = {}
    for s in sorted(seen, key=lambda s: (s.date, s.source, s.commit)):
        first.setdefault((s.arxiv_id, s.version), s)
    by_id: dict[str, list[Seen]] = {}
    for s in first.values():
        by_id.setdefault(s.arxiv_id, []).append(s)
    out = []
    for arxiv_id in sorted(by_id):
        versions = sorted(by_id[arxiv_id], key=lambda s: s.version)
        old, new = versions[0], versions[-1]
        if old.version < new.version and title_key(old.title) != title_key(new.title):
            out.append({"arxiv_id": arxiv_id, "old": old.json(), "new": new.json()})
    return out


def _mark(a: str, b: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{a} {b}".encode()).digest()[:8], "big")


def wrong_pairs(lists: list[list[Seen]], limit: int) -> list[dict[str, object]]:
    """Neighbours in one list: two different papers, at most ``limit`` by hash order."""
    pairs: dict[tuple[str, str], dict[str, object]] = {}
    for rows in lists:
        for a, b in itertools.pairwise(rows):
            if a.arxiv_id == b.arxiv_id or title_key(a.title) == title_key(b.title):
                continue
            key = (min(a.arxiv_id, b.arxiv_id), max(a.arxiv_id, b.arxiv_id))
            if key not in pairs:
                pairs[key] = {
                    "digest": {k: v for k, v in a.json().items() if k in _PAIR_FIELDS},
                    "record": {k: v for k, v in b.json().items() if k in _PAIR_FIELDS},
                    "source": a.source,
                    "commit": a.commit,
                    "path": a.path,
                    "date": a.date,
                }
    keep = sorted(pairs, key=lambda k: _mark(*k))[:limit]
    return [pairs[k] for k in sorted(keep)]


_PAIR_FIELDS = ("arxiv_id", "version", "title", "abstract", "abstract_cut")


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> None:
    """``rows`` as JSON lines, gzip-compressed with no name or time in the header."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n" for row in rows)
    path.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--cn-chat-arxiv", type=Path, required=True, help=f"git dir of {CN}")
    parser.add_argument("--rss-bot", type=Path, required=True, help=f"git dir of {BOT}")
    parser.add_argument("--arxiv-to-rss", type=Path, required=True, help=f"git dir of {JWST}")
    parser.add_argument("--per-source", type=int, default=2000, help="wrong pairs per source")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    sources = {
        CN: cn_chat_arxiv(args.cn_chat_arxiv),
        BOT: rss_bot(args.rss_bot),
        JWST: arxiv_to_rss(args.arxiv_to_rss),
    }
    seen = [s for found, _ in sources.values() for s in found]
    positives = retitles(seen)
    negatives = [p for _, lists in sources.values() for p in wrong_pairs(lists, args.per_source)]
    write_jsonl(args.out / "retitles.jsonl.gz", positives)
    write_jsonl(args.out / "wrong-links.jsonl.gz", negatives)
    for name, (found, lists) in sources.items():
        papers = len({s.arxiv_id for s in found})
        print(f"{name}: {len(lists)} lists, {papers} papers", file=sys.stderr)
    print(f"{len(positives)} retitles, {len(negatives)} wrong pairs", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
