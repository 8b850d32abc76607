"""Inline suppressions: ``<!-- digestconv: ignore[rule] -->`` comments.

* ``<!-- digestconv: ignore[abstract-truncated] -->`` on its own line silences
  the named rules (names or codes, comma-separated; none means all rules) for
  the construct that follows: a detail block (to its last line), a table row,
  or else the next line.
* ``<!-- digestconv: ignore-file[encoding] -->`` anywhere silences them in the
  whole file.

HTML comments are invisible when markdown is rendered, so suppressions keep
a digest valid markdown.  A suppression that silences nothing is reported as
``unused-suppression`` (by the pipeline), so stale ones do not pile up.

The reader finds what each comment covers (:mod:`digestconv.reader.walk`);
:func:`suppress` matches diagnostics to suppressions.
"""

from __future__ import annotations

import heapq
from collections.abc import Container, Iterable, Sequence

from .model import Diagnostic, Suppression

UNUSED = "unused-suppression"


def covers(s: Suppression, d: Diagnostic) -> bool:
    """Whether suppression ``s`` silences diagnostic ``d`` (by line and rule)."""
    if not s.start <= d.line <= s.end:
        return False
    return not s.rules or any(r.upper() == d.code or r.lower() == d.rule for r in s.rules)


def _keys(s: Suppression) -> set[tuple[str, str]]:
    if not s.rules:
        return {("*", "")}
    return {k for r in s.rules for k in (("code", r.upper()), ("name", r.lower()))}


def suppress(
    diagnostics: Iterable[Diagnostic],
    suppressions: Sequence[Suppression],
    exempt: Container[str] = (UNUSED,),
) -> tuple[list[Diagnostic], set[int]]:
    """Drop the diagnostics a suppression covers; also the indices of the suppressions used.

    A diagnostic is credited to the first suppression, in file order, that
    covers it (:func:`covers`); rules named in ``exempt`` are never silenced.
    One sweep over the lines: diagnostics in line order meet the suppressions
    whose range has started, kept per rule key in heaps ordered by file
    position, and a suppression whose range has ended leaves its heap for
    good.  The work grows as (diagnostics + suppressions) x log, never as
    their product, whatever the shape (thousands of comments before one
    block, a comment on every row, file-level comments).
    """
    diagnostics = list(diagnostics)
    if not suppressions or not diagnostics:
        return diagnostics, set()
    starts = sorted(range(len(suppressions)), key=lambda i: suppressions[i].start)
    order = sorted(range(len(diagnostics)), key=lambda i: diagnostics[i].line)
    heaps: dict[tuple[str, str], list[tuple[int, int]]] = {}
    hits: dict[int, int] = {}
    next_start = 0
    for di in order:
        d = diagnostics[di]
        if d.rule in exempt:
            continue
        line = d.line
        while next_start < len(starts) and suppressions[starts[next_start]].start <= line:
            si = starts[next_start]
            s = suppressions[si]
            for key in _keys(s):
                heapq.heappush(heaps.setdefault(key, []), (si, s.end))
            next_start += 1
        best = None
        for key in (("*", ""), ("code", d.code), ("name", d.rule)):
            heap = heaps.get(key)
            while heap and heap[0][1] < line:  # ended above this line: gone for good
                heapq.heappop(heap)
            if heap and (best is None or heap[0][0] < best):
                best = heap[0][0]
        if best is not None:
            hits[di] = best
    kept = [d for i, d in enumerate(diagnostics) if i not in hits]
    return kept, set(hits.values())
