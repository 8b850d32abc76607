"""The rule registry: one small function per check, each with a stable code and name.

A rule is a function ``check(digest, settings) -> Iterable[Finding]`` decorated
with :func:`rule`.  The decorator records its code (``DCnnn``), kebab-case name,
default severity, one-line summary, explanation and a bad and a good example.
Rules read the model only: they never do I/O.

Cross-file rules (``scope="corpus"``) run once per file, in input order, on
that file's folded facts: ``check(path, papers, index, settings)`` gets the
file's :class:`~digestconv.rules.facts.PaperFact` tuple and the
:class:`~digestconv.rules.facts.CorpusIndex` of the files before it, and yields
findings about this file only (so reports can stream file by file).

Some rules are emitted by the pipeline itself rather than by their check
function (``io-error``, ``internal-error``, ``unused-suppression``,
``not-converted``); they are registered all the same, so settings, the
``rules`` command and every report know them.
Metadata rules (``scope="metadata"``) run only when papers are enriched with
arXiv metadata: ``check(paper, record, settings)`` compares one paper with its
:class:`~digestconv.enrich.record.ArxivRecord` (``None``: arXiv has no such
paper).
Lookup rules (``scope="lookup"``) report on the metadata lookup itself (papers
that could not be enriched, stale cache entries): ``check(outcome, settings)``
receives the :class:`~digestconv.enrich.apply.Outcome` of the run.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, NamedTuple

from ..model import Diagnostic, Digest, Severity, Span

if TYPE_CHECKING:
    from ..enrich.record import ArxivRecord
    from ..model import Paper
    from ..settings import Settings
    from .facts import CorpusIndex, PaperFact

Scope = Literal["file", "corpus", "metadata", "lookup"]


class Finding(NamedTuple):
    """What a check found: where, and a message saying what is wrong and what to do."""

    span: Span
    message: str
    path: str | None = None  # corpus rules name the file; file rules leave it None


FileCheck = Callable[[Digest, "Settings"], Iterable[Finding]]
CorpusCheck = Callable[[str, "Sequence[PaperFact]", "CorpusIndex", "Settings"], Iterable[Finding]]
MetadataCheck = Callable[["Paper", "ArxivRecord | None", "Settings"], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    """A check's metadata and function."""

    code: str
    name: str
    severity: Severity
    summary: str
    explanation: str
    bad: str
    good: str
    scope: Scope
    check: FileCheck | CorpusCheck | MetadataCheck = field(repr=False, compare=False)

    def diagnostic(
        self, path: str, finding: Finding, severity: Severity | None = None
    ) -> Diagnostic:
        """Turn a finding into a :class:`Diagnostic` of this rule."""
        span, message, where = finding
        line, column, end_line, end_column = span
        return Diagnostic(
            where or path,
            line,
            column,
            end_line,
            end_column,
            self.code,
            self.name,
            severity or self.severity,
            message,
        )


_RULES: dict[str, Rule] = {}


def _cleandoc(doc: str) -> str:
    """A docstring without its indentation, as ``inspect.cleandoc`` makes it.

    (``inspect`` itself costs several milliseconds of start-up, paid on every run.)
    """
    lines = doc.expandtabs().split("\n")
    margins = [len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()]
    margin = min(margins, default=0)
    lines = [lines[0].lstrip()] + [line[margin:] for line in lines[1:]]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines)


def rule(
    code: str,
    name: str,
    severity: Severity,
    *,
    bad: str,
    good: str,
    scope: Scope = "file",
) -> Callable[[Callable[..., Iterable[Finding]]], Callable[..., Iterable[Finding]]]:
    """Register the decorated function as rule ``code``/``name``.

    The function's docstring gives the summary (first line) and explanation.
    """

    def register(func: Callable[..., Iterable[Finding]]) -> Callable[..., Iterable[Finding]]:
        doc = _cleandoc(func.__doc__ or "")
        summary, _, explanation = doc.partition("\n")
        if code in _RULES or any(r.name == name for r in _RULES.values()):
            raise ValueError(f"rule {code} {name} registered twice")
        _RULES[code] = Rule(
            code,
            name,
            severity,
            summary.strip(),
            explanation.strip(),
            textwrap.dedent(bad).strip("\n"),
            textwrap.dedent(good).strip("\n"),
            scope,
            func,
        )
        return func

    return register
