"""The metadata record of one arXiv paper: typed, immutable, picklable, JSON-able.

Records are what every metadata source returns and what the cache stores.  They
hold arXiv's bibliographic facts only; the digest's own text (Chinese title,
summaries, the link as written) stays in :class:`~digestconv.model.Paper`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..text import HIDDEN

#: version of the JSON form below; bump when a field changes meaning
RECORD_FORMAT = 1

#: dates outside these years are not arXiv's (the archive began in 1991)
MIN_YEAR = 1986
MAX_YEAR = 2199
#: longest accepted text of each field, in characters (arXiv's own limits are far lower)
MAX_CHARS = {
    "arxiv_id": 64,
    "title": 4096,
    "abstract": 65536,
    "comment": 4096,
    "journal_ref": 4096,
    "doi": 512,
    "license": 512,
    "source": 16,
    "fetched_at": 32,
    "category": 128,
    "name": 1024,
    "affiliation": 1024,
}
MAX_AUTHORS = 10_000
MAX_AFFILIATIONS = 64
MAX_CATEGORIES = 64
#: nesting deeper than this is not a metadata record (and would exhaust the parser's stack)
MAX_DEPTH = 16
SOURCES = frozenset({"api", "snapshot"})

_STAMP = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$")
_SURROGATE = re.compile("[\ud800-\udfff]")
_BLANK = re.compile(r"[ \t]+")
_NESTING = re.compile(r"[\[{]")


class RecordError(ValueError):
    """A metadata record that does not fit :class:`ArxivRecord`'s types and ranges."""


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
    def from_json(cls, data: Any) -> Author:
        """Inverse of :meth:`to_json`; raises :class:`RecordError` on a malformed author."""
        return _author(data, "author")


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
    def from_json(cls, data: Any) -> ArxivRecord:
        """Inverse of :meth:`to_json`, through :func:`validate`: raises :class:`RecordError`
        (a ``ValueError``) naming the field of a malformed record."""
        return validate(data)


def _date(stamp: str | None) -> dt.date | None:
    if not stamp:
        return None
    try:
        return dt.date.fromisoformat(stamp[:10])
    except ValueError:
        return None


# -- the boundary: every record from the network, a snapshot or an import goes through here
def clean_text(value: str, *, lines: bool = False) -> str:
    """``value`` as valid, visible Unicode: lone surrogates become U+FFFD; control,
    bidirectional and zero-width characters are removed; runs of blanks become one
    space.  Line feeds are kept when ``lines`` (abstract paragraphs), else spaces."""
    text = _SURROGATE.sub("\ufffd", value)
    text = HIDDEN.sub("", text)
    if lines:
        return "\n".join(p for p in (_BLANK.sub(" ", x).strip() for x in text.split("\n")) if p)
    return _BLANK.sub(" ", text.replace("\n", " ")).strip()


def utc_stamp(when: dt.datetime, field: str = "date") -> str:
    """``when`` as ``YYYY-MM-DDTHH:MM:SSZ`` (UTC; naive means UTC), or :class:`RecordError`
    when it lies outside the years arXiv can have (:data:`MIN_YEAR`-:data:`MAX_YEAR`)."""
    try:
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.timezone.utc)
        utc = when.astimezone(dt.timezone.utc)
    except (OverflowError, ValueError):
        raise RecordError(f"{field} {when.isoformat()} is out of range") from None
    if not MIN_YEAR <= utc.year <= MAX_YEAR:
        raise RecordError(f"{field} {utc.isoformat()} is out of range")
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


