"""Read the arXiv API's Atom feed into :class:`~digestconv.enrich.record.ArxivRecord` objects.

Parsing is namespace-aware (the 2026 API declares the namespaces on ``<feed>``,
the older one on each element) and safe: lxml with no entity resolution, no
network, no DTD loading and no recovery; a document with a DOCTYPE is refused.
Entries are returned keyed by their unversioned identifier, so callers match
them by identifier, never by position.  Each entry goes through
:func:`~digestconv.enrich.record.validate`; one that fails it (a date out of
range, links naming another paper than its ``<id>``, two entries for one
identifier) is left out of ``records`` and listed in ``invalid`` with the reason.

An error feed (HTTP 400 for a malformed identifier) holds entries whose
``<id>`` is ``https://arxiv.org/api/errors#...``; they are returned as
:class:`ErrorEntry` objects naming the identifier arXiv rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .names import fold, split_name
from .record import ArxivRecord, Author, RecordError, split_terms, utc_stamp, validate

if TYPE_CHECKING:
    from collections.abc import Iterable

ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"

_A = "{%s}" % ATOM  # noqa: UP031
_X = "{%s}" % ARXIV  # noqa: UP031
_ABS = re.compile(r"^https?://[^/]+/abs/(\S+?)/?$")
_ERROR_FOR = re.compile(r"\bfor\s+(\S+)\s*$")
_PARAGRAPH = re.compile(r"\n[ \t]+")
_VERSION = re.compile(r"^(.*?)v([1-9]\d{0,3})$")
_SUBJECT_CLASS = re.compile(r"^([a-z-]+)\.[A-Za-z]{2}/(\d{7})$")
_ARXIV_LINK = re.compile(
    r"^https?://(?:[a-z0-9-]+\.)*arxiv\.org/(?:abs|pdf)/([^?#\s]+?)(?:v\d+)?(?:\.pdf)?/?$"
)


class FeedError(Exception):
    """The response is not a well-formed arXiv Atom feed."""


@dataclass(frozen=True)
class ErrorEntry:
    """One entry of an error feed: the identifier arXiv rejected and its message."""

    bad_id: str | None
    message: str


@dataclass(frozen=True)
class Feed:
    """A parsed API response."""

    records: dict[str, ArxivRecord] = field(default_factory=dict)
    errors: tuple[ErrorEntry, ...] = ()
    total: int | None = None
    #: entries that could not be trusted, by key, with the reason
    invalid: dict[str, str] = field(default_factory=dict)


def match_key(arxiv_id: str) -> str:
    """The key an identifier is matched on: unversioned, without an old-style subject class.

    arXiv answers ``math.GT/0309136`` as ``math/0309136``.
    """
    m = _SUBJECT_CLASS.match(arxiv_id)
    return f"{m[1]}/{m[2]}" if m else arxiv_id


def split_entry_id(entry_id: str) -> tuple[str, int | None] | None:
    """``http://arxiv.org/abs/2202.12139v1`` -> ``("2202.12139", 1)``; ``None`` if not abs."""
    m = _ABS.match(entry_id.strip())
    if not m:
        return None
    raw = m[1]
    v = _VERSION.match(raw)
    if v and v[1] and (v[1][-1].isdigit()):
        return v[1], int(v[2])
    return raw, None


def paragraphs(text: str) -> str:
    """Fold an abstract: a newline followed by indentation starts a paragraph (``\\n``)."""
    text = text.strip("\n").lstrip(" \t")
    parts = (fold(p) for p in _PARAGRAPH.split(text))
    return "\n".join(p for p in parts if p)


def _parser() -> Any:
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        recover=False,
        huge_tree=False,
        remove_pis=True,
    )


def _text(element: Any, path: str) -> str | None:
    found = element.find(path)
    if found is None:
        return None
    return "".join(found.itertext())


def _stamp(value: str | None, field: str) -> str | None:
    """An Atom date as ``YYYY-MM-DDTHH:MM:SSZ`` (UTC); ``None`` when absent.

    Raises :class:`~digestconv.enrich.record.RecordError` for a date that is not
    one or lies outside the years arXiv can have.
    """
    if value is None or not value.strip():
        return None
    import datetime as dt

    value = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise RecordError(f"{field} {value[:40]!r} is not a date") from None
    return utc_stamp(parsed, field)


