"""Enrich the papers of a run: look them up, then turn the outcome into diagnostics.

Used by ``digestconv to --enrich``, ``validate --enrich`` and ``enrich``:

* :func:`enrich_papers` looks every paper with an identifier up (once per
  identifier) and returns an :class:`Outcome`;
* :func:`lookup_diagnostics` runs the ``lookup`` rules (DC502 one summary
  line for the papers that could not be enriched and why; DC503 per paper
  served from a stale cache entry);
* :func:`metadata_diagnostics` runs the registry's metadata rules
  (``rules.iter_metadata_rules()``) on each paper with its record, and with
  ``None`` for papers arXiv confirmed it does not have; papers whose lookup
  failed are not passed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model import Diagnostic, Paper
    from ..settings import Settings
    from .options import EnrichOptions
    from .record import ArxivRecord
    from .service import EnrichResult


@dataclass(frozen=True)
class Outcome:
    """The papers of a run (with the file each came from) and what the lookup found."""

    papers: tuple[tuple[str, Paper], ...]
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
    progress: Callable[[int, int], None] | None = None,
    **hooks: object,
) -> Outcome:
    """Look up every paper that has an identifier; never raises for network problems."""
    import time

    from .service import lookup

    pairs = tuple((path, p) for path, p in papers if p.arxiv_id)
    ids = list(dict.fromkeys(p.arxiv_id for _, p in pairs if p.arxiv_id))
    clock = hooks.get("clock", time.time)
    titles: dict[str, str] = {}
    for _, paper in pairs:
        if paper.arxiv_id and paper.title:
            titles.setdefault(paper.arxiv_id, paper.title)
    result = lookup(ids, options, progress=progress, titles=titles, **hooks)  # type: ignore[arg-type]
    return Outcome(
        pairs,
        result,
        options.max_age,
        float(clock()),
        tuple(result.warnings),  # type: ignore[operator]
    )


def lookup_diagnostics(outcome: Outcome, settings: Settings) -> list[Diagnostic]:
    """Diagnostics of the ``lookup`` rules (DC502, DC503), as configured."""
    from .. import rules as registry

    out: list[Diagnostic] = []
    for rule in registry.iter_lookup_rules():
        severity = settings.severity_of(rule.code, rule.name, rule.severity)
        for finding in rule.check(outcome, settings):  # type: ignore[arg-type,call-arg]
            path = finding.path or ""
            if settings.enabled(rule.code, rule.name, path):
                out.append(rule.diagnostic(path, finding, severity))
    return out


def metadata_diagnostics(outcome: Outcome, settings: Settings) -> list[Diagnostic]:
    """Run the registry's metadata rules: found papers with their record, misses with ``None``."""
    from .. import rules as registry

    metadata_rules = list(registry.iter_metadata_rules())
    if not metadata_rules:
        return []
    out: list[Diagnostic] = []
    result = outcome.result
    for path, paper in outcome.papers:
        key = paper.arxiv_id
        if key is None:
            continue
        if key in result.records:
            record: ArxivRecord | None = result.records[key]
        elif key in result.missing:
            record = None
        else:
            continue  # the lookup failed: nothing is known
        for rule in metadata_rules:
            if not settings.enabled(rule.code, rule.name, path):
                continue
            severity = settings.severity_of(rule.code, rule.name, rule.severity)
            for finding in rule.check(paper, record, settings):  # type: ignore[call-arg,arg-type]
                out.append(rule.diagnostic(path, finding, severity))
    return out


def paper_diagnostics(outcome: Outcome) -> list[Diagnostic]:
    """One diagnostic per paper not found (DC501) or not looked up (DC502): ``enrich``.

    A paper arXiv does not have is reported by the registered ``enrich-not-found``
    rule when there is one, so ``enrich`` and ``validate --enrich`` say the same.
    """
    from .. import rules as registry
    from ..model import Diagnostic
    from ..settings import Settings

    not_found = registry.get("enrich-not-found")
    out: list[Diagnostic] = []
    seen: set[tuple[str, str]] = set()
    result = outcome.result
    for path, paper in outcome.papers:
        key = paper.arxiv_id
        if key is None or (path, key) in seen:
            continue
        seen.add((path, key))
        span = paper.span("url")
        plain_miss = key in result.missing and result.missing[key].startswith("arXiv has no")
        if plain_miss and not_found is not None and not_found.scope == "metadata":
            for finding in not_found.check(paper, None, Settings()):  # type: ignore[call-arg,arg-type]
                out.append(not_found.diagnostic(path, finding))
            continue
        if key in result.missing:
            code, rule, severity = "DC501", "enrich-not-found", "error"
            message = f"arXiv:{key}: {result.missing[key]}: the link points nowhere"
        elif key in result.failed:
            code, rule, severity = "DC502", "enrich-unavailable", "warning"
            message = f"arXiv:{key} not enriched: {result.failed[key]}"
        else:
            continue
        out.append(
            Diagnostic(
                path,
                span.line,
                span.column,
                span.end_line,
                span.end_column,
                code,
                rule,
                severity,  # type: ignore[arg-type]
                message,
            )
        )
    return out


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


def enrichment_diagnostics(outcome: Outcome, settings: Settings) -> list[Diagnostic]:
    """Everything ``to``/``validate --enrich`` report: lookup rules, then metadata rules."""
    return lookup_diagnostics(outcome, settings) + metadata_diagnostics(outcome, settings)


def papers_of(digests: Sequence[object]) -> list[tuple[str, Paper]]:
    """``(path, paper)`` for every paper of ``digests`` (abstract pages have none)."""
    out: list[tuple[str, Paper]] = []
    for digest in digests:
        for paper in getattr(digest, "papers", ()):
            out.append((digest.path, paper))  # type: ignore[attr-defined]
    return out
