"""Content rules: text the producer cut short."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..model import Digest, Span, _new_span
from ..text import abstract_truncated as is_cut
from ..text import translation_cut
from .registry import Finding, rule

if TYPE_CHECKING:
    from ..settings import Settings


def _tail(text: str, n: int = 24) -> str:
    text = text.rstrip()
    return ("…" + text[-n:]) if len(text) > n else text


def _end(span: Span) -> Span:
    """The last character of a span: where the cut is."""
    end_line, end_column = span[2], span[3]
    return _new_span(Span, (end_line, max(end_column - 1, 1), end_line, end_column))


#: ``_new_finding(Finding, (span, message, None))``: a finding without the keyword handling
#: of ``Finding(...)`` (these rules report tens of thousands of cut texts), as
#: :data:`~digestconv.model._new_span` builds spans
_new_finding = tuple.__new__


@rule(
    "DC301",
    "abstract-truncated",
    "warning",
    bad="""
            ... In addition, we extend our findin
    """,
    good="""
            ... In addition, we extend our findings to the general case.
    """,
)
def abstract_truncated(digest: Digest, settings: Settings) -> Iterator[Finding]:
    """The English abstract stops at the producer's character cut, mid-sentence.

    The digest producer cuts every feed abstract to its first 1000 characters
    (the `abstract-cut` setting), so long abstracts end in the middle of a
    word. Converters mark such abstracts as truncated; the full text is on the
    paper's arXiv page.
    """
    cut = settings.abstract_cut
    says = f"English abstract stops at the {cut}-character cut mid-sentence ('"
    for paper in digest.papers:
        abstract = paper.abstract
        if abstract is None:
            continue
        src = paper.source
        if is_cut(src.raw_abstract_length, abstract, cut):
            yield _new_finding(
                Finding,
                (
                    _end(src.spans.get("abstract") or paper.span("abstract")),
                    f"{says}{_tail(abstract)}'): the full abstract "
                    f"is at {paper.url or 'the paper arXiv page'}",
                    None,
                ),
            )


@rule(
    "DC302",
    "translation-truncated",
    "warning",
    bad="""
            ……我们提出了当只有部分分布变化满足条件时的部分可识
    """,
    good="""
            ……我们提出了当只有部分分布变化满足条件时的部分可识别性结果。
    """,
)
def translation_truncated(digest: Digest, settings: Settings) -> Iterator[Finding]:
    """The Chinese abstract ends mid-sentence, in a Latin fragment or with a cut marker.

    Translations of cut abstracts are usually cut too, sometimes marked with
    `...`, `……` or `（原文截断）`. The translation should be redone from the full
    abstract.
    """
    for paper in digest.papers:
        text = paper.abstract_zh
        if text is None:
            continue
        src = paper.source  # the reader already judged papers it read
        why = src.translation_cut if src.has_detail else translation_cut(text)
        if why is not None:
            yield _new_finding(
                Finding,
                (
                    _end(src.spans.get("abstract_zh") or paper.span("abstract_zh")),
                    f"Chinese abstract {why} ('{_tail(text, 12)}'): translate the full abstract",
                    None,
                ),
            )


@rule(
    "DC401",
    "unused-suppression",
    "warning",
    bad="""
        <!-- digestconv: ignore[abstract-truncated] -->
        [^1]: 一篇摘要完整的论文
    """,
    good="""
        [^1]: 一篇摘要完整的论文
    """,
)
def unused_suppression(digest: Digest, settings: Settings) -> Iterator[Finding]:
    """A `<!-- digestconv: ignore[...] -->` comment silences nothing, or names an unknown rule.

    Suppressions outlive the problems they silenced; stale ones hide the next
    real problem. This rule is applied by the suppression engine after all
    other rules ran; delete the comment it points at.
    """
    return iter(())


@rule(
    "DC900",
    "not-converted",
    "error",
    bad="""
        $ digestconv to bibtex seeds/
        seeds/004_6a7442de060cbd81.txt:1:1: DC900 not-converted not converted:
          the file is not a digest (no citable papers)
    """,
    good="""
        $ digestconv to bibtex seeds/000_20f5c0d8057fc2ad.txt
    """,
)
def not_converted(digest: Digest, settings: Settings) -> Iterator[Finding]:
    """`digestconv to` left a paper or a file out of the output.

    Papers touched by an error, papers without a valid arXiv identifier and
    files that are not digests are not converted, so the output never carries
    a broken record. Fix the errors reported next to it, or pass `--strict`
    to write nothing at all when anything is wrong. Reported by `to` only.
    """
    return iter(())
