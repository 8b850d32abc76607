"""XML plumbing shared by the RSS, Atom and OPML formats.

* :func:`parse` reads untrusted XML with lxml: no entity substitution, no DTD
  loading, no network access; large text nodes allowed (abstracts can be long).
* :func:`split` and :class:`Entries` write UTF-8 XML with a declaration,
  deterministically, entry by entry: the bytes lxml pretty-prints for the whole
  document, yet no writer ever builds the tree of a whole document.
* :func:`clean` is the one text normalisation the three writers apply: the
  characters :func:`~digestconv.formats._common.strip_illegal` removes (C0
  controls but tab and newline, so CR too; DEL; C1 controls; lone surrogates;
  U+FFFE, U+FFFF) are dropped, and a text that becomes empty is absent.
  Readers give back exactly what the writer wrote, so ``read(write(p))``
  equals :func:`normalised` ``(p)`` on every carried field.
* The ``dg`` namespace (:data:`NS`) holds the digest fields the feed formats have
  no standard element for.  Its elements are simple text elements, which RSS 2.0
  and the Atom 1.0 schema both allow as extensions.
"""

from __future__ import annotations

import datetime as _dt
import re
import uuid
from collections.abc import Iterable, Iterator
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

from ..arxiv import MAX_VERSION, check_id, parse_url
from ..model import ENTRY_FIELDS, MAX_REF, Paper
from ._common import abs_url, strip_illegal
from .base import Batch, FormatError

if TYPE_CHECKING:
    from lxml import etree

    from ..enrich.merge import Merged
    from ..enrich.record import ArxivRecord

#: namespace of the digest extension elements (a name, never fetched)
NS = "urn:digestconv:digest:1"
#: the prefix the writers bind :data:`NS` to
PREFIX = "dg"
#: Dublin Core elements (``dc:creator`` names each author of an RSS item)
DC_NS = "http://purl.org/dc/elements/1.1/"
#: the UUID namespace for identifiers of papers and feeds that have no arXiv URL
_UUID_NS = uuid.uuid5(uuid.NAMESPACE_URL, NS)

#: contract fields the feed formats carry (``line``/``end_line`` are provenance, not content)
CARRIED: tuple[str, ...] = tuple(f for f in ENTRY_FIELDS if f not in ("line", "end_line"))
#: fields that live in a standard element the writer may have to fill with a
#: substitute; the ``absent`` marker says the paper had no value
SUBSTITUTED: tuple[str, ...] = ("arxiv_id", "url", "title")
#: the visible note after a cut abstract in the human-readable rendering
CUT_NOTE = "[…]"
#: the ``xml:lang`` attribute
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: the language of a feed as a whole (a Chinese digest of English papers): its own text,
#: summaries and translations, is Chinese; the English parts carry :data:`ENGLISH`
LANGUAGE = "zh-CN"
#: the language of the papers' own English text (titles, abstracts, English summaries)
ENGLISH = "en"
#: the classes of :func:`sections` whose text is English
ENGLISH_SECTIONS = frozenset(("summary-en", "abstract", "withdrawn"))


#: wrappers :func:`~digestconv.latex.to_unicode` does not read, opened as ``\\mbox{``,
#: which it reads as its text: ``\\textcolor{red}{x}``, ``\\text{x}``; an escaped
#: backslash (``\\\\``) is matched to be kept as it is
_WRAPPER = re.compile(r"\\\\|\\(?:textcolor\{[^{}\\$]*\}|text)\{")


def readable(text: str) -> str:
    """Text for people: the LaTeX accents and escaped specials digests and arXiv keep
    (``Schr\\"odinger``, ``50\\%``) as the characters they stand for, and text-formatting
    commands (``\\textit{x}``, ``\\emph{x}``, ``{\\bf x}``, ``\\textcolor{red}{x}``) as
    their text; math as written.  The TeX is read once: what reading it gives is never
    read again (``\\url{C:\\}emph{y}`` shows ``C:\\emph{y}``)."""
    from ..latex import to_unicode

    if "\\text" in text:
        text = _as_mbox(text)
    return to_unicode(text)


