"""What the metadata-rule tests share: real papers, records made from them, running a rule."""

from __future__ import annotations

import dataclasses

from digestconv import rules
from digestconv.enrich.record import ArxivRecord, Author
from digestconv.model import Diagnostic, Paper
from digestconv.settings import Settings

from .conftest import SEED_000, SEED_001, parse, seed

#: a paper of seed 000 whose English abstract is cut at the producer's 1000 characters
CUT = 0
#: a paper of seed 001 written with an old-feed title suffix naming its category (cs.LG)
OLD_FEED = 14


def real_paper(index: int = CUT, name: str = SEED_000) -> Paper:
    """One paper of a real seed, with its source spans."""
    return parse(seed(name), name).papers[index]


def record_of(paper: Paper, **changes: object) -> ArxivRecord:
    """The record arXiv would return for ``paper``: its own title, its abstract continued
    to the end, its version and category, real-looking authors; ``changes`` applied."""
    assert paper.arxiv_id and paper.title and paper.abstract
    record = ArxivRecord(
        arxiv_id=paper.arxiv_id,
        version=paper.version or 1,
        title=paper.title,
        abstract=paper.abstract
        + (" the rest of the sentence. A last one." if paper.abstract_truncated else ""),
        authors=(Author("Zhang", "Wei"), Author("van der Berg", "Jan")),
        published="2024-03-22T17:59:59Z",
        updated="2024-03-22T17:59:59Z",
        categories=(paper.primary_category or "cs.LG", "stat.ML"),
    )
    return dataclasses.replace(record, **changes)  # type: ignore[arg-type]


def check(name: str, paper: Paper, record: ArxivRecord | None) -> list[Diagnostic]:
    """Run metadata rule ``name`` on one paper, as the enrichment run does."""
    rule = rules.get(name)
    assert rule is not None and rule.scope == "metadata"
    return [
        rule.diagnostic("digest.md", f)
        for f in rule.check(paper, record, Settings())  # type: ignore[call-arg,arg-type]
    ]


def silent_on_real_records(name: str) -> None:
    """The rule says nothing for any real seed paper paired with its own record."""
    for seed_name in (SEED_000, SEED_001):
        for paper in parse(seed(seed_name), seed_name).papers:
            if paper.arxiv_id and paper.title and paper.abstract:
                assert check(name, paper, record_of(paper)) == [], (seed_name, paper.arxiv_id)
