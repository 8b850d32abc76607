"""Golden writer outputs: what the writers write without arXiv metadata.

The BibTeX and CSL-JSON hashes are those of the writers before metadata existed;
the RSS, Atom and OPML ones were remade when feeds became readable (Unicode
titles, languages, no made-up dates, a feed author, no local paths).  See
``tests/data/golden/make_golden.py`` for how the files were made.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

from digestconv.formats import find
from digestconv.formats.base import Batch, Source
from digestconv.model import Paper

ROOT = Path(__file__).resolve().parents[2]
HERE = ROOT / "tests" / "data" / "golden"
#: the formats whose writers take arXiv metadata (markdown renders the digest layout)
FORMATS = ("bibtex", "csl-json", "rss", "atom", "opml")


def inputs() -> list[Path]:
    """The seeds and the corpus, in a fixed order."""
    return sorted(ROOT.glob("seeds/*.txt")) + sorted(ROOT.glob("tests/fixtures/corpus/*.md"))


def load(data: dict[str, list[dict[str, object]]]) -> dict[str, tuple[Paper, ...]]:
    """Papers per relative path from the stored JSON."""
    return {path: tuple(Paper(**p) for p in papers) for path, papers in data.items()}  # type: ignore[arg-type]


def batches(files: dict[str, tuple[Paper, ...]]) -> dict[str, Batch]:
    """The batches the hashes cover, by name."""
    out = {
        f"file:{path}": Batch(papers=papers, sources=(Source(path, papers),))
        for path, papers in files.items()
    }
    seen: set[str | None] = set()
    merged = []
    for papers in files.values():
        for paper in papers:
            if paper.arxiv_id is None or paper.arxiv_id not in seen:
                seen.add(paper.arxiv_id)
                merged.append(paper)
    sources = tuple(Source(path, papers) for path, papers in files.items())
    out["merged"] = Batch(
        papers=tuple(merged), sources=sources, title="Golden", link="https://example.org/digest"
    )
    return out


def hashes(files: dict[str, tuple[Paper, ...]]) -> dict[str, str]:
    """SHA-256 of each format's output for each batch, UTF-8 and ASCII."""
    out: dict[str, str] = {}
    for name, batch in batches(files).items():
        for fmt_name in FORMATS:
            fmt = find(fmt_name)
            assert fmt is not None
            for ascii_only in (False, True):
                data = fmt.write_bytes(dataclasses.replace(batch, ascii=ascii_only))
                out[f"{fmt_name}:{'ascii' if ascii_only else 'utf8'}:{name}"] = hashlib.sha256(
                    data
                ).hexdigest()
    return out
