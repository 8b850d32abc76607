"""The conflict policy between a digest's paper and arXiv's record, as pure functions.

arXiv is authoritative for bibliographic facts: authors, title, dates, the latest
version, categories, comment, journal reference and journal DOI.  The digest is
authoritative for what only it has: the Chinese title, summaries and abstract,
the English one-line summary, the announce type and the link as written.

The English abstract: arXiv's full abstract replaces the digest's only when the
digest's text is a prefix of it after whitespace normalisation (the producer cut
it, or wrote it whole); otherwise the digest's text is kept and the conflict is
reported (DC508).  Every other conflict is reported too (DC504 title, DC509 title
revised in a later version, DC505 version, DC506 primary category, DC507
withdrawn), never silently resolved:
:mod:`digestconv.rules.metadata` uses the predicates below, and every writer uses
:func:`merge`, so the formats agree.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..model import Paper
from .record import ArxivRecord, Author, split_terms

_SPACE = re.compile(r"\s+")
_COMMAND = re.compile(r"\\([A-Za-z]+)")
_WITHDRAWN = re.compile(
    r"\b(?:ha(?:s|ve) been withdrawn|withdrawn by the authors?|is withdrawn)\b|^\s*withdrawn\b",
    re.IGNORECASE,
)


def fold_space(text: str) -> str:
    """``text`` with every run of whitespace as one space, stripped."""
    return _SPACE.sub(" ", text).strip()


def is_prefix(part: str, full: str) -> bool:
    """Whether ``part`` is a prefix of ``full`` after whitespace normalisation.

    The digest producer removed every ``-`` + line break from the feed text, so
    when the folded texts disagree the comparison is made once more with all
    whitespace and hyphens removed.
    """
    a, b = fold_space(part), fold_space(full)
    if not a:
        return False
    if b.startswith(a):
        return True

    def squeeze(text: str) -> str:
        return "".join(c for c in text if not c.isspace() and c != "-")

    return squeeze(b).startswith(squeeze(a))


def title_key(title: str) -> str:
    """What two titles are compared on: letters and digits only, TeX spelled out,
    NFKC-normalised and case-folded.

    ``Schr{\\"o}dinger`` and ``Schrödinger``, ``$\\alpha$-Divergence`` and
    ``α-divergence``, "--" and "–", folded lines and double spaces all compare equal.
    """
    return "".join(_words(title))


def same_title(a: str, b: str) -> bool:
    """Whether two titles name the same work (see :func:`title_key`)."""
    return title_key(a) == title_key(b)


#: English function words: they carry no topic, so word overlap leaves them out
_FUNCTION_WORDS = frozenset(
    {
        "a", "an", "the", "of", "for", "with", "and", "or", "in", "on", "at", "by", "to",
        "from", "into", "onto", "via", "as", "is", "are", "be", "its", "it", "under", "over",
        "using", "toward", "towards", "through", "beyond", "than", "vs", "versus",
    }
)  # fmt: skip
#: a run of anything but letters and digits (one character class: linear, never backtracks)
_NOT_WORD = re.compile(r"[\W_]+")

#: word overlap (:func:`title_overlap`) from which a later version's title counts as a
#: revision of the digest's rather than another paper's; calibrated on real histories
#: (``benchmarks/retitle.py``, ``tests/data/retitles``)
RETITLE_OVERLAP = 0.2


def _words(text: str) -> list[str]:
    """``text``'s words in order: TeX spelled out, NFKC-normalised, case-folded, split at
    every character that is not a letter or digit."""
    from ..latex import to_unicode
    from ..latex.tables import _GREEK_OF

    text = to_unicode(text)
    text = _COMMAND.sub(lambda m: f" {_GREEK_OF.get(m[1], '')} ", text)
    text = unicodedata.normalize("NFKC", text).casefold()
    return [w for w in _NOT_WORD.split(text) if w]


def title_words(title: str) -> frozenset[str]:
    """The content words of a title: TeX spelled out, NFKC-normalised, case-folded, split at
    every character that is not a letter or digit, English function words left out
    (all words are kept when nothing else remains)."""
    words = frozenset(_words(title))
    return (words - _FUNCTION_WORDS) or words


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 1.0


def title_overlap(a: str, b: str) -> float:
    """How much two titles share: the Jaccard index of their :func:`title_words`.

    Symmetric, from 0.0 (no content word in common) to 1.0 (the same words), and
    linear in the titles' length.  Two titles without any word score 1.0.
    """
    return _jaccard(title_words(a), title_words(b))


#: word overlap of two abstracts (:func:`abstract_overlap`) from which they are the same
#: paper's: a later version whose title shares too few words with the digest's is then a
#: retitle, not a wrong link; calibrated on real histories (``benchmarks/retitle.py``,
#: ``tests/data/retitles``)
ABSTRACT_OVERLAP = 0.2
#: content words each compared abstract needs for their overlap to tell anything
ABSTRACT_MIN_WORDS = 8


def compared_abstracts(
    a: str, b: str, *, a_cut: bool = False, b_cut: bool = False
) -> tuple[tuple[str, bool], tuple[str, bool]]:
    """The parts of two abstracts that are compared, each with whether it stops before
    its abstract's end (so that its last word may be a part of one).

    Whitespace is folded first.  When either text is cut (a prefix of its abstract, as
    a digest's cut at the producer's length), both are compared on their first ``n``
    characters, ``n`` the shorter text's length: the same stretch of two versions of
    one abstract.  Two whole texts are compared whole.
    """
    a, b = fold_space(a), fold_space(b)
    if not (a_cut or b_cut):
        return (a, False), (b, False)
    n = min(len(a), len(b))
    return (a[:n], a_cut or len(a) > n), (b[:n], b_cut or len(b) > n)


def abstract_words(text: str, *, cut: bool = False) -> frozenset[str]:
    """The content words of an abstract (as :func:`title_words`, function words always
    left out).  A ``cut`` text that ends in a letter or digit may end inside a word: its
    last word is left out."""
    words = _words(text)
    if cut and words and text[-1:].isalnum():
        words.pop()
    return frozenset(words) - _FUNCTION_WORDS


def abstract_overlap(a: str, b: str, *, a_cut: bool = False, b_cut: bool = False) -> float | None:
    """How much two abstracts share: the Jaccard index of their :func:`abstract_words` on
    the compared parts (:func:`compared_abstracts`).

    ``a_cut`` / ``b_cut`` say a text stops before its abstract's end.  ``None`` when
    either compared part has fewer than :data:`ABSTRACT_MIN_WORDS` content words (an
    empty, a missing or a one-sentence text tells nothing).  Symmetric, deterministic,
    linear in the texts' length.
    """
    (pa, ca), (pb, cb) = compared_abstracts(a, b, a_cut=a_cut, b_cut=b_cut)
    wa, wb = abstract_words(pa, cut=ca), abstract_words(pb, cut=cb)
    if min(len(wa), len(wb)) < ABSTRACT_MIN_WORDS:
        return None
    return _jaccard(wa, wb)


def paper_abstract_overlap(paper: Paper, record: ArxivRecord) -> float | None:
    """:func:`abstract_overlap` of the digest's English abstract (cut when the producer
    cut it) and arXiv's current one; ``None`` when either is missing or too short."""
    if not paper.abstract or not record.abstract.strip():
        return None
    return abstract_overlap(paper.abstract, record.abstract, a_cut=paper.abstract_truncated)


