"""Markdown: one canonical digest of the merged papers.

Writing renders the papers in the producer's layout (see
:mod:`digestconv.layout`), numbered 1..n in first-appearance order, so several
digests can be combined and deduplicated into one.  Reading parses a digest
with the strict reader.

Carried fields: every field of the JSON contract except ``ref`` (renumbered),
``line`` and ``end_line`` (positions in the new file).  One-line fields lose
inner newlines (the producer's own rule); ``abstract_truncated`` and
``translation_truncated`` are recomputed from the text on reading.

A paper whose source silenced a rule with a suppression comment keeps that
rule silenced here: where the new digest would report the same rule on the
paper, a ``<!-- digestconv: ignore[...] -->`` comment goes before its detail
block or after its table row, so the output validates as its sources did.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Paper
from .base import Batch, Format, FormatError


class Markdown(Format):
    """A canonical digest (``# 摘要`` table + ``# 详细`` blocks)."""

    name = "markdown"
    suffixes = (".md", ".markdown")
    aliases = ("md", "digest")
    media_type = "text/markdown; charset=utf-8"
    description = "canonical digest of the merged papers"

    def chunks(self, batch: Batch) -> Iterator[str]:
        """Render the merged papers as one digest, refs renumbered 1..n: the table
        head, a row per paper, the detail heading, a block per paper, the end."""
        from ..layout import render_chunks

        if batch.accepted:
            after_row, before_block = _still_silenced(batch)
            if after_row or before_block:
                yield from render_chunks(
                    batch.papers, renumber=True, after_row=after_row, before_block=before_block
                )
                return
        yield from render_chunks(batch.papers, renumber=True)

    def read(self, text: str) -> list[Paper]:
        """Parse a digest; raise :class:`FormatError` when it is not one."""
        from ..reader import read

        digest = read(text, "<markdown>")
        if digest.kind != "digest" or not digest.recognized:
            raise FormatError("not a digest: no '# 摘要' / '# 详细' sections")
        return list(digest.papers)


#: a rule on the new digest -> the rule its source reported for the same defect: a paper
#: with no detail block has no English abstract, and the block written for it says so
_SAME_DEFECT = {"missing-field": "ref-missing-detail"}


def _still_silenced(batch: Batch) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Suppression comments for the new digest, after each row and before each block.

    The default rules run on each paper whose source silenced a rule, written
    alone as a digest (no rule of a canonical digest looks across its papers),
    so only one paper's text is held at a time.  A finding on it is silenced when
    the paper's source silenced the same rule or the same defect
    (:data:`_SAME_DEFECT`), or silenced everything there.  Anything else stays.
    """
    from ..layout import render
    from ..reader import read
    from ..rules.engine import Planner, run_file_rules
    from ..settings import Settings

    planner = Planner(Settings())
    on_row: dict[int, set[str]] = {}
    on_block: dict[int, set[str]] = {}
    for index, source in enumerate(batch.papers):
        accepted = batch.accepted.get(source.arxiv_id or "", ())
        if not accepted:
            continue
        digest = read(render([source], renumber=True), "<markdown>")
        if not digest.papers:
            continue
        paper = digest.papers[0]
        row = paper.source.row.line if paper.source.row is not None else None
        first = paper.line or 0
        last = paper.end_line or first
        for d in run_file_rules(digest, planner):
            if d.line != row and not first <= d.line <= last:
                continue  # the headings: not this paper's
            if "*" in accepted or d.rule in accepted or _SAME_DEFECT.get(d.rule) in accepted:
                (on_row if d.line == row else on_block).setdefault(index, set()).add(d.rule)

    def comments(found: dict[int, set[str]]) -> dict[int, list[str]]:
        return {
            i: [f"<!-- digestconv: ignore[{', '.join(sorted(r))}] -->"] for i, r in found.items()
        }

    return comments(on_row), comments(on_block)
