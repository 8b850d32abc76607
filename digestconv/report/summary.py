"""What ``digestconv to`` prints: every error in full, one line per kind of warning.

A conversion of a few hundred digests finds thousands of warnings of a few kinds
(abstracts the producer cut, translations cut short, papers listed twice).  Nobody
reads them one by one while converting, and ``digestconv validate`` lists them all,
so :func:`render` prints:

* every error in full, papers left out of the output (``not-converted``) included,
  as ``validate`` prints them;
* a warning of a rule that fired once, in full;
* for a rule that fired more often, one line with the count, what it means and
  what to do::

      7,011 English abstracts cut at 1000 characters: `--enrich` fills them from arXiv
      (DC301 abstract-truncated)

  (one line on the terminal);

* the closing line with the totals.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .text import line, summary

if TYPE_CHECKING:
    from ..model import Diagnostic, Report


@dataclass(frozen=True)
class Hint:
    """How to summarise the warnings of one rule: the plural noun phrase and what to do
    (``enriched``: what to say instead when the run used arXiv metadata)."""

    what: str
    todo: str
    enriched: str | None = None


#: rule name -> hint; ``{cut}`` is the abstract cut of the run
HINTS: dict[str, Hint] = {
    "abstract-truncated": Hint(
        "English abstracts cut at {cut} characters",
        "`--enrich` fills them from arXiv",
        "arXiv's full abstracts were written where arXiv has the paper",
    ),
    "translation-truncated": Hint(
        "Chinese abstracts cut short",
        "translate the full abstracts again",
    ),
    "duplicate-paper": Hint(
        "papers listed more than once",
        "the first copy of each is written; delete the others",
    ),
    "unused-suppression": Hint(
        "suppression comments that silence nothing",
        "delete them",
    ),
    "enrich-stale": Hint(
        "papers written from cached arXiv metadata older than the maximum age",
        "run `digestconv enrich --refresh` when online",
    ),
    "arxiv-category-mismatch": Hint(
        "papers whose primary category is not arXiv's",
        "arXiv's is written; fix the digests",
    ),
    "arxiv-withdrawn": Hint(
        "papers whose latest arXiv version is withdrawn",
        "cite the version the digest summarises, or drop them",
    ),
    "arxiv-abstract-conflict": Hint(
        "English abstracts that are not the start of arXiv's",
        "the digests' text is written; check them",
    ),
}


def _count(n: int) -> str:
    return f"{n:,}"


def warning_lines(
    diagnostics: Sequence[Diagnostic], *, cut: int = 1000, enriched: bool = False
) -> list[str]:
    """One line per rule for the warnings among ``diagnostics``, in code order.

    A rule that fired once keeps its full line (it is short, and says where).
    ``enriched`` says the run used arXiv metadata (the advice changes).
    """
    warnings = [d for d in diagnostics if d.severity == "warning"]
    counts = Counter((d.code, d.rule) for d in warnings)
    out: list[str] = []
    for code, rule in sorted(counts):
        n = counts[(code, rule)]
        if n == 1:
            out.append(line(next(d for d in warnings if d.code == code)))
            continue
        hint = HINTS.get(rule)
        if hint is not None:
            what = hint.what.format(cut=cut)
            todo = hint.enriched if enriched and hint.enriched else hint.todo
            out.append(f"{_count(n)} {what}: {todo} ({code} {rule})")
        else:
            out.append(
                f"{_count(n)} {rule} warnings: `digestconv validate` lists them ({code} {rule})"
            )
    return out


def render(report: Report, *, color: bool = False, cut: int = 1000, enriched: bool = False) -> str:
    """Errors in full, warnings summarised, then the totals; newline-terminated."""
    from . import sorted_diagnostics

    ordered = sorted_diagnostics(report)
    lines = [line(d, color=color) for d in ordered if d.severity == "error"]
    lines.extend(warning_lines(ordered, cut=cut, enriched=enriched))
    if lines:
        lines.append("")
    total = summary(report, color=color)
    if any(d.severity == "warning" for d in ordered):
        total += " (warnings summarised: --show-warnings lists each)"
    lines.append(total)
    return "\n".join(lines) + "\n"
