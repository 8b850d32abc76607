"""What the BibTeX and CSL-JSON tests share: real inputs and the read-back normalisation."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path

from digestconv.formats.bibtex import normalise
from digestconv.latex import tex_math
from digestconv.model import Paper
from digestconv.reader import read

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(ROOT.glob("seeds/*.txt")) + sorted(ROOT.glob("tests/fixtures/corpus/*.md"))
TEXT_FIELDS = ("url", "title", "title_zh", "summary_zh", "summary_en", "abstract", "abstract_zh")


def expected(paper: Paper) -> Paper:
    """What a paper reads back as: not-carried fields cleared, text normalised."""
    text = {name: normalise(getattr(paper, name)) for name in TEXT_FIELDS}
    return dataclasses.replace(paper, ref=None, line=None, end_line=None, **text)


def expected_bibtex(paper: Paper) -> Paper:
    """What a paper reads back as from BibTeX: as :func:`expected`, with the Unicode
    letters and symbols inside its math written as TeX macros."""
    want = expected(paper)
    text = {name: tex_math(v) for name in TEXT_FIELDS[1:] if (v := getattr(want, name))}
    return dataclasses.replace(want, **text)


def papers_of(path: Path) -> tuple[Paper, ...]:
    """The papers of one real file."""
    return read(path.read_bytes(), str(path)).papers


def merged(paths: Iterable[Path]) -> tuple[Paper, ...]:
    """Papers of several files, first copy of each identifier kept."""
    seen: set[str | None] = set()
    out = []
    for path in paths:
        for paper in papers_of(path):
            if paper.arxiv_id not in seen:
                seen.add(paper.arxiv_id)
                out.append(paper)
    return tuple(out)