def _as_mbox(text: str) -> str:
    """``text`` with the :data:`_WRAPPER` openings outside its math written ``\\mbox{``."""
    from ..latex.mathspans import _spans

    spans = [0, *_spans(text), len(text)]
    parts = []
    for k in range(0, len(spans), 2):
        parts.append(_WRAPPER.sub(_mbox, text[spans[k] : spans[k + 1]]))
        if k + 2 < len(spans):
            parts.append(text[spans[k + 1] : spans[k + 2]])
    return "".join(parts)


def _mbox(m: re.Match[str]) -> str:
    return m[0] if m[0] == "\\\\" else "\\mbox{"


def author_name(batch: Batch) -> str:
    """The feed's author: ``Batch.author``, else the feed title."""
    return clean(batch.author) or clean(batch.title) or "arXiv digest"


def clean(text: str | None) -> str | None:
    """``text`` without XML-illegal and control characters; ``None`` when nothing is left."""
    if text is None:
        return None
    text = strip_illegal(text)
    return text or None


def normalised(paper: Paper) -> Paper:
    """What a paper reads back as from RSS, Atom or OPML: :func:`clean` on every string.

    ``line``, ``end_line`` and the source map are not carried and become ``None``/empty.
    """
    values = {name: getattr(paper, name) for name in CARRIED}
    return Paper(**{k: clean(v) if isinstance(v, str) else v for k, v in values.items()})


def is_http_url(value: str | None) -> bool:
    """Whether ``value`` is an absolute ``http``/``https`` URL without whitespace."""
    if not value or any(c.isspace() for c in value):
        return False
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def link_of(paper: Paper) -> str:
    """The link a feed item points at: the written URL when it is absolute http(s),
    else the canonical abstract page, else the feed-independent fallback id."""
    url = clean(paper.url)
    if is_http_url(url):
        return url  # type: ignore[return-value]
    canonical = clean(abs_url(paper))
    if is_http_url(canonical):
        return canonical  # type: ignore[return-value]
    return "https://arxiv.org/"


def stable_ids(papers: Iterable[Paper]) -> Iterator[tuple[Paper, str, bool]]:
    """Each paper with its ``(id, is_url)``: ``https://arxiv.org/abs/ID`` (no version) when
    the identifier is valid, else the written http(s) URL, else a ``urn:uuid:`` derived
    from the paper's content and position.  Repeats get the ``urn:uuid:`` form, so ids
    are unique within a feed.  Papers are taken one at a time; only the ids given out
    so far are remembered."""
    seen: set[str] = set()
    for index, paper in enumerate(papers):
        candidate = clean(abs_url(paper))
        if candidate is not None and is_http_url(candidate) and candidate not in seen:
            ident, is_url = candidate, True
        else:
            key = "\x1f".join(
                [str(index), *(str(getattr(paper, name)) for name in ("arxiv_id", "url", "title"))]
            )
            ident, is_url = f"urn:uuid:{uuid.uuid5(_UUID_NS, key)}", False
        seen.add(ident)
        yield paper, ident, is_url


def feed_id(batch: Batch) -> str:
    """A stable feed identifier from the feed's title and link (``urn:uuid:``)."""
    return f"urn:uuid:{uuid.uuid5(_UUID_NS, batch.link + chr(31) + batch.title)}"


def utc(moment: _dt.datetime) -> _dt.datetime:
    """``moment`` in UTC without microseconds (a naive value is taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.timezone.utc)
    return moment.astimezone(_dt.timezone.utc).replace(microsecond=0)


def with_record(paper: Paper, record: ArxivRecord | None) -> tuple[Paper, Merged | None]:
    """``paper`` with arXiv's facts applied (:func:`digestconv.enrich.merge.merge`): title,
    abstract, latest version and primary category; unchanged without a record."""
    if record is None:
        return paper, None
    import dataclasses

    from ..enrich.merge import merge

    m = merge(paper, record)
    return (
        dataclasses.replace(
            paper,
            title=m.title,
            abstract=m.abstract,
            abstract_truncated=m.abstract_truncated,
            version=m.version,
            primary_category=m.primary_category or paper.primary_category,
        ),
        m,
    )


def published(record: ArxivRecord | None) -> _dt.datetime | None:
    """arXiv's v1 timestamp (UTC), or ``None``."""
    if record is None or not record.published:
        return None
    return _stamp(record.published, record.published_date)


