"""The metadata record of one arXiv paper: typed, immutable, picklable, JSON-able.

Records are what every metadata source returns and what the cache stores.  They
hold arXiv's bibliographic facts only; the digest's own text (Chinese title,
summaries, the link as written) stays in :class:`~digestconv.model.Paper`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

#: version of the JSON form below; bump when a field changes meaning
RECORD_FORMAT = 1

#: an arXiv category: an archive, then optionally a subject class (``cs.LG``, ``math-ph``,
#: ``physics.comp-ph``, ``hep-th``)
_CATEGORY = re.compile(r"[a-z][a-z-]*(?:\.[A-Za-z][A-Za-z-]*)?")
#: a Mathematics Subject Classification code (``03B70``, ``68Qxx``, ``60-XX``, ``05C``)
_MSC = re.compile(r"\d\d(?:[A-Z](?:\d\d|xx)?|-(?:\d\d|XX))?")
#: an ACM Computing Classification System (1998) code (``F.4.1``, ``I.2``, ``H.3.3``)
_ACM = re.compile(r"[A-K](?:\.\d{1,2}){0,2}(?:\.[a-z])?")
_CODE_SEPARATORS = re.compile(r"[\s,;]+")


def class_scheme(code: str) -> str | None:
    """``MSC`` or ``ACM`` for a class code of those schemes, else ``None``."""
    if _MSC.fullmatch(code):
        return "MSC"
    if _ACM.fullmatch(code):
        return "ACM"
    return None


def split_terms(terms: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(categories, class codes)`` of the category terms of an arXiv record.

    arXiv's API lists a paper's MSC and ACM classes among its categories, one
    term per field as the authors wrote it (``03B70, 68Q99``).  Terms shaped like
    arXiv categories stay categories, in order, each once; every other term is
    split at commas, semicolons and spaces into its MSC and ACM codes (a term
    with neither is kept whole as one code).
    """
    categories: list[str] = []
    classes: list[str] = []
    for term in terms:
        term = term.strip()
        if not term:
            continue
        if _CATEGORY.fullmatch(term):
            if term not in categories:
                categories.append(term)
            continue
        codes = [c for c in _CODE_SEPARATORS.split(term) if class_scheme(c)]
        for code in codes or [" ".join(term.split())]:
            if code not in classes:
                classes.append(code)
    return tuple(categories), tuple(classes)


@dataclass(frozen=True, slots=True)
class Author:
    """One author: family/given/suffix, or one ``literal`` name.

    ``literal`` is set (and the parts are ``None``) for collaborations and
    names that cannot be split ("ATLAS Collaboration", a single name).
    """

    family: str | None = None
    given: str | None = None
    suffix: str | None = None
    literal: str | None = None
    affiliations: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The name as it is read aloud: ``Given Family Suffix`` or the literal."""
        if self.literal is not None:
            return self.literal
        parts = [self.given, self.family]
        text = " ".join(p for p in parts if p)
        return f"{text}, {self.suffix}" if self.suffix else text

    def to_json(self) -> dict[str, Any]:
        """The JSON form (keys with ``None`` or empty values are left out)."""
        out: dict[str, Any] = {}
        for key in ("family", "given", "suffix", "literal"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.affiliations:
            out["affiliations"] = list(self.affiliations)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Author:
        """Inverse of :meth:`to_json`."""
        return cls(
            family=data.get("family"),
            given=data.get("given"),
            suffix=data.get("suffix"),
            literal=data.get("literal"),
            affiliations=tuple(data.get("affiliations", ())),
        )


@dataclass(frozen=True, slots=True)
class ArxivRecord:
    """arXiv's metadata for one paper.

    ``arxiv_id`` is unversioned (``2403.15711``, ``hep-th/9901001``).
    ``version`` is the latest version the source knows.  ``published`` is the
    v1 timestamp and ``updated`` the latest version's, both ISO 8601 UTC
    (``2024-03-22T17:59:59Z``); ``updated`` is ``None`` where the source does
    not give it.  ``categories`` has the primary category first; ``classes`` holds
    the MSC and ACM class codes arXiv lists among them (see :func:`split_terms`).  ``abstract``
    is the full abstract, whitespace folded, paragraphs separated by ``\\n``.
    ``source`` names where the record came from (``api`` or ``snapshot``) and
    ``fetched_at`` when (ISO 8601 UTC); neither ever reaches an output file.
    """

    arxiv_id: str
    version: int
    title: str
    abstract: str
    authors: tuple[Author, ...] = ()
    published: str | None = None
    updated: str | None = None
    categories: tuple[str, ...] = ()
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    license: str | None = None
    source: str = "api"
    fetched_at: str | None = None
    classes: tuple[str, ...] = ()

    @property
    def primary_category(self) -> str | None:
        """The primary category (the first one), if any."""
        return self.categories[0] if self.categories else None

    @property
    def published_date(self) -> dt.date | None:
        """The v1 date, or ``None``."""
        return _date(self.published)

    @property
    def updated_date(self) -> dt.date | None:
        """The latest version's date, or ``None``."""
        return _date(self.updated)

    def to_json(self) -> dict[str, Any]:
        """The JSON form stored in the cache (stable key order)."""
        out = {
            "format": RECORD_FORMAT,
            "arxiv_id": self.arxiv_id,
            "version": self.version,
            "title": self.title,
            "abstract": self.abstract,
            "authors": [a.to_json() for a in self.authors],
            "published": self.published,
            "updated": self.updated,
            "categories": list(self.categories),
            "comment": self.comment,
            "journal_ref": self.journal_ref,
            "doi": self.doi,
            "license": self.license,
            "source": self.source,
            "fetched_at": self.fetched_at,
        }
        if self.classes:
            out["classes"] = list(self.classes)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ArxivRecord:
        """Inverse of :meth:`to_json`; raises ``KeyError``/``TypeError``/``ValueError``
        on a malformed record."""
        if data.get("format", RECORD_FORMAT) != RECORD_FORMAT:
            raise ValueError(f"unknown record format {data.get('format')!r}")
        return cls(
            arxiv_id=str(data["arxiv_id"]),
            version=int(data["version"]),
            title=str(data["title"]),
            abstract=str(data["abstract"]),
            authors=tuple(Author.from_json(a) for a in data.get("authors", ())),
            published=data.get("published"),
            updated=data.get("updated"),
            categories=tuple(data.get("categories", ())),
            comment=data.get("comment"),
            journal_ref=data.get("journal_ref"),
            doi=data.get("doi"),
            license=data.get("license"),
            source=str(data.get("source", "api")),
            fetched_at=data.get("fetched_at"),
            classes=tuple(data.get("classes", ())),
        )


def _date(stamp: str | None) -> dt.date | None:
    if not stamp:
        return None
    try:
        return dt.date.fromisoformat(stamp[:10])
    except ValueError:
        return None
