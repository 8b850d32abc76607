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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .text import line, summary

if TYPE_CHECKING:
    from ..model import Diagnostic, Report


@dataclass(frozen=True)
class Hint:
    """How to summarise the warnings of one rule: the plural noun phrase and what to do
    (``enriched``: what to say instead when the run used arXiv metadata; ``unavailable``:
    when it asked for metadata and got none)."""

    what: str
    todo: str
    enriched: str | None = None
    unavailable: str | None = None


#: rule name -> hint; ``{cut}`` is the abstract cut of the run
HINTS: dict[str, Hint] = {
    "abstract-truncated": Hint(
        "English abstracts cut at {cut} characters",
        "`--enrich` fills them from arXiv",
        "arXiv's full abstract was written for each paper enriched with its metadata",
        "no arXiv metadata could be had (enrich-unavailable), so the cut abstracts were written",
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
    "arxiv-retitled": Hint(
        "papers retitled in a later arXiv version",
        "arXiv's titles are written; update the digests' titles and versions",
    ),
}


def _count(n: int) -> str:
    return f"{n:,}"


def _summarise(
    counts: Counter[tuple[str, str]],
    first: dict[tuple[str, str], Diagnostic],
    cut: int,
    enriched: bool,
    color: bool = False,
    found: int | None = None,
) -> list[str]:
    """One line per ``(code, rule)`` in code order: the full line of a single warning,
    else the count, what it means and what to do.

    ``found`` is the number of papers arXiv metadata was found for (``None``: unknown).
    """
    out: list[str] = []
    for key in sorted(counts):
        code, rule = key
        n = counts[key]
        if n == 1:
            out.append(line(first[key], color=color))
            continue
        hint = HINTS.get(rule)
        if hint is not None:
            what = hint.what.format(cut=cut)
            todo = hint.todo
            if enriched and found == 0 and hint.unavailable:
                todo = hint.unavailable
            elif enriched and hint.enriched:
                todo = hint.enriched
            out.append(f"{_count(n)} {what}: {todo} ({code} {rule})")
        else:
            out.append(
                f"{_count(n)} {rule} warnings: `digestconv validate` lists them ({code} {rule})"
            )
    return out


def warning_lines(
    diagnostics: Sequence[Diagnostic], *, cut: int = 1000, enriched: bool = False
) -> list[str]:
    """One line per rule for the warnings among ``diagnostics``, in code order.

    A rule that fired once keeps its full line (it is short, and says where).
    ``enriched`` says the run used arXiv metadata (the advice changes).
    """
    counts: Counter[tuple[str, str]] = Counter()
    first: dict[tuple[str, str], Diagnostic] = {}
    for d in diagnostics:
        if d.severity == "warning":
            counts[(d.code, d.rule)] += 1
            first.setdefault((d.code, d.rule), d)
    return _summarise(counts, first, cut, enriched)


def render(report: Report, *, color: bool = False, cut: int = 1000, enriched: bool = False) -> str:
    """Errors in full, warnings summarised, then the totals; newline-terminated."""
    from .common import sorted_diagnostics

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


@dataclass
class _Totals:
    """What :func:`~digestconv.report.text.summary` reads from a report."""

    files: int
    papers: int
    skipped: int
    errors: int
    warnings: int


class SummaryWriter:
    """:func:`render` for a run reported file by file (memory: one diagnostic per rule).

    :meth:`file` writes each file's errors at once, as ``validate`` prints them, and
    counts its warnings; :meth:`finish` writes one line per kind of warning and the
    totals.  The interface of :class:`digestconv.report.StreamWriter` (text format).
    """

    def __init__(
        self,
        write: Callable[[str], object],
        *,
        color: bool = False,
        cut: int = 1000,
        enriched: bool = False,
        quiet: bool = False,
    ) -> None:
        self.write = write
        self.color = color
        self.cut = cut
        self.enriched = enriched
        self.quiet = quiet
        self.errors = 0
        self.warnings = 0
        self._lines = 0
        self._counts: Counter[tuple[str, str]] = Counter()
        self._first: dict[tuple[str, str], Diagnostic] = {}

    def file(self, diagnostics: Sequence[Diagnostic]) -> None:
        """Report one file's diagnostics (already in report order)."""
        errors = []
        for d in diagnostics:
            if d.severity == "error":
                errors.append(line(d, color=self.color))
                continue
            key = (d.code, d.rule)
            self._counts[key] += 1
            self._first.setdefault(key, d)
        self.errors += len(errors)
        self.warnings += len(diagnostics) - len(errors)
        if errors:
            self.write("".join(e + "\n" for e in errors))
            self._lines += len(errors)

    def finish(
        self, files: int, papers: int, skipped: int = 0, *, found: int | None = None
    ) -> None:
        """Write the warning summary and the totals.

        ``found``: how many papers arXiv metadata was found for, when the run asked for it.
        """
        lines = _summarise(
            self._counts, self._first, self.cut, self.enriched, self.color, found=found
        )
        if self.quiet:
            if lines:
                self.write("".join(x + "\n" for x in lines))
            return
        if lines or self._lines:
            lines.append("")
        totals = summary(
            _Totals(files, papers, skipped, self.errors, self.warnings),  # type: ignore[arg-type]
            color=self.color,
        )
        if self.warnings:
            totals += " (warnings summarised: --show-warnings lists each)"
        lines.append(totals)
        self.write("\n".join(lines) + "\n")
