"""Markdown: one canonical digest of the merged papers.

Writing renders the papers in the producer's layout (see
:mod:`digestconv.layout`), numbered 1..n in first-appearance order, so several
digests can be combined and deduplicated into one.  Reading parses a digest
with the strict reader.

Carried fields: every field of the JSON contract except ``ref`` (renumbered),
``line`` and ``end_line`` (positions in the new file).  One-line fields lose
inner newlines (the producer's own rule); ``abstract_truncated`` and
``translation_truncated`` are recomputed from the text on reading.
"""

from __future__ import annotations

from ..model import Paper
from .base import Batch, Format, FormatError


class Markdown(Format):
    """A canonical digest (``# 摘要`` table + ``# 详细`` blocks)."""

    name = "markdown"
    suffixes = (".md", ".markdown")
    aliases = ("md", "digest")
    media_type = "text/markdown; charset=utf-8"
    description = "canonical digest of the merged papers"

    def write(self, batch: Batch) -> str:
        """Render the merged papers as one digest, refs renumbered 1..n."""
        from ..layout import render

        return render(batch.papers, renumber=True)

    def read(self, text: str) -> list[Paper]:
        """Parse a digest; raise :class:`FormatError` when it is not one."""
        from ..reader import read

        digest = read(text, "<markdown>")
        if digest.kind != "digest" or not digest.recognized:
            raise FormatError("not a digest: no '# 摘要' / '# 详细' sections")
        return list(digest.papers)
