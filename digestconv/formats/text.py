"""Formatted references as plain text (``to text``) and as Markdown (``to markdown-refs``).

One entry per paper of the batch (papers are already unique by arXiv identifier),
in input order, or sorted when the style's bibliography sorts (APA, Chicago, GB/T
7714 author-date...).  The style, locale and engine are those of
:mod:`digestconv.formats._styles` and :mod:`digestconv.formats._citeproc`; items come from
:func:`digestconv.formats.csljson.item`, so an enriched run (``--enrich``) prints
authors and full dates.

``text``: one entry per line, nothing else, ready to paste.  With
``with_chinese``, the paper's Chinese title and one-line summary follow its entry on
two lines indented by four spaces (GB/T 7714 wants the original-language title in the
reference itself, so the translation is never put there).

``markdown-refs``: a ``# References`` heading (the style's title below it), then one
paragraph per entry with the style's emphasis as ``*...*`` and Markdown's specials
escaped; with ``with_chinese``, the Chinese title and summary follow each entry as a
paragraph starting "中文：".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from ..model import Paper
from .base import Batch, Format


def _plain(text: str | None) -> str | None:
    """One line of text: inner line breaks and runs of spaces become one space."""
    if not text:
        return None
    return " ".join(text.split()) or None


def chinese(paper: Paper) -> tuple[str | None, str | None]:
    """The paper's Chinese title and one-line summary, each on one line."""
    return _plain(paper.title_zh), _plain(paper.summary_zh)


class References(Format):
    """Base of the formats that print formatted references (style, locale, Chinese)."""

    #: ``text``, ``html`` or ``markdown``: what the engine writes
    output: ClassVar[str] = "text"
    #: the formats that take ``--style``, ``--locale`` and ``--with-chinese``
    takes_style: ClassVar[bool] = True

    def __init__(
        self, style: str | None = None, locale: str | None = None, with_chinese: bool = False
    ) -> None:
        self.style = style
        self.locale = locale
        self.with_chinese = with_chinese

    def renderer(self) -> Any:
        """The :class:`~digestconv.formats._citeproc.Renderer` of this format's options."""
        from ._citeproc import Renderer

        return Renderer(self.style, self.locale, self.output)

    def check(self) -> None:
        """Load the style and locale now: raise :class:`~._styles.StyleError` if bad."""
        self.renderer()

    def items(self, batch: Batch) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        """``(CSL item, payload)`` per paper; the payload carries what entries add."""
        from ._common import keyed
        from .csljson import item

        for paper, key in keyed(batch.papers):
            zh_title, zh_summary = chinese(paper) if self.with_chinese else (None, None)
            payload = {"title_zh": zh_title, "summary_zh": zh_summary}
            yield item(paper, key, batch.record(paper)), payload

    def chunks(self, batch: Batch) -> Iterator[str]:  # pragma: no cover - abstract
        """The output piece by piece: header, one chunk per entry, footer."""
        raise NotImplementedError


class Text(References):
    """Formatted references, one per line (GB/T 7714 numeric by default)."""

    name: ClassVar[str] = "text"
    suffixes: ClassVar[tuple[str, ...]] = (".txt",)
    aliases: ClassVar[tuple[str, ...]] = ("txt", "references", "refs")
    media_type: ClassVar[str] = "text/plain; charset=utf-8"
    description: ClassVar[str] = "formatted references in a CSL style (default GB/T 7714)"
    output: ClassVar[str] = "text"

    def chunks(self, batch: Batch) -> Iterator[str]:
        """One line per entry (plus the Chinese lines with ``with_chinese``)."""
        renderer = self.renderer()
        for entry, payload in renderer.bibliography(self.items(batch)):
            lines = [" ".join(entry.split())]
            lines += [f"    {t}" for t in (payload["title_zh"], payload["summary_zh"]) if t]
            yield "\n".join(lines) + "\n"


class MarkdownRefs(References):
    """Formatted references as a Markdown document."""

    name: ClassVar[str] = "markdown-refs"
    suffixes: ClassVar[tuple[str, ...]] = (".refs.md",)
    aliases: ClassVar[tuple[str, ...]] = ("md-refs", "bibliography")
    media_type: ClassVar[str] = "text/markdown; charset=utf-8"
    description: ClassVar[str] = "formatted references as Markdown (a CSL style)"
    output: ClassVar[str] = "markdown"

    def chunks(self, batch: Batch) -> Iterator[str]:
        """A heading, then one paragraph per entry."""
        from ._citeproc import markdown_escape as escape

        renderer = self.renderer()
        yield f"# References\n\n{escape(renderer.title)}\n"
        for entry, payload in renderer.bibliography(self.items(batch)):
            text = _block_safe(" ".join(entry.split()))
            extra = [escape(t) for t in (payload["title_zh"], payload["summary_zh"]) if t]
            yield f"\n{text}\n"
            if extra:
                yield f"\n中文：{' '.join(extra)}\n"


def _block_safe(text: str) -> str:
    """``text`` that Markdown reads as a paragraph, never a list item, heading or quote."""
    if not text:
        return text
    head = text[0]
    if head in "#>" or (head in "-+*" and text[1:2] in ("", " ", "\t")):
        return "\\" + text  # a heading, quote or list item otherwise ("*Title*" stays)
    digits = 0
    while digits < len(text) and digits < 10 and text[digits].isdigit():
        digits += 1
    if digits and text[digits : digits + 1] in (".", ")"):
        return text[:digits] + "\\" + text[digits:]
    return text