def abstracts_agree(paper: Paper, record: ArxivRecord) -> bool:
    """Whether the digest's English abstract and arXiv's are one paper's: they share at
    least :data:`ABSTRACT_OVERLAP` of their words (:func:`paper_abstract_overlap`)."""
    overlap = paper_abstract_overlap(paper, record)
    return overlap is not None and overlap >= ABSTRACT_OVERLAP


def _later_version(paper: Paper, record: ArxivRecord) -> bool:
    return paper.version is not None and paper.version < record.version


def _titles_differ(paper: Paper, record: ArxivRecord) -> bool:
    return bool(paper.title and record.title.strip() and not same_title(paper.title, record.title))


def _retitle(paper: Paper, record: ArxivRecord) -> bool:
    """A later version, and titles clearly related or (when they are not) abstracts that
    are one paper's."""
    if not _later_version(paper, record):
        return False
    return not another_work(paper.title or "", record.title) or abstracts_agree(paper, record)


def title_conflict(paper: Paper, record: ArxivRecord) -> bool:
    """Whether the digest's English title names another work than arXiv's (DC504).

    Against arXiv's latest version (or when the digest names no version) any
    difference counts.  Against a digest naming an older version, only a title
    sharing less than :data:`RETITLE_OVERLAP` of its words with arXiv's counts, and
    only when the abstracts do not agree (:func:`abstracts_agree`; a missing abstract
    agrees with nothing); otherwise the title was revised (:func:`title_revised`).
    """
    return _titles_differ(paper, record) and not _retitle(paper, record)


