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

from collections.abc import Iterable, Mapping, Sequence

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
    papers: Sequence[Paper],
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
    refs = [i + 1 if renumber or p.ref is None else p.ref for i, p in enumerate(papers)]
    out: list[str] = [*header, "# 摘要", "", "| Ref | Title | Summary |", "| --- | --- | --- |"]
    for index, (ref, paper) in enumerate(zip(refs, papers, strict=True)):
        url = paper_url(paper)
        summary = one_line(paper.summary_zh)
        row = f"| [^{ref}] | [{table_title(paper)}]({url}) | {summary} |"
        out.append(" ".join([row, *(after_row or {}).get(index, ())]))
    out += ["", "# 详细", ""]
    for index, (ref, paper) in enumerate(zip(refs, papers, strict=True)):
        out.extend((before_block or {}).get(index, ()))
        out.extend(_block(ref, paper))
    # the producer ends a digest with an empty line after the last block
    out += ["", ""] if papers else [""]
    return "\n".join(out)


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