def revised(record: ArxivRecord | None) -> _dt.datetime | None:
    """arXiv's timestamp of the latest version (UTC), else the v1 one, or ``None``."""
    if record is None:
        return None
    if record.updated:
        moment = _stamp(record.updated, record.updated_date)
        if moment is not None:
            return moment
    return published(record)


def _stamp(text: str, date: _dt.date | None) -> _dt.datetime | None:
    try:
        moment = _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        if date is None:
            return None
        moment = _dt.datetime(date.year, date.month, date.day)
    return utc(moment)


def author_names(merged: Merged | None) -> list[str]:
    """Each author's name as read aloud (``Given Family, Suffix`` or the literal), cleaned."""
    if merged is None:
        return []
    names = (clean(a.name) for a in merged.authors)
    return [n.strip() for n in names if n is not None and n.strip()]


def rfc822(moment: _dt.datetime) -> str:
    """``Fri, 01 Mar 2024 00:00:00 GMT`` (RFC 822 as RSS 2.0 and OPML 2.0 use it)."""
    return format_datetime(utc(moment), usegmt=True)


def rfc3339(moment: _dt.datetime) -> str:
    """``2024-03-01T00:00:00Z`` (RFC 3339 with an explicit offset, as Atom requires)."""
    return utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(text: str, what: str) -> etree._Element:
    """Parse untrusted XML text safely and return its root element.

    Entities are not substituted, no DTD or network resource is loaded.  Any
    parse failure becomes a :class:`FormatError` naming ``what`` and the place.
    """
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=True,
        remove_comments=True,
        remove_pis=True,
        encoding="utf-8",
    )
    try:
        root = etree.fromstring(text.encode("utf-8", "surrogatepass"), parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (0, 0)
        raise FormatError(
            f"not well-formed {what} XML (line {line}, column {column}): {exc.msg}"
        ) from None
    except (ValueError, TypeError) as exc:
        raise FormatError(f"cannot read {what} XML: {exc}") from None
    if root is None:
        raise FormatError(f"empty {what} document")
    return root


def declaration(ascii: bool = False) -> str:
    """The XML declaration line every document starts with."""
    return f'<?xml version="1.0" encoding="{"US-ASCII" if ascii else "UTF-8"}"?>\n'


def _tostring(root: etree._Element, ascii: bool) -> str:
    from lxml import etree

    encoding = "us-ascii" if ascii else "utf-8"
    return etree.tostring(root, encoding=encoding, pretty_print=True).decode(encoding)


#: the local name of the element that marks where entries go (never in an output)
_MARK = "digestconv-entries-go-here"


def split(root: etree._Element, container: etree._Element, ascii: bool = False) -> tuple[str, str]:
    """The text of ``root``'s document before and after the entries of ``container``.

    ``container`` (``root`` or an element inside it) is serialised as though
    entries followed its present children: ``head + entries + tail`` is the XML
    declaration and the whole tree pretty-printed (``ascii=True``: every non-ASCII
    character as a character reference).  The head starts with the declaration.
    ``container`` must get at least one entry (an element without children is
    written ``<tag/>``, which this split cannot express).
    """
    from lxml import etree

    namespace = etree.QName(container).namespace
    mark = etree.SubElement(container, f"{{{namespace}}}{_MARK}" if namespace else _MARK)
    try:
        text = _tostring(root, ascii)
    finally:
        container.remove(mark)
    # "/>" follows only a tag: ">" in text and attribute values is escaped
    at = text.rindex(_MARK + "/>")
    start = text.rindex("\n", 0, at) + 1
    end = text.index("\n", at) + 1
    return declaration(ascii) + text[:start], text[end:]


class Entries:
    """Serialise entries one at a time exactly as they would come out inside
    ``container`` of ``root``'s whole document (namespaces declared by the
    ancestors, indentation of their depth, the same escaping).

    ``root`` is a skeleton (see :func:`skeleton`): the document root with the
    namespace map of the real one and, down to ``container``, only the
    ancestors of the entries.  A writer builds one entry inside ``container``
    (as it would in the whole tree) and calls :meth:`take`, which serialises the
    small document, cuts the entry's lines out and empties ``container``.
    """

    def __init__(self, root: etree._Element, container: etree._Element, ascii: bool) -> None:
        self.root, self.container, self._ascii = root, container, ascii
        head, self._tail = split(root, container, ascii)
        self._head = head[len(declaration(ascii)) :]

    def take(self) -> str:
        """The text of what ``container`` holds, which is then removed."""
        try:
            text = _tostring(self.root, self._ascii)
        finally:
            for child in list(self.container):
                self.container.remove(child)
        if not (text.startswith(self._head) and text.endswith(self._tail)):
            raise AssertionError("an entry changed the text around it")
        return text[len(self._head) : len(text) - len(self._tail)]

    def within(self, outer: Entries) -> tuple[str, str]:
        """The opening and closing text of this container as an entry of ``outer``'s
        (this container inside ``outer.container``, with entries to come)."""
        return (
            self._head[len(outer._head) :],
            self._tail[: len(self._tail) - len(outer._tail)],
        )


def skeleton(root: etree._Element, *path: str) -> tuple[etree._Element, etree._Element]:
    """A root with ``root``'s tag, attributes and namespaces and the chain of empty
    elements ``path`` below it; returns the root and the innermost element."""
    from lxml import etree

    top = etree.Element(root.tag, dict(root.attrib), nsmap=root.nsmap)
    inner = top
    for tag in path:
        inner = etree.SubElement(inner, tag)
    return top, inner


def text_of(element: etree._Element | None) -> str | None:
    """The text content of a simple element (``None`` when missing or empty)."""
    if element is None:
        return None
    return "".join(t for t in element.itertext() if isinstance(t, str)) or None


def to_int(value: str | None, what: str, maximum: int = 10**12 - 1) -> int | None:
    """An optional integer field up to ``maximum``; a clear :class:`FormatError` otherwise."""
    if value is None:
        return None
    value = value.strip()
    digits = value.lstrip("0") or "0"
    if (
        not value.isascii()
        or not value.isdigit()
        or len(digits) > len(str(maximum))
        or int(digits) > maximum
    ):
        raise FormatError(f"{what} must be an integer from 0 to {maximum}, not {value[:40]!r}")
    return int(digits)


def to_bool(value: str | None, what: str) -> bool:
    """A boolean field written as ``true``/``false`` (absent means false)."""
    if value is None:
        return False
    value = value.strip()
    if value in ("true", "1"):
        return True
    if value in ("false", "0", ""):
        return False
    raise FormatError(f"{what} must be true or false, not {value[:40]!r}")


def id_from_url(url: str | None) -> tuple[str | None, int | None]:
    """Identifier and version from an arXiv abstract URL of a feed not written here."""
    if not url:
        return None, None
    parsed = parse_url(url.strip())
    if parsed is None or check_id(parsed.raw_id)[0] is None:
        return None, None
    return parsed.raw_id, parsed.version


def absent_fields(paper: Paper) -> list[str]:
    """The :data:`SUBSTITUTED` fields ``paper`` has no value for."""
    return [name for name in SUBSTITUTED if clean(getattr(paper, name)) is None]


def parse_absent(value: str | None) -> set[str]:
    """The field names of an ``absent`` marker (space-separated)."""
    return set((value or "").split())


def display_title(paper: Paper) -> str:
    """The item title: the English title, else the Chinese one, else the id or URL,
    as people read it (:func:`readable`).

    Only a missing English title is substituted (and then listed as absent).
    """
    title = clean(paper.title)
    if title is not None:
        return readable(title)
    for candidate in (paper.title_zh, paper.arxiv_id, paper.url):
        text = clean(candidate)
        if text is not None and text.strip():
            return readable(text)
    return "Untitled paper"


def sections(paper: Paper, withdrawn: str | None = None) -> Iterator[tuple[str, str, str]]:
    """The human-readable parts of a paper: ``(class, label, text)`` in reading order.

    Text is :func:`readable`, and a cut abstract or translation gets :data:`CUT_NOTE`
    appended (the exact text is carried elsewhere; this is for people reading the
    feed).  The classes in :data:`ENGLISH_SECTIONS` are English.  ``withdrawn``, the
    mark of a withdrawn paper (:func:`~digestconv.formats._common.withdrawal`),
    comes first.
    """
    if withdrawn is not None:
        yield "withdrawn", "Withdrawn", withdrawn
    parts = (
        ("title-zh", "标题", paper.title_zh, False),
        ("summary-zh", "摘要", paper.summary_zh, False),
        ("summary-en", "Summary", paper.summary_en, False),
        ("abstract-zh", "译文", paper.abstract_zh, paper.translation_truncated),
        ("abstract", "Abstract", paper.abstract, paper.abstract_truncated),
    )
    for cls, label, value, cut in parts:
        text = clean(value)
        if text is None:
            continue
        text = readable(text)
        yield cls, label, f"{text} {CUT_NOTE}" if cut else text


def sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    """Append element ``tag`` with ``text`` and attributes to ``parent``."""
    from lxml import etree

    element = etree.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def add_extensions(
    parent: etree._Element, paper: Paper, link: str, text_fields: Iterable[tuple[str, str]]
) -> None:
    """Write the ``dg:`` extension elements of ``paper`` (feeds share this layout).

    ``dg:title`` holds the exact title when the readable one shown to people
    differs from it (LaTeX decoded), so a reader gets the digest's text back.
    """
    dg = f"{{{NS}}}"
    if paper.ref is not None:
        sub(parent, dg + "ref", str(paper.ref))
    arxiv_id = clean(paper.arxiv_id)
    if arxiv_id is not None:
        sub(parent, dg + "arxiv-id", arxiv_id)
    if paper.version is not None:
        sub(parent, dg + "version", str(paper.version))
    url = clean(paper.url)
    if url is not None and url != link:
        sub(parent, dg + "written-url", url)
    title = clean(paper.title)
    if title is not None and readable(title) != title:
        sub(parent, dg + "title", title)
    for field, tag in text_fields:
        value = clean(getattr(paper, field))
        if value is not None:
            sub(parent, dg + tag, value)
    if paper.abstract_truncated:
        sub(parent, dg + "abstract-truncated", "true")
    if paper.translation_truncated:
        sub(parent, dg + "translation-truncated", "true")
    absent = absent_fields(paper)
    if absent:
        sub(parent, dg + "absent", " ".join(absent))


def read_extensions(
    element: etree._Element, link: str | None, where: str, text_fields: Iterable[tuple[str, str]]
) -> tuple[bool, set[str], dict[str, Any]]:
    """Read the ``dg:`` extensions of a feed item or entry.

    Returns whether the element was written by digestconv, the fields marked
    absent, and the :class:`Paper` keyword arguments the extensions give
    (identifier and version from ``link`` for feeds written elsewhere; ``title``
    only when ``dg:title`` holds the exact title the readable one came from).
    """
    dg_ns = f"{{{NS}}}"

    def dg(tag: str) -> str | None:
        return text_of(element.find(dg_ns + tag))

    absent = parse_absent(dg("absent"))
    ours = (
        element.find(dg_ns + "arxiv-id") is not None or element.find(dg_ns + "absent") is not None
    )
    if ours:
        arxiv_id, version = (
            dg("arxiv-id"),
            to_int(dg("version"), f"{where}: dg:version", MAX_VERSION),
        )
    else:
        arxiv_id, version = id_from_url(link)
    fields: dict[str, Any] = {field: dg(tag) for field, tag in text_fields}
    title = dg("title")
    if title is not None:
        fields["title"] = title
    fields.update(
        ref=to_int(dg("ref"), f"{where}: dg:ref", MAX_REF),
        arxiv_id=arxiv_id,
        version=version,
        url=dg("written-url") or (None if "url" in absent else link),
        abstract_truncated=to_bool(dg("abstract-truncated"), f"{where}: dg:abstract-truncated"),
        translation_truncated=to_bool(
            dg("translation-truncated"), f"{where}: dg:translation-truncated"
        ),
    )
    return ours, absent, fields