def another_work(a: str, b: str) -> bool:
    """Whether two titles name different works rather than two versions of one title:
    they share less than :data:`RETITLE_OVERLAP` of their words (:func:`title_overlap`)."""
    return title_overlap(a, b) < RETITLE_OVERLAP


def title_revised(paper: Paper, record: ArxivRecord) -> bool:
    """Whether arXiv's later version retitled the paper the digest names (DC509): the
    digest names an older version, the titles differ, and either they do not name
    different works (:func:`another_work`) or the abstracts agree
    (:func:`abstracts_agree`)."""
    return _titles_differ(paper, record) and _retitle(paper, record)


def version_newer(paper: Paper, record: ArxivRecord) -> bool:
    """Whether the digest names a version newer than arXiv's latest."""
    return paper.version is not None and paper.version > record.version


def primary_differs(paper: Paper, record: ArxivRecord) -> bool:
    """Whether the digest's primary category differs from arXiv's (aliases resolved)."""
    if paper.primary_category is None or record.primary_category is None:
        return False
    return _canonical(paper.primary_category) != _canonical(record.primary_category)


#: arXiv's category aliases (the same subject listed under two names)
_ALIASES = {
    "math.IT": "cs.IT",
    "stat.TH": "math.ST",
    "math.MP": "math-ph",
    "econ.GN": "q-fin.EC",
    "eess.SY": "cs.SY",
    "cs.NA": "math.NA",
}


def _canonical(category: str) -> str:
    category = category.strip()
    return _ALIASES.get(category, category)


def withdrawn(record: ArxivRecord) -> bool:
    """Whether arXiv's latest version is a withdrawal notice (from comment or abstract)."""
    return bool(
        (record.comment and _WITHDRAWN.search(record.comment))
        or _WITHDRAWN.search(record.abstract[:300])
    )


def abstract_conflict(paper: Paper, record: ArxivRecord) -> bool:
    """Whether the digest's English abstract is not a prefix of arXiv's (DC508)."""
    if not paper.abstract or not record.abstract.strip():
        return False
    return not is_prefix(paper.abstract, record.abstract)


@dataclass(frozen=True)
class Merged:
    """A paper's bibliographic facts after the policy: what every writer writes.

    ``abstract_truncated`` is ``False`` once arXiv's full abstract replaced a cut
    one.  ``digest_title`` is the digest's English title when it differs from
    arXiv's (kept for people, DC504 reports it).  ``date`` is the v1 date
    (``YYYY-MM-DD``) or ``None``.  ``categories`` are arXiv categories only;
    ``classes`` the MSC and ACM class codes arXiv lists among them.
    """

    title: str | None
    abstract: str | None
    abstract_truncated: bool
    authors: tuple[Author, ...]
    date: str | None
    version: int
    categories: tuple[str, ...]
    comment: str | None
    journal_ref: str | None
    journal_doi: str | None
    digest_title: str | None
    digest_version: int | None
    classes: tuple[str, ...] = ()

    @property
    def year_month_day(self) -> tuple[int, int, int] | None:
        """The v1 date as integers."""
        if self.date is None:
            return None
        y, m, d = self.date.split("-")
        return int(y), int(m), int(d)

    @property
    def primary_category(self) -> str | None:
        """arXiv's primary category."""
        return self.categories[0] if self.categories else None


def merge(paper: Paper, record: ArxivRecord) -> Merged:
    """Apply the policy to one paper and its record (pure, no diagnostics)."""
    if paper.abstract and not is_prefix(paper.abstract, record.abstract):
        abstract, truncated = paper.abstract, paper.abstract_truncated
    else:
        abstract = record.abstract.strip() or paper.abstract
        truncated = paper.abstract_truncated if abstract is paper.abstract else False
    title = record.title.strip() or paper.title
    differs = paper.title and title and not same_title(paper.title, title)
    digest_title = paper.title if differs else None
    date = record.published_date
    # validate() tells class codes from categories; a record built without it may mix them
    categories, classes = split_terms(record.categories)
    return Merged(
        title=fold_space(title) if title else None,
        abstract=abstract,
        abstract_truncated=truncated,
        authors=record.authors,
        date=date.isoformat() if date is not None else None,
        version=record.version,
        categories=categories,
        comment=record.comment or None,
        journal_ref=record.journal_ref or None,
        journal_doi=record.doi or None,
        digest_title=digest_title,
        digest_version=paper.version if paper.version != record.version else None,
        classes=tuple(dict.fromkeys((*classes, *record.classes))),
    )
