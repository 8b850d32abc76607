"""TeX math whose dollars do not pair: in a digest's text, and in arXiv's metadata.

The writers keep ``$...$`` math as written, so that BibTeX typesets it.  A text
whose ``$`` signs do not pair up (one was lost: ``前瞻深度$h，``) would put prose in
math and a formula in text; the writers then print every ``$`` of that text as a
dollar sign instead (:func:`digestconv.latex.math_balanced`).  These rules say where.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..model import Span
from .registry import Finding, rule

if TYPE_CHECKING:
    from ..enrich.record import ArxivRecord
    from ..model import Digest, Paper
    from ..settings import Settings

#: the text fields of a paper that the writers carry, in reading order
FIELDS = ("title", "title_zh", "summary_zh", "summary_en", "abstract_zh", "abstract")
#: how the messages name them
NAMES = {
    "title": "English title",
    "title_zh": "Chinese title",
    "summary_zh": "Chinese summary",
    "summary_en": "English summary",
    "abstract_zh": "Chinese abstract",
    "abstract": "English abstract",
}


def _lone_dollar(text: str) -> int:
    """Where the ``$`` that pairs with nothing most likely stands: the last one of an odd
    number (a closing ``$`` was lost), else the first."""
    count = text.count("$")
    return text.rfind("$") if count % 2 else text.find("$")


def _at(paper: Paper, field: str, text: str) -> Span:
    span = paper.span(field)
    if span.line != span.end_line:
        return Span(span.line, span.column, span.line, span.column + 1)
    column = span.column + _lone_dollar(text)
    return Span(span.line, column, span.line, column + 1)


@rule(
    "DC303",
    "math-unbalanced",
    "warning",
    bad="""
        [^1]: 一种策略镜像下降算法

            提出了$h$-PMD，结合前瞻深度$h，以解决马尔可夫决策过程。
    """,
    good="""
        [^1]: 一种策略镜像下降算法

            提出了$h$-PMD，结合前瞻深度$h$，以解决马尔可夫决策过程。
    """,
)
def math_unbalanced(digest: Digest, settings: Settings) -> Iterator[Finding]:
    """A text's `$` signs do not pair up into TeX math: one was lost or is a plain dollar.

    BibTeX and the other formats keep `$...$` math as written. When the dollars
    of a text do not pair up, keeping them would turn prose into math and a
    formula into prose, so every `$` of that text is written as a dollar sign
    and the formula prints as its source. Restore the lost `$`, or write a
    plain dollar as `\\$`.
    """
    from ..latex import math_balanced

    for paper in digest.papers:
        for field in FIELDS:
            text = getattr(paper, field)
            if text and "$" in text and not math_balanced(text):
                yield Finding(
                    _at(paper, field, text),
                    f"{NAMES[field]} has a `$` that pairs with no other: its math is written "
                    "as plain text; restore the lost `$`, or write a plain dollar as `\\$`",
                )


@rule(
    "DC510",
    "arxiv-math-unbalanced",
    "warning",
    scope="metadata",
    bad="""
        arXiv:0704.0106  abstract: ... where $p is the momentum and $E$ the energy ...
    """,
    good="""
        the digest's own abstract is written; arXiv's TeX is fixed on arXiv
    """,
)
def arxiv_math_unbalanced(
    paper: Paper, record: ArxivRecord | None, settings: Settings
) -> Iterator[Finding]:
    """The title or abstract arXiv has for the paper holds a `$` that pairs with no other.

    Authors' TeX on arXiv sometimes lost a `$`. With `--enrich`, that text is
    written with every `$` as a dollar sign, so that no prose becomes math: its
    formulas print as their source. Nothing in the digest is wrong; the note
    says why the citation shows TeX source.
    """
    if record is None:
        return
    from ..latex import math_balanced

    for name, text in (("title", record.title), ("abstract", record.abstract)):
        if text and "$" in text and not math_balanced(text):
            yield Finding(
                paper.span("url"),
                f"arXiv's {name} of arXiv:{record.arxiv_id} has a `$` that pairs with no "
                "other: its math is written as plain text",
            )
