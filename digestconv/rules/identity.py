"""Identity rules: every place a paper is named agrees on which paper it is."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from .. import arxiv
from ..model import Digest, Paper, Source, Span
from .registry import Finding, rule

if TYPE_CHECKING:
    from ..settings import Settings
    from .facts import CorpusIndex, PaperFact


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _whitespace_only(a: str, b: str) -> bool:
    return a.split() == b.split()


@rule(
    "DC201",
    "title-mismatch",
    "error",
    bad="""
        | [^1] | [Scaling Laws](https://arxiv.org/abs/2402.04177) | ... |
        [^1]: ...
            Scaling Laws for Downstream Task Performance
    """,
    good="""
        | [^1] | [Scaling Laws for Downstream Tasks](https://arxiv.org/abs/2402.04177) | ... |
        [^1]: ...
            Scaling Laws for Downstream Tasks
    """,
)
def title_mismatch(digest: Digest, settings: Settings) -> Iterator[Finding]:
    """The table row's title differs from the detail block's English title.

    The table shows the detail title without its old-feed suffix
    ` (arXiv:IDvN [cat])` (the same grammar the reader uses; a title that
    merely contains `(arXiv)` is shown whole). A difference means one of them
    was edited by hand: make them equal.
    """
    for paper in digest.papers:
        src = paper.source
        row, expected = src.row, src.table_title
        if row is None or expected is None or not src.has_detail:
            continue
        if row.title.strip(" \t") != expected:  # the reader strips spaces and tabs only
            how = (
                " (they differ only in whitespace)" if _whitespace_only(row.title, expected) else ""
            )
            yield Finding(
                row.spans.get("title", paper.span("title")),
                f"table title '{_short(row.title)}' differs from the detail title "
                f"'{_short(expected)}' on line {paper.span('title').line}{how}: make them equal",
            )


@rule(
    "DC202",
    "url-mismatch",
    "error",
    bad="""
        | [^1] | [Title](https://arxiv.org/abs/2402.04177) | ... |
            [https://arxiv.org/abs/2402.04178](https://arxiv.org/abs/2402.04178)
    """,
    good="""
        | [^1] | [Title](https://arxiv.org/abs/2402.04177) | ... |
            [https://arxiv.org/abs/2402.04177](https://arxiv.org/abs/2402.04177)
    """,
)
def url_mismatch(digest: Digest, settings: Settings) -> Iterator[Finding]:
    """The table row links to another URL than the detail block.

    Both links are the paper's arXiv page. When they differ, at least one
    points at the wrong paper or a different mirror: use the same URL in both.
    """
    for paper in digest.papers:
        src = paper.source
        row = src.row
        if row is None or row.url == paper.url or paper.url is None or not src.has_detail:
            continue
        yield Finding(
            row.spans.get("url", paper.span("url")),
            f"table links to {row.url} but the detail block on line {paper.span('url').line} "
            f"links to {paper.url}: use the same URL",
        )


@rule(
    "DC203",
    "summary-mismatch",
    "error",
    bad="""
        | [^1] | [Title](https://arxiv.org/abs/2402.04177) | 本研究探讨了尺度行为。 |
            本研究探讨了大型语言模型的尺度行为。
    """,
    good="""
        | [^1] | [Title](https://arxiv.org/abs/2402.04177) | 本研究探讨了大型语言模型的尺度行为。 |
            本研究探讨了大型语言模型的尺度行为。
    """,
)
def summary_mismatch(digest: Digest, settings: Settings) -> Iterator[Finding]:
    """The table row's Chinese summary differs from the detail block's summary.

    The producer writes the same one-line summary in both places. Differences
    only in whitespace are fixed by `digestconv fmt`; others must be resolved
    by hand.
    """
    for paper in digest.papers:
        src = paper.source
        row = src.row
        if row is None or row.summary == paper.summary_zh or not src.has_detail:
            continue  # no row, or the same summary (the commonest case)
        if "summary_zh" not in src.spans:
            continue  # a layout without a summary paragraph
        table, detail = row.summary, paper.summary_zh or ""
        if table == detail:
            continue
        how = (
            "they differ only in whitespace ('digestconv fmt' fixes this)"
            if _whitespace_only(table, detail)
            else "make them equal"
        )
        yield Finding(
            row.spans.get("summary", paper.span("summary_zh")),
            f"table summary differs from the detail summary on line "
            f"{paper.span('summary_zh').line}: {how}",
        )


@rule(
    "DC204",
    "link-text-mismatch",
    "error",
    bad="""
        [https://arxiv.org/abs/2402.04177](https://arxiv.org/abs/2403.15711)
    """,
    good="""
        [https://arxiv.org/abs/2403.15711](https://arxiv.org/abs/2403.15711)
    """,
)
def link_text_mismatch(digest: Digest, settings: Settings) -> Iterator[Finding]:
    """A detail link's visible text is not its target.

    Detail blocks write the link as `[URL](URL)`. When the text shows another
    URL than the one clicked, readers are misled: write the target as text.
    """
    for paper in digest.papers:
        src = paper.source
        text = src.link_text
        if text is None or text == paper.url or paper.url is None or not src.has_detail:
            continue
        yield Finding(
            paper.span("link_text"),
            f"link text '{_short(text)}' is not its target {paper.url}: write "
            f"[{paper.url}]({paper.url})",
        )


@rule(
    "DC205",
    "url-not-arxiv",
    "error",
    bad="""
        [https://example.com/paper.pdf](https://example.com/paper.pdf)
    """,
    good="""
        [https://arxiv.org/abs/2403.15711](https://arxiv.org/abs/2403.15711)
    """,
)
def url_not_arxiv(digest: Digest, settings: Settings) -> Iterator[Finding]:
    """A paper's link is not an arXiv abstract or PDF URL.

    digestconv derives identifiers, DOIs and dates from
    `http(s)://arxiv.org/abs/ID` (also `rss.arxiv.org`, `export.arxiv.org`,
    `/pdf/ID`). Link to the paper's arXiv page.
    """
    for paper in digest.papers:
        src = paper.source
        row = src.row
        if (src.url_arxiv or paper.url is None) and (
            row is None or row.url_arxiv or row.url == paper.url or not src.has_detail
        ):
            continue  # every link is an arXiv link (the commonest case)
        urls: list[tuple[str, Span]] = []
        if paper.url is not None and not src.url_arxiv:
            urls.append((paper.url, paper.span("url")))
        if row is not None and src.has_detail and row.url != paper.url and not row.url_arxiv:
            urls.append((row.url, row.spans.get("url", paper.span("url"))))
        for url, span in urls:
            yield Finding(
                span,
                f"'{_short(url)}' is not an arXiv URL: link to https://arxiv.org/abs/ID",
            )


def _raw_ids(paper: Paper) -> list[tuple[str, str]]:
    """Every identifier written for ``paper``: (where, id), the link's first."""
    src = paper.source
    out: list[tuple[str, str]] = []
    url_id = src.url_id
    if url_id:
        out.append(("URL", url_id))
    row = src.row
    if row is not None and src.has_detail and row.url_id is not None and row.url_id != url_id:
        out.append(("table URL", row.url_id))
    if src.title_id:
        out.append(("title suffix", src.title_id))
    if src.abstract_id:
        out.append(("abstract prefix", src.abstract_id))
    return out


def _one_id(src: Source) -> str | None:
    """The link's identifier when every other place that names one names it too (the
    commonest case: :func:`_raw_ids` would find nothing to compare), else ``None``."""
    url_id = src.url_id
    if not url_id:
        return None
    other = src.title_id
    if other and other != url_id:
        return None
    other = src.abstract_id
    if other and other != url_id:
        return None
    row = src.row
    if row is not None and row.url_id is not None and row.url_id != url_id and src.has_detail:
        return None
    return url_id


#: where each identifier or version of a paper is written -> the field whose span shows it
_FIELD_OF = {"URL": "url", "title suffix": "title", "abstract prefix": "abstract"}


def _span_of(paper: Paper, where: str) -> Span:
    """The span of the identifier or version :func:`_raw_ids` found at ``where``."""
    if where == "table URL":
        row = paper.source.row
        if row is not None and "url" in row.spans:
            return row.spans["url"]
        return paper.span("url")
    return paper.span(_FIELD_OF[where])


@rule(
    "DC206",
    "id-malformed",
    "error",
    bad="""
        [https://arxiv.org/abs/2413.15711](https://arxiv.org/abs/2413.15711)
    """,
    good="""
        [https://arxiv.org/abs/2403.15711](https://arxiv.org/abs/2403.15711)
    """,
)
def id_malformed(digest: Digest, settings: Settings) -> Iterator[Finding]:
    """An arXiv identifier does not follow arXiv's grammar.

    New-style identifiers are `YYMM.NNNN` (April 2007 to 2014) or
    `YYMM.NNNNN` (from 2015) with a real month; old-style ones are
    `archive/YYMMNNN` or `archive.SC/YYMMNNN` with a real archive (1991 to
    March 2007). A version `vN` above v9999 is malformed too. Copy the
    identifier from the paper's arXiv page.
    """
    well_formed = arxiv.SURELY_WELL_FORMED.fullmatch
    for paper in digest.papers:
        good = _one_id(paper.source)
        if good is not None and well_formed(good):
            raws: list[tuple[str, str]] = []  # one identifier, well-formed: the commonest case
        else:
            good = None  # the last identifier found well-formed (a paper repeats its own)
            raws = _raw_ids(paper)
        for where, raw in raws:
            if raw == good or well_formed(raw):
                good = raw
                continue  # the commonest case, answered without check_id's work
            _, why = arxiv.check_id(raw)
            if why is None:
                good = raw
            else:
                yield Finding(
                    _span_of(paper, where),
                    f"{where} identifier '{_short(raw, 40)}' is malformed: {why}",
                )
        for where, digits, span in paper.source.bad_versions:
            shown = digits if len(digits) <= 12 else f"{digits[:6]}…{digits[-3:]}"
            yield Finding(
                span,
                f"{where} version v{shown} ({len(digits)} digits) is above v{arxiv.MAX_VERSION}: "
                "copy the version from the paper's arXiv page",
            )


@rule(
    "DC207",
    "id-mismatch",
    "error",
    bad="""
            Recurrent Linear Transformers. (arXiv:2310.15719v1 [cs.LG])

            [http://arxiv.org/abs/2310.15791](http://arxiv.org/abs/2310.15791)
    """,
    good="""
            Recurrent Linear Transformers. (arXiv:2310.15719v1 [cs.LG])

            [http://arxiv.org/abs/2310.15719](http://arxiv.org/abs/2310.15719)
    """,
)
def id_mismatch(digest: Digest, settings: Settings) -> Iterator[Finding]:
    """The URL, the title suffix and the abstract prefix name different papers.

    A paper's identifier appears in its link and, depending on the feed, in
    an old title suffix `(arXiv:ID [cat])` or a new abstract prefix
    `arXiv:IDvN Announce Type:`. They must agree: fix the one that is wrong.
    """
    for paper in digest.papers:
        if _one_id(paper.source) is not None:
            continue  # every identifier is the link's
        ids = _raw_ids(paper)
        if len(ids) < 2:
            continue
        first_where, first = ids[0]
        for where, raw in ids[1:]:
            if raw != first:
                yield Finding(
                    _span_of(paper, where),
                    f"{where} names {raw} but the {first_where} names {first}: they must agree",
                )


@rule(
    "DC208",
    "version-mismatch",
    "error",
    bad="""
            Title. (arXiv:2310.13833v2 [cs.LG] UPDATED)

            arXiv:2310.13833v1 Announce Type: replace  Abstract: ...
    """,
    good="""
            Title. (arXiv:2310.13833v2 [cs.LG] UPDATED)

            arXiv:2310.13833v2 Announce Type: replace  Abstract: ...
    """,
)
def version_mismatch(digest: Digest, settings: Settings) -> Iterator[Finding]:
    """The versions written for one paper disagree.

    The title suffix, the abstract prefix and a versioned URL (`/abs/IDvN`)
    each state a version; they describe one announcement and must agree.
    """
    for paper in digest.papers:
        src = paper.source
        url, title, abstract = src.url_version, src.title_version, src.abstract_version
        if (url is None) + (title is None) + (abstract is None) >= 2:
            continue  # one version at most: nothing to disagree (the commonest case)
        versions = (("URL", url), ("title suffix", title), ("abstract prefix", abstract))
        known = [(w, v) for w, v in versions if v is not None]
        first_where, first = known[0]
        for where, version in known[1:]:
            if version != first:
                yield Finding(
                    _span_of(paper, where),
                    f"{where} says v{version} but the {first_where} says v{first}: use one version",
                )


@rule(
    "DC209",
    "unknown-category",
    "error",
    bad="""
            Title. (arXiv:2310.15719v1 [cs.XX])
    """,
    good="""
            Title. (arXiv:2310.15719v1 [cs.LG])
    """,
)
def unknown_category(digest: Digest, settings: Settings) -> Iterator[Finding]:
    """A primary category is not in the arXiv taxonomy.

    Categories come from arXiv's taxonomy (`cs.LG`, `stat.ML`, `hep-th`, ...,
    shipped with digestconv including retired ones). A typo here ends up in
    BibTeX `primaryClass` and feed categories: correct it.
    """
    known = arxiv.categories()
    for paper in digest.papers:
        cat = paper.primary_category
        if cat is not None and cat not in known:
            near = [c for c in known if c.lower() == cat.lower()]
            hint = f" (did you mean {near[0]}?)" if near else ""
            yield Finding(
                paper.span("primary_category"),
                f"'{_short(cat, 30)}' is not an arXiv category{hint}: use one of arXiv's "
                "categories such as cs.LG",
            )


@rule(
    "DC210",
    "duplicate-paper",
    "warning",
    scope="corpus",
    bad="""
        | [^1] | [Scaling Laws](https://arxiv.org/abs/2402.04177) | ... |
        | [^5] | [Scaling Laws](https://arxiv.org/abs/2402.04177) | ... |
    """,
    good="""
        | [^1] | [Scaling Laws](https://arxiv.org/abs/2402.04177) | ... |
    """,
)
def duplicate_paper(
    path: str, papers: Sequence[PaperFact], index: CorpusIndex, settings: Settings
) -> Iterator[Finding]:
    """The same arXiv paper appears twice, in one digest or across the files checked.

    Within a digest a repeated paper is usually a copy-paste slip. Across
    digests it is common (a paper is cross-listed or replaced), so converters
    merge copies by identifier; this warning tells you which copy wins (the
    first). With `--per-file` only repeats inside one file are reported.
    """
    here: dict[str, int] = {}
    for paper in papers:
        if paper.arxiv_id is None:
            continue
        seen = index.first.get(paper.arxiv_id)
        if seen is None:
            line = here.get(paper.arxiv_id)
            if line is None:
                here[paper.arxiv_id] = paper.line
                continue
            seen = (path, line)
        where = f"line {seen[1]}" if seen[0] == path else f"{seen[0]}:{seen[1]}"
        yield Finding(
            paper.span("url"),
            f"arXiv:{paper.arxiv_id} already appears at {where}: delete one copy "
            "(converters keep the first)",
            path,
        )


@rule(
    "DC211",
    "missing-field",
    "error",
    bad="""
        [^1]: 中文标题

            English Title

            (no link line)
    """,
    good="""
        [^1]: 中文标题

            English Title

            [https://arxiv.org/abs/2403.15711](https://arxiv.org/abs/2403.15711)
    """,
)
def missing_field(digest: Digest, settings: Settings) -> Iterator[Finding]:
    """A paper lacks its English title, arXiv link or identifier, or its English abstract.

    Without a title or link a paper cannot be cited; without an identifier
    it has no DOI, date or stable feed id. Abstract pages lack all three.
    """
    if digest.kind == "abstract-page":
        for name in ("title", "arXiv link", "arXiv identifier"):
            yield Finding(
                Span.point(1),
                f"abstract page has no {name}: it cannot be cited; find the paper on arXiv "
                "and add it to a digest",
            )
        return
    for paper in digest.papers:
        src = paper.source
        if not src.has_detail:
            continue
        lacks_id = paper.arxiv_id is None and paper.url is not None and src.url_id is None
        if not src.missing and paper.title is not None and not lacks_id:
            continue  # the commonest case: nothing is missing
        missing = list(src.missing)
        if paper.title is None and "title" not in missing:
            missing.append("title")
        if lacks_id:
            missing.append("arxiv_id")
        for name in missing:
            yield Finding(
                paper.span("block"),
                f"detail block [^{paper.ref}] has no {_MISSING_NAMES.get(name, name)}: add it",
            )


#: how :func:`missing_field` names what a detail block lacks
_MISSING_NAMES = {
    "title": "English title",
    "url": "[URL](URL) link",
    "abstract": "English abstract",
    "arxiv_id": "arXiv identifier",
}
