"""Metadata rules: a digest's paper compared with arXiv's record of it.

They run only when papers are enriched (``--enrich``): each check gets one paper
and its :class:`~digestconv.enrich.record.ArxivRecord` (``None`` when arXiv has no
such paper; papers whose lookup failed are not checked).  The comparisons are the
conflict policy's own predicates (:mod:`digestconv.enrich.merge`), so what a rule
reports is exactly what the writers resolve.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .registry import Finding, rule

if TYPE_CHECKING:
    from ..enrich.record import ArxivRecord
    from ..model import Paper
    from ..settings import Settings


def _short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


@rule(
    "DC501",
    "enrich-not-found",
    "error",
    scope="metadata",
    bad="""
        | [^1] | [Identifiable Latent Neural Causal Models](https://arxiv.org/abs/2403.99999) |
    """,
    good="""
        | [^1] | [Identifiable Latent Neural Causal Models](https://arxiv.org/abs/2403.15711) |
    """,
)
def enrich_not_found(
    paper: Paper, record: ArxivRecord | None, settings: Settings
) -> Iterator[Finding]:
    """No arXiv paper has the digest's identifier.

    arXiv answered the lookup and knows no paper with this identifier: the link
    points nowhere, usually a typing error in the identifier or an invented
    entry. Fix the link (and the identifier in the abstract prefix) to the
    paper's real arXiv identifier.
    """
    if record is None:
        yield Finding(
            paper.span("url"),
            f"arXiv has no paper arXiv:{paper.arxiv_id}: the link points nowhere; "
            "correct the identifier to the paper's real one",
        )


@rule(
    "DC504",
    "arxiv-title-mismatch",
    "error",
    scope="metadata",
    bad="""
        [^1]: 可识别的潜在神经因果模型
            Scaling Laws for Downstream Task Performance
            https://arxiv.org/abs/2403.15711
    """,
    good="""
        [^1]: 可识别的潜在神经因果模型
            Identifiable Latent Neural Causal Models
            https://arxiv.org/abs/2403.15711
    """,
)
def arxiv_title_mismatch(
    paper: Paper, record: ArxivRecord | None, settings: Settings
) -> Iterator[Finding]:
    """The digest's English title differs from arXiv's title for the paper's identifier.

    Titles are compared on their letters and digits only, after NFKC
    normalisation and case folding, with TeX accents and Greek macros spelled
    out: spacing, punctuation, dashes, quotes and capitalisation never count.
    A real difference means the link points at another paper than the one
    summarised, or the entry was invented. Authors retitle papers between
    versions: when the digest names an older version than arXiv's latest and
    either the two titles share at least a fifth of their content words or the
    English abstracts do (the digest's, as far as it goes, against arXiv's), the
    change is reported as `arxiv-retitled` (a warning) instead. When the digest
    names no version, or arXiv's latest, any difference is this error; so it is
    when the titles share fewer words and an abstract is missing. Converters
    write arXiv's title.
    """
    from ..enrich.merge import paper_abstract_overlap, title_conflict

    if record is None or not paper.title or not title_conflict(paper, record):
        return
    abstracts = ""
    if paper.version is not None and paper.version < record.version:
        overlap = paper_abstract_overlap(paper, record)
        abstracts = (
            " (the abstracts cannot tell: one is missing or too short)"
            if overlap is None
            else f" (the abstracts share {overlap:.0%} of words)"
        )
    yield Finding(
        paper.span("title"),
        f"title '{_short(paper.title)}' is not arXiv's title for arXiv:{paper.arxiv_id} "
        f"('{_short(record.title)}'){abstracts}: the link points at another paper, or the "
        "entry is invented; fix the link or the title",
    )


@rule(
    "DC509",
    "arxiv-retitled",
    "warning",
    scope="metadata",
    bad="""
        [^1]: 预测投影偏差
            Modelling Projection Bias in Intertemporal Choices: A Prospect Theory Based Approach
            https://arxiv.org/abs/2303.06016v1        (arXiv's latest: v2, "Probe: Learning
            Users' Personalized Projection Bias in Intertemporal Bundle Choices")
    """,
    good="""
        [^1]: 预测投影偏差
            Probe: Learning Users' Personalized Projection Bias in Intertemporal Bundle Choices
            https://arxiv.org/abs/2303.06016v2
    """,
)
def arxiv_retitled(
    paper: Paper, record: ArxivRecord | None, settings: Settings
) -> Iterator[Finding]:
    """A later arXiv version of the paper has a revised title.

    The digest names an older version than arXiv's latest, and the titles differ
    but are clearly related: they share at least a fifth of their content words
    (the Jaccard index of their word sets, after NFKC normalisation, case
    folding, TeX spelled out, punctuation and English function words left out).
    A new title can have no word of the old one; the abstract then tells: when
    the digest's English abstract and arXiv's current one share at least a fifth
    of their content words (the same measure, at least 8 words on each side), it
    is the same paper retitled, and the message says the abstracts agree. A
    digest's abstract cut at the producer's length is compared with as many
    characters of arXiv's, its last, possibly partial, word left out. Below both
    the titles name different papers, and `arxiv-title-mismatch` reports an
    error. The thresholds were calibrated on real histories
    (`tests/data/retitles`, `benchmarks/retitle.py`): of 179 real retitles, 6
    share fewer title words, and all 6 share enough abstract words (the lowest
    21%), so none is an error; of 6,000 pairs of different papers listed side by
    side on the same day, 50 (0.8%) share as many title words and 7 more (0.1%)
    as many abstract words, and are reported here instead of as errors.
    Converters write arXiv's title; update the digest's title and version if it
    should follow arXiv.
    """
    from ..enrich.merge import (
        RETITLE_OVERLAP,
        paper_abstract_overlap,
        title_overlap,
        title_revised,
    )

    if record is None or not paper.title or not title_revised(paper, record):
        return
    titles = title_overlap(paper.title, record.title)
    if titles >= RETITLE_OVERLAP:
        why = f"{titles:.0%} of words shared"
    else:
        abstracts = paper_abstract_overlap(paper, record) or 0.0
        why = (
            f"the titles share {titles:.0%} of words, but the abstracts agree: "
            f"{abstracts:.0%} of words shared"
        )
    yield Finding(
        paper.span("title"),
        f"arXiv retitled arXiv:{paper.arxiv_id} after v{paper.version}: v{record.version} is "
        f"'{_short(record.title)}' (the digest has '{_short(paper.title)}'; "
        f"{why}); converters write arXiv's title",
    )


@rule(
    "DC505",
    "arxiv-version-newer",
    "error",
    scope="metadata",
    bad="""
        https://arxiv.org/abs/2403.15711v7
    """,
    good="""
        https://arxiv.org/abs/2403.15711v1
    """,
)
def arxiv_version_newer(
    paper: Paper, record: ArxivRecord | None, settings: Settings
) -> Iterator[Finding]:
    """The digest names a version of the paper newer than arXiv's latest.

    arXiv numbers versions from v1 up; a version above the latest one does not
    exist (a typing error, or an entry copied from elsewhere). Converters write
    arXiv's latest version.
    """
    from ..enrich.merge import version_newer

    if record is not None and version_newer(paper, record):
        yield Finding(
            paper.span("url"),
            f"version v{paper.version} of arXiv:{paper.arxiv_id} does not exist: arXiv's "
            f"latest is v{record.version}; correct the version",
        )


@rule(
    "DC506",
    "arxiv-category-mismatch",
    "warning",
    scope="metadata",
    bad="""
        arXiv:2403.15711v1 Announce Type: new  Abstract: ...   (listed under math.ST)
    """,
    good="""
        arXiv:2403.15711v1 Announce Type: new  Abstract: ...   (listed under cs.LG)
    """,
)
def arxiv_category_mismatch(
    paper: Paper, record: ArxivRecord | None, settings: Settings
) -> Iterator[Finding]:
    """The digest's primary category differs from arXiv's primary category.

    A paper cross-listed into a digest's category keeps its own primary
    category on arXiv; category aliases (`math.ST` and `stat.TH`) count as the
    same. Converters write arXiv's primary category.
    """
    from ..enrich.merge import primary_differs

    if record is not None and primary_differs(paper, record):
        yield Finding(
            paper.span("primary_category"),
            f"primary category {paper.primary_category} differs from arXiv's "
            f"{record.primary_category} for arXiv:{paper.arxiv_id}; converters write "
            f"{record.primary_category}",
        )


@rule(
    "DC507",
    "arxiv-withdrawn",
    "warning",
    scope="metadata",
    bad="""
        arXiv comment of the latest version: "This paper has been withdrawn by the authors"
    """,
    good="""
        arXiv comment of the latest version: "12 pages, 4 figures"
    """,
)
def arxiv_withdrawn(
    paper: Paper, record: ArxivRecord | None, settings: Settings
) -> Iterator[Finding]:
    """The latest arXiv version of the paper is a withdrawal notice.

    Detected from the latest version's comment or abstract ("This paper has
    been withdrawn ..."). The digest summarises an earlier version; cite that
    version, or drop the paper.
    """
    from ..enrich.merge import withdrawn

    if record is not None and withdrawn(record):
        yield Finding(
            paper.span("url"),
            f"arXiv:{paper.arxiv_id}v{record.version}, the latest version, is withdrawn: "
            "cite the version the digest summarises, or drop the paper",
        )


@rule(
    "DC508",
    "arxiv-abstract-conflict",
    "warning",
    scope="metadata",
    bad="""
            arXiv:2403.15711v1 Announce Type: new  Abstract: We study scaling laws ...
    """,
    good="""
            arXiv:2403.15711v1 Announce Type: new  Abstract: Causal representation learning ...
    """,
)
def arxiv_abstract_conflict(
    paper: Paper, record: ArxivRecord | None, settings: Settings
) -> Iterator[Finding]:
    """The digest's English abstract is not the start of arXiv's abstract.

    Whitespace is normalised before comparing. A digest abstract that arXiv's
    full abstract continues is replaced by it in every output; one that differs
    (an older version's abstract, another paper's, an edited text) is kept as
    the digest wrote it, and reported here.
    """
    from ..enrich.merge import abstract_conflict, fold_space

    if record is None or not abstract_conflict(paper, record):
        return
    a, b = fold_space(paper.abstract or ""), fold_space(record.abstract)
    i = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
    ours, theirs = _short(a[max(0, i - 10) : i + 30], 40), _short(b[max(0, i - 10) : i + 30], 40)
    yield Finding(
        paper.span("abstract"),
        f"English abstract differs from arXiv's at character {i + 1} "
        f"('{ours}' vs '{theirs}'): "
        "the digest's text is kept; check it is this paper's abstract",
    )
