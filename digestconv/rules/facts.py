"""What the cross-file rules and the merge know about each paper, without its text.

A worker reduces each parsed paper to a :class:`PaperFact` (identifier, lines
and spans) and sends only that to the fold, where the cross-file rules read it
together with the :class:`CorpusIndex` of the files before.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import NamedTuple

from ..model import ENTRY_FIELDS, Paper, Span

SpanTuple = tuple[int, int, int, int]


class PaperFact(NamedTuple):
    """What the cross-file rules and the merge need to know about one paper.

    ``line`` is the paper's first line (its detail block, else its table row);
    ``url`` and ``block`` are the spans of its link and block as ``(line,
    column, end_line, end_column)`` tuples (cheap to send between processes;
    :meth:`span` makes a :class:`~digestconv.model.Span`); ``lines`` are the
    ``(first, last)`` line ranges the paper occupies, so a diagnostic can be
    matched to its paper.
    """

    arxiv_id: str | None
    ref: int | None
    line: int
    url: SpanTuple
    block: SpanTuple
    lines: tuple[tuple[int, int], ...]

    def covers(self, line: int) -> bool:
        """Whether ``line`` belongs to this paper."""
        return any(a <= line <= b for a, b in self.lines)

    def span(self, name: str) -> Span:
        """The span ``url`` or ``block`` as a :class:`~digestconv.model.Span`."""
        return Span(*getattr(self, name))


def paper_fact(paper: Paper) -> PaperFact:
    """The facts of ``paper`` (see :class:`PaperFact`)."""
    first = paper.line or 1
    last = paper.end_line or first
    src = paper.source
    row = src.row
    spans = src.spans
    url = spans.get("url")
    block = spans.get("block")
    return _new_fact(
        PaperFact,
        (
            paper.arxiv_id,
            paper.ref,
            first,
            tuple(url if url is not None else paper.span("url")),  # a plain tuple: it pickles small
            tuple(block if block is not None else paper.span("block")),
            ((first, last),)
            if row is None or first <= row.line <= last
            else ((first, last), (row.line, row.line)),
        ),
    )


#: ``_new_fact(PaperFact, fields)``: a fact without the keyword handling of ``PaperFact(...)``
#: (a worker makes one per paper)
_new_fact = tuple.__new__


#: the fields two copies of a paper are compared on (``duplicate-paper`` merge notes)
CONTENT_FIELDS = tuple(f for f in ENTRY_FIELDS if f not in ("ref", "line", "end_line"))


@dataclass
class CorpusIndex:
    """The compact cross-file index: where each arXiv identifier first appeared."""

    #: arXiv identifier -> (path, line) of its first copy
    first: dict[str, tuple[str, int]] = field(default_factory=dict)

    def add(self, path: str, facts: Iterable[PaperFact]) -> None:
        """Record the papers of one more file (first appearance wins)."""
        for f in facts:
            if f.arxiv_id is not None and f.arxiv_id not in self.first:
                self.first[f.arxiv_id] = (path, f.line)


_MARK = struct.Struct(f"<{len(CONTENT_FIELDS)}q")


def content_mark(paper: Paper) -> bytes:
    """A fingerprint of ``paper``'s content, field by field (:data:`CONTENT_FIELDS`).

    Equal marks, equal content (up to a 64-bit hash collision per field);
    :func:`differing_fields` names the fields in which two marks differ, so two
    copies of a paper can be compared without holding the first one's text.
    The fields' own hashes are used: a mark is comparable only with marks made
    in this process or in processes forked from it (the pool forks its workers).
    """
    return _MARK.pack(*map(hash, _CONTENT(paper)))


#: the :data:`CONTENT_FIELDS` of a paper, in order
_CONTENT = attrgetter(*CONTENT_FIELDS)


def differing_fields(first: bytes, other: bytes) -> list[str]:
    """The :data:`CONTENT_FIELDS` in which two :func:`content_mark` values differ."""
    if first == other:
        return []
    return [
        name
        for name, a, b in zip(CONTENT_FIELDS, _MARK.unpack(first), _MARK.unpack(other), strict=True)
        if a != b
    ]