def _authors(entry: Any) -> tuple[Author, ...]:
    out: list[Author] = []
    for node in entry.iterfind(f"{_A}author"):
        name = _text(node, f"{_A}name") or ""
        affils = ["".join(a.itertext()) for a in node.iterfind(f"{_X}affiliation")]
        author = split_name(name, affils)
        if author is not None:
            out.append(author)
    return tuple(out)


def _categories(entry: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The entry's arXiv categories (primary first) and its MSC/ACM class codes."""
    primary = entry.find(f"{_X}primary_category")
    terms: Iterable[str] = [primary.get("term", "")] if primary is not None else []
    terms = [*terms, *(c.get("term", "") for c in entry.iterfind(f"{_A}category"))]
    return split_terms(terms)


def _optional(entry: Any, path: str) -> str | None:
    value = _text(entry, path)
    if value is None:
        return None
    value = fold(value)
    return value or None


def _linked_keys(entry: Any) -> set[str]:
    """The identifiers the entry's own abstract and PDF links name."""
    out: set[str] = set()
    for link in entry.iterfind(f"{_A}link"):
        href = link.get("href", "").strip()
        if len(href) > 200:  # no arXiv link is this long (and the match stays cheap)
            continue
        m = _ARXIV_LINK.match(href)
        if m:
            out.add(match_key(m[1]))
    return out


def _record(entry: Any, arxiv_id: str, version: int | None, fetched_at: str | None) -> ArxivRecord:
    """One entry through :func:`~digestconv.enrich.record.validate`."""
    key = match_key(arxiv_id)
    others = _linked_keys(entry) - {key}
    if others:
        raise RecordError(f"the entry for {arxiv_id} links to {', '.join(sorted(others))}")
    title = _text(entry, f"{_A}title")
    categories, classes = _categories(entry)
    return validate(
        {
            "arxiv_id": arxiv_id,
            "version": version or 1,
            "title": fold(title) if title is not None else "",
            "abstract": paragraphs(_text(entry, f"{_A}summary") or ""),
            "authors": list(_authors(entry)),
            "published": _stamp(_text(entry, f"{_A}published"), "published"),
            "updated": _stamp(_text(entry, f"{_A}updated"), "updated"),
            "categories": [*categories, *classes],
            "comment": _optional(entry, f"{_X}comment"),
            "journal_ref": _optional(entry, f"{_X}journal_ref"),
            "doi": _optional(entry, f"{_X}doi"),
            "license": None,
            "source": "api",
            "fetched_at": fetched_at,
        }
    )


def parse_feed(data: bytes, *, fetched_at: str | None = None) -> Feed:
    """Parse one API response body; raise :class:`FeedError` if it is not an arXiv feed."""
    from lxml import etree

    if not data.strip():
        raise FeedError("empty response body")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"malformed XML: {exc}") from None
    tree = root.getroottree()
    if tree.docinfo.doctype:
        raise FeedError("the response declares a DOCTYPE: refused")
    if root.tag != f"{_A}feed":
        raise FeedError(f"not an Atom feed (root element {root.tag!r})")
    total_text = _text(root, f"{{{OPENSEARCH}}}totalResults")
    try:
        total = int(total_text) if total_text is not None else None
    except ValueError:
        total = None
    records: dict[str, ArxivRecord] = {}
    invalid: dict[str, str] = {}
    errors: list[ErrorEntry] = []
    for entry in root.iterfind(f"{_A}entry"):
        entry_id = fold(_text(entry, f"{_A}id") or "")
        if "/api/errors" in entry_id:
            message = fold(_text(entry, f"{_A}summary") or "")
            m = _ERROR_FOR.search(message)
            bad = m[1] if m else None
            if bad is None and "_for_" in entry_id:
                bad = entry_id.rsplit("_for_", 1)[1] or None
            errors.append(ErrorEntry(bad, message or entry_id))
            continue
        ident = split_entry_id(entry_id)
        if ident is None:
            continue
        arxiv_id, version = ident
        key = match_key(arxiv_id)
        try:
            record = _record(entry, arxiv_id, version, fetched_at)
        except RecordError as exc:
            invalid[key] = str(exc)
            continue
        if key in records or key in invalid:
            records.pop(key, None)
            invalid[key] = "the response holds two entries for this identifier"
            continue
        records[key] = record
    return Feed(records, tuple(errors), total, invalid)
