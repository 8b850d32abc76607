"""The fold: each file's results, in input order, finished with the cross-file rules.

The fold holds the compact :class:`~digestconv.rules.facts.CorpusIndex` (the
first place of each arXiv identifier) and running counts, never a parsed file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from .._gccontrol import long_lived as _long_lived
from ..model import Diagnostic
from ..rules import iter_corpus_rules
from ..rules.engine import Planner, corpus_diagnostics, finish
from ..rules.facts import CorpusIndex
from ..settings import Settings
from .work import FileResult


class Fold:
    """Finish each file's diagnostics in input order: cross-file rules, then suppressions."""

    def __init__(self, settings: Settings, planner: Planner | None = None) -> None:
        self.settings = settings
        self.planner = planner or Planner(settings)
        self.corpus = list(iter_corpus_rules())
        self.index = CorpusIndex()
        self.files = 0
        self.papers = 0
        self.skipped = 0

    def add(self, result: FileResult) -> list[Diagnostic]:
        """The final, sorted diagnostics of ``result``'s file."""
        with _long_lived():  # the result lives until it is reported
            return self._add(result)

    def _add(self, result: FileResult) -> list[Diagnostic]:
        if result.status == "skipped":
            self.skipped += 1
            return []
        if result.status == "unreadable":
            return list(result.diagnostics)
        self.files += 1
        self.papers += result.paper_count
        path = result.name
        index = self.index if self.settings.cross_file else CorpusIndex()
        extra = corpus_diagnostics(path, result.facts, index, self.planner, self.corpus)
        if self.settings.cross_file:
            self.index.add(path, result.facts)
        return finish(
            path, result.diagnostics, extra, result.suppressions, result.used, self.planner
        )


def each(
    results: Iterable[FileResult],
    fold: Fold,
    progress: Callable[[Iterable[FileResult]], Iterable[FileResult]] | None = None,
) -> Iterator[tuple[FileResult, list[Diagnostic]]]:
    """Each result with its finished diagnostics, in input order."""
    for result in progress(results) if progress else results:
        yield result, fold.add(result)