def load_json(text: str | bytes) -> Any:
    """Parse untrusted JSON text; :class:`RecordError` for malformed or absurdly nested text.

    The nesting is measured before parsing (a linear scan), so a line of 200,000
    brackets is refused without recursing.
    """
    try:
        head = text if isinstance(text, str) else text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordError(f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    depth = _depth(head)
    if depth > MAX_DEPTH:
        raise RecordError(f"nested {depth} levels deep: not a metadata record")
    try:
        return json.loads(head)
    except (ValueError, RecursionError) as exc:
        raise RecordError(f"not JSON ({type(exc).__name__}: {str(exc)[:80]})") from None


def _depth(text: str) -> int:
    """The deepest bracket nesting of JSON ``text`` (strings skipped), in one pass."""
    if _NESTING.search(text) is None:
        return 0
    deepest = depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    return deepest
        elif ch in "]}":
            depth -= 1
    return deepest


def _string(data: dict[str, Any], key: str, *, required: bool = False, lines: bool = False) -> Any:
    value = data.get(key)
    if value is None:
        if required:
            raise RecordError(f"{key} is missing")
        return None
    if not isinstance(value, str):
        raise RecordError(f"{key} is {type(value).__name__}, not text")
    if len(value) > MAX_CHARS[key]:
        raise RecordError(f"{key} is longer than {MAX_CHARS[key]} characters")
    return clean_text(value, lines=lines)


def _stamp_field(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordError(f"{key} is {type(value).__name__}, not a date")
    m = _STAMP.match(value)
    if m is None:
        raise RecordError(f"{key} {value[:40]!r} is not a YYYY-MM-DDTHH:MM:SSZ date")
    try:
        when = dt.datetime(*(int(x) for x in m.groups()), tzinfo=dt.timezone.utc)
    except ValueError:
        raise RecordError(f"{key} {value!r} is not a date") from None
    return utc_stamp(when, key)


def _author(data: Any, where: str) -> Author:
    if isinstance(data, Author):
        data = data.to_json()
    if not isinstance(data, dict):
        raise RecordError(f"{where} is {type(data).__name__}, not an object")
    parts: dict[str, str | None] = {}
    for key in ("family", "given", "suffix", "literal"):
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise RecordError(f"{where}: {key} is {type(value).__name__}, not text")
        if value is not None and len(value) > MAX_CHARS["name"]:
            raise RecordError(f"{where}: {key} is longer than {MAX_CHARS['name']} characters")
        parts[key] = (clean_text(value) or None) if value is not None else None
    affiliations = data.get("affiliations", ())
    if not isinstance(affiliations, (list, tuple)) or len(affiliations) > MAX_AFFILIATIONS:
        raise RecordError(f"{where}: affiliations is not a list of at most {MAX_AFFILIATIONS}")
    cleaned: list[str] = []
    for item in affiliations:
        if not isinstance(item, str) or len(item) > MAX_CHARS["affiliation"]:
            raise RecordError(f"{where}: an affiliation is not text")
        text = clean_text(item)
        if text:
            cleaned.append(text)
    if parts["literal"] is None and parts["family"] is None:
        raise RecordError(f"{where} has no name")
    return Author(
        family=parts["family"],
        given=parts["given"],
        suffix=parts["suffix"],
        literal=parts["literal"],
        affiliations=tuple(cleaned),
    )


def validate(data: Any) -> ArxivRecord:
    """The one gate into :class:`ArxivRecord`: check and clean a record in its JSON form.

    Every source goes through it: the API's Atom entries, the snapshot's lines
    and the cache's rows and imports.  Raises :class:`RecordError` naming the
    first field that is wrong: a value of the wrong type, a version outside
    1-:data:`digestconv.arxiv.MAX_VERSION`, a date outside :data:`MIN_YEAR`-:data:`MAX_YEAR`, an
    identifier arXiv cannot have, text longer than :data:`MAX_CHARS`.  Text is
    made valid and visible (:func:`clean_text`).  An :class:`ArxivRecord` is
    accepted too (and checked the same way).
    """
    from .. import arxiv

    if isinstance(data, ArxivRecord):
        data = data.to_json()
    if not isinstance(data, dict):
        raise RecordError(f"a record is an object, not {type(data).__name__}")
    fmt = data.get("format", RECORD_FORMAT)
    if fmt != RECORD_FORMAT or isinstance(fmt, bool):
        raise RecordError(f"unknown record format {fmt!r}")
    ident = _string(data, "arxiv_id", required=True)
    checked, why = arxiv.check_id(ident)
    if checked is None:
        raise RecordError(f"arxiv_id {ident!r} is not an unversioned arXiv identifier ({why})")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise RecordError(f"version is {type(version).__name__}, not a whole number")
    if not 1 <= version <= arxiv.MAX_VERSION:
        raise RecordError(f"version {str(version)[:20]} is out of range 1-{arxiv.MAX_VERSION}")
    authors = data.get("authors", [])
    if not isinstance(authors, (list, tuple)) or len(authors) > MAX_AUTHORS:
        raise RecordError(f"authors is not a list of at most {MAX_AUTHORS}")
    terms: list[str] = []
    for name in ("categories", "classes"):
        values = data.get(name, [])
        if not isinstance(values, (list, tuple)) or len(values) > MAX_CATEGORIES:
            raise RecordError(f"{name} is not a list of at most {MAX_CATEGORIES}")
        for term in values:
            if not isinstance(term, str) or len(term) > MAX_CHARS["category"]:
                raise RecordError(f"{name} holds {type(term).__name__}, not a category name")
            term = clean_text(term)
            if term and term not in terms:
                terms.append(term)
    # MSC and ACM codes that arXiv lists among a paper's categories are kept apart
    kept_categories, classes = split_terms(terms)
    source = data.get("source", "api")
    if source not in SOURCES:
        raise RecordError(f"source {str(source)[:20]!r} is not one of {', '.join(sorted(SOURCES))}")
    fetched_at = _stamp_field(data, "fetched_at")
    return ArxivRecord(
        arxiv_id=ident,
        version=version,
        title=_string(data, "title") or "",
        abstract=_string(data, "abstract", lines=True) or "",
        authors=tuple(_author(a, f"author {n}") for n, a in enumerate(authors, 1)),
        published=_stamp_field(data, "published"),
        updated=_stamp_field(data, "updated"),
        categories=kept_categories,
        classes=classes,
        comment=_string(data, "comment") or None,
        journal_ref=_string(data, "journal_ref") or None,
        doi=_string(data, "doi") or None,
        license=_string(data, "license") or None,
        source=source,
        fetched_at=fetched_at,
    )
