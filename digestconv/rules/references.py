"""Reference rules: the summary table and the detail blocks name the same papers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..model import Digest, Span, TableRow
from .registry import Finding, rule

if TYPE_CHECKING:
    from ..settings import Settings


def _ref_span(row: TableRow) -> Span:
    """Where a row's reference is written (its line when the reader has no span)."""
    span = row.spans.get("ref")
    return span if span is not None else Span.point(row.line)


@rule(
    "DC101",
    "ref-missing-detail",
    "error",
    bad="""
        | [^1] | [A Title](https://arxiv.org/abs/2403.15711) | 总结 |

        # 详细

        (no [^1]: block)
    """,
    good="""
        | [^1] | [A Title](https://arxiv.org/abs/2403.15711) | 总结 |

        # 详细

        [^1]: 中文标题
        ...
    """,
)
def ref_missing_detail(digest: Digest, settings: Settings) -> Iterator[Finding]:
    """A summary-table row names a reference that has no `[^N]:` detail block.

    Every row `| [^N] | ... |` needs a detail block `[^N]:` holding the
    paper's titles, link, summaries and abstracts. Add the block, or delete
    the row.
    """
    blocks = {ref for ref, _ in digest.blocks}
    for row in digest.rows:
        if row.ref is not None and row.ref not in blocks:
            yield Finding(
                row.spans.get("ref", Span.point(row.line)),
                f"table row [^{row.ref}] has no '[^{row.ref}]:' detail block: add one or "
                "delete the row",
            )


@rule(
    "DC102",
    "ref-missing-row",
    "error",
    bad="""
        (table without a [^2] row)

        [^2]: 中文标题
    """,
    good="""
        | [^2] | [A Title](https://arxiv.org/abs/2403.15711) | 总结 |

        [^2]: 中文标题
    """,
)
def ref_missing_row(digest: Digest, settings: Settings) -> Iterator[Finding]:
    """A `[^N]:` detail block has no row in the summary table.

    Readers of a digest start from the summary table; a paper that only has a
    detail block is easy to miss. Add the row `| [^N] | [title](url) |
    summary |`, or delete the block.
    """
    rows = {row.ref for row in digest.rows}
    for ref, span in digest.blocks:
        if ref is not None and ref not in rows:
            yield Finding(
                span,
                f"detail block [^{ref}] has no summary-table row: add "
                f"'| [^{ref}] | [title](url) | summary |' or delete the block",
            )


@rule(
    "DC103",
    "ref-duplicate",
    "error",
    bad="""
        | [^1] | [First](https://arxiv.org/abs/2403.15711) | 总结 |
        | [^1] | [Second](https://arxiv.org/abs/2403.15712) | 总结 |
    """,
    good="""
        | [^1] | [First](https://arxiv.org/abs/2403.15711) | 总结 |
        | [^2] | [Second](https://arxiv.org/abs/2403.15712) | 总结 |
    """,
)
def ref_duplicate(digest: Digest, settings: Settings) -> Iterator[Finding]:
    """Two table rows, or two detail blocks, use the same reference number.

    Markdown footnotes must be unique: with two `[^3]:` blocks a renderer shows
    only one, and the table cannot say which it means. Renumber one of them
    (`digestconv fmt` renumbers references in order).
    """
    refs = [row.ref for row in digest.rows]
    blocks = [ref for ref, _ in digest.blocks]
    if len(set(refs)) == len(refs) and len(set(blocks)) == len(blocks):
        return  # every number used once (two None would count as a repeat and look closer)
    seen: dict[int, int] = {}
    for row in digest.rows:
        if row.ref is None:
            continue
        if row.ref in seen:
            yield Finding(
                row.spans.get("ref", Span.point(row.line)),
                f"reference [^{row.ref}] already used by the table row on line "
                f"{seen[row.ref]}: renumber one of them",
            )
        else:
            seen[row.ref] = row.line
    seen = {}
    for ref, span in digest.blocks:
        if ref is None:
            continue
        if ref in seen:
            yield Finding(
                span,
                f"detail block [^{ref}] already defined on line {seen[ref]}: renumber or "
                "merge them",
            )
        else:
            seen[ref] = span.line


@rule(
    "DC104",
    "ref-order",
    "error",
    bad="""
        | [^1] | ... |
        | [^3] | ... |
        | [^2] | ... |
    """,
    good="""
        | [^1] | ... |
        | [^2] | ... |
        | [^3] | ... |
    """,
)
def ref_order(digest: Digest, settings: Settings) -> Iterator[Finding]:
    """References are not numbered 1, 2, 3, ... in order, or blocks follow another order.

    The producer numbers rows from 1 without gaps and writes the detail blocks
    in the table's order. Gaps and swaps come from hand edits and make
    footnotes hard to follow; `digestconv fmt` renumbers them.
    """
    expected = 1
    position: dict[int, int] = {}  # each reference -> where the table first uses it
    for i, row in enumerate(digest.rows):
        ref = row.ref
        if ref is None or ref in position:  # duplicates: see ref-duplicate
            continue
        position[ref] = i
        if ref == expected:  # the commonest case: in order
            expected += 1
            continue
        span = _ref_span(row)
        if ref < 1:
            yield Finding(span, f"reference [^{ref}]: references are numbered from [^1]")
        elif ref < expected:
            yield Finding(span, f"row [^{ref}] comes after [^{expected - 1}]: sort the rows")
        else:
            missing = f"[^{expected}]" if ref == expected + 1 else f"[^{expected}]..[^{ref - 1}]"
            yield Finding(span, f"row [^{ref}] skips {missing}: renumber the references")
        expected = max(expected, ref + 1)
    last = -1
    for ref, span in digest.blocks:
        at = position.get(ref) if ref is not None else None
        if at is None:
            continue
        if at < last:
            yield Finding(
                span,
                f"detail block [^{ref}] is out of the table's order: move it after the blocks "
                "of the rows above it",
            )
        else:
            last = at
