"""Render papers as a digest in the producer's canonical layout.

The inverse of :mod:`digestconv.reader` for the standard layout: for every
paper whose fields are representable, ``read(render(papers))`` gives the same
papers back.  ``digestconv fmt`` and the ``markdown`` format use it.

Layout (each detail field indented by four spaces, fields separated by an
empty line, an empty field written as four spaces)::

    # 摘要

    | Ref | Title | Summary |
    | --- | --- | --- |
    | [^1] | [Title](URL) | 中文总结 |

    # 详细

    [^1]: 中文标题

        Title

        [URL](URL)

        中文总结

        English summary or four spaces

        中文摘要

        arXiv:IDvN Announce Type: new  Abstract: English abstract
    (four spaces, then the next block)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

from .arxiv import abs_url
from .model import Paper

INDENT = "    "
_OLD_TYPES = {"replace": "UPDATED", "cross": "CROSS LISTED"}


def one_line(text: str | None) -> str:
    """A field as one markdown line: newlines become spaces, outer blanks go."""
    if not text:
        return ""
    return " ".join(text.split("\n")).strip(" \t")


def detail_title(paper: Paper) -> str:
    """The English title as the detail block writes it, with an old-feed suffix.

    Papers with a primary category were read from old-feed titles
    ``Title. (arXiv:IDvN [cat] UPDATED)``; the suffix is rebuilt from the model.
    """
    title = one_line(paper.title)
    if paper.primary_category and paper.arxiv_id:
        version = f"v{paper.version}" if paper.version else ""
        kind = _OLD_TYPES.get(paper.announce_type or "", "")
        extra = f" {kind}" if kind else ""
        return f"{title}. (arXiv:{paper.arxiv_id}{version} [{paper.primary_category}]{extra})"
    return title


def english_abstract(paper: Paper) -> str:
    """The English abstract line, with the new-feed announce prefix when known."""
    abstract = one_line(paper.abstract)
    if paper.announce_type and paper.arxiv_id and not paper.primary_category:
        version = f"v{paper.version}" if paper.version else ""
        prefix = f"arXiv:{paper.arxiv_id}{version} Announce Type: {paper.announce_type}  Abstract:"
        return f"{prefix} {abstract}" if abstract else prefix
    return abstract


def table_title(paper: Paper) -> str:
    """The title the summary table shows (old-feed titles keep the appended dot)."""
    title = one_line(paper.title)
    return f"{title}." if paper.primary_category and paper.arxiv_id else title


def paper_url(paper: Paper) -> str:
    """The paper's link as written, or its canonical abstract URL."""
    if paper.url:
        return paper.url
    return abs_url(paper.arxiv_id) if paper.arxiv_id else ""


def render(
    papers: Iterable[Paper],
    *,
    renumber: bool = False,
    header: Sequence[str] = (),
    after_row: Mapping[int, Sequence[str]] | None = None,
    before_block: Mapping[int, Sequence[str]] | None = None,
) -> str:
    """Render ``papers`` as one digest; ``renumber`` numbers refs 1..n.

    ``header`` lines go first; ``after_row`` maps a paper's index to comments
    written after its table row's last cell (a line between rows would end the
    table), ``before_block`` to lines written just before its detail block.
    """
    return "".join(
        render_chunks(
            papers,
            renumber=renumber,
            header=header,
            after_row=after_row,
            before_block=before_block,
        )
    )


def render_chunks(
    papers: Iterable[Paper],
    *,
    renumber: bool = False,
    header: Sequence[str] = (),
    after_row: Mapping[int, Sequence[str]] | None = None,
    before_block: Mapping[int, Sequence[str]] | None = None,
) -> Iterator[str]:
    """:func:`render` piece by piece: the head, one table row per paper, the
    ``# 详细`` heading, one detail block per paper, the end.

    ``papers`` is iterated twice (rows, then blocks) and never indexed.
    """

    def refs() -> Iterator[tuple[int, int, Paper]]:
        for index, paper in enumerate(papers):
            ref = index + 1 if renumber or paper.ref is None else paper.ref
            yield index, ref, paper

    yield "".join(f"{line}\n" for line in (*header, "# 摘要", "", _TABLE_HEAD, _TABLE_RULE))
    for index, ref, paper in refs():
        url = paper_url(paper)
        summary = one_line(paper.summary_zh)
        row = f"| [^{ref}] | [{table_title(paper)}]({url}) | {summary} |"
        yield " ".join([row, *(after_row or {}).get(index, ())]) + "\n"
    yield "\n# 详细\n\n"
    any_paper = False
    for index, ref, paper in refs():
        any_paper = True
        lines = [*(before_block or {}).get(index, ()), *_block(ref, paper)]
        yield "".join(f"{line}\n" for line in lines)
    # the producer ends a digest with an empty line after the last block
    if any_paper:
        yield "\n"


_TABLE_HEAD = "| Ref | Title | Summary |"
_TABLE_RULE = "| --- | --- | --- |"


def _block(ref: int, paper: Paper) -> Iterable[str]:
    url = paper_url(paper)
    title_zh = one_line(paper.title_zh)
    yield f"[^{ref}]: {title_zh}" if title_zh else f"[^{ref}]:"
    fields = [
        detail_title(paper),
        f"[{url}]({url})",
        one_line(paper.summary_zh),
        one_line(paper.summary_en),
        one_line(paper.abstract_zh),
        english_abstract(paper),
    ]
    for value in fields:
        yield ""
        yield INDENT + value
    yield INDENT
