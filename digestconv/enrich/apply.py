"""Enrich the papers of a run: look them up and return the outcome as plain data.

Used by ``digestconv to --enrich``, ``validate --enrich`` and ``enrich``:
:func:`enrich_papers` looks every paper with an identifier up (once per
identifier) and returns an :class:`Outcome`, which the metadata and lookup
rules read (:mod:`digestconv.rules.engine`); this package never imports the rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model import Paper
    from .options import EnrichOptions
    from .record import ArxivRecord
    from .service import EnrichResult


@dataclass(frozen=True)
class Outcome:
    """The papers of a run (with the file each came from) and what the lookup found."""

    #: every located copy (a sequence that may live on disk: ``to`` spills them)
    papers: Sequence[tuple[str, Paper]]
    result: EnrichResult
    max_age: float = 30 * 86400.0
    #: wall-clock time of the lookup (for the age of stale records)
    now: float = 0.0
    warnings: tuple[str, ...] = field(default=())

    @property
    def records(self) -> dict[str, ArxivRecord]:
        """Records by unversioned identifier (what ``Batch.records`` holds)."""
        return dict(self.result.records)

    def not_enriched(self) -> list[tuple[str, Paper]]:
        """Papers whose lookup failed (each identifier once, first appearance)."""
        seen: set[str] = set()
        out = []
        for path, paper in self.papers:
            key = paper.arxiv_id
            if key and key in self.result.failed and key not in seen:
                seen.add(key)
                out.append((path, paper))
        return out


def enrich_papers(
    papers: Iterable[tuple[str, Paper]],
    options: EnrichOptions,
    *,
    ids: Iterable[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    **hooks: object,
) -> Outcome:
    """Look up every paper that has an identifier; never raises for network problems.

    ``papers`` may be any sequence (it is kept, not copied: ``to`` passes one
    that lives on disk); ``ids`` may give the identifiers to look up when the
    caller already has them, in first-appearance order.

    ``progress(done, total)`` counts over all the identifiers: it is called with
    ``(0, total)`` before the lookup, as the arXiv API answers, and with
    ``(total, total)`` once the lookup is over, however it ended.
    """
    import time

    from .service import lookup

    if not isinstance(papers, Sequence):
        papers = tuple((path, p) for path, p in papers if p.arxiv_id)
    if ids is None:
        ids = list(dict.fromkeys(p.arxiv_id for _, p in papers if p.arxiv_id))
    clock = hooks.get("clock", time.time)
    titles: dict[str, str] = {}
    for _, paper in papers:
        if paper.arxiv_id and paper.title:
            titles.setdefault(paper.arxiv_id, paper.title)
    overall = None
    if progress is not None and ids:
        count = len(ids)

        def overall(done: int, asked: int) -> None:  # the API reports over what it asks for
            progress(count - asked + done, count)

        progress(0, count)
    try:
        result = lookup(
            ids,
            options,
            progress=overall,
            titles=titles,
            same_work=lambda held: _same_work(papers, held),
            **hooks,  # type: ignore[arg-type]
        )
    finally:
        if overall is not None:
            progress(len(ids), len(ids))
    return Outcome(
        papers,
        result,
        options.max_age,
        float(clock()),  # type: ignore[operator]
        tuple(result.warnings),
    )


def _same_work(papers: Iterable[tuple[str, Paper]], held: Mapping[str, ArxivRecord]) -> list[str]:
    """The identifiers among ``held`` (answers whose title names another work than the
    digest's) whose digest copy is still arXiv's paper: a retitled later version whose
    English abstract agrees with arXiv's (:func:`~digestconv.enrich.merge.title_revised`).
    One pass over the copies; the first copy of each identifier decides."""
    from .merge import title_revised

    decided: dict[str, bool] = {}
    for _, paper in papers:
        key = paper.arxiv_id
        if key in held and key not in decided:
            decided[key] = title_revised(paper, held[key])
            if len(decided) == len(held):
                break
    return sorted(k for k, same in decided.items() if same)


def located_papers(
    path: str, papers: Sequence[Paper], facts: Sequence[object]
) -> list[tuple[str, Paper]]:
    """``(path, paper)`` pairs for a worker's result, each paper carrying its link's span.

    Workers send papers without their source map; the facts sent beside them
    hold the spans diagnostics need (``url``, ``block``).
    """
    import dataclasses

    from ..model import Source

    out: list[tuple[str, Paper]] = []
    for paper, fact in zip(papers, facts, strict=False):
        spans = {"url": fact.span("url"), "block": fact.span("block")}  # type: ignore[attr-defined]
        out.append((path, dataclasses.replace(paper, source=Source(spans=spans))))
    return out


def papers_of(digests: Sequence[object]) -> list[tuple[str, Paper]]:
    """``(path, paper)`` for every paper of ``digests`` (abstract pages have none)."""
    out: list[tuple[str, Paper]] = []
    for digest in digests:
        for paper in getattr(digest, "papers", ()):
            out.append((digest.path, paper))  # type: ignore[attr-defined]
    return out
