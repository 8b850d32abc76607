"""Atom 1.0 (RFC 4287): one feed over every input, one ``<entry>`` per paper, in input order.

Feed: ``xml:lang="zh-CN"`` (a Chinese digest of English papers: its own text is
Chinese, and every English element says ``xml:lang="en"``), ``id`` is
``urn:uuid:`` derived from the batch title and link (stable for the same feed),
``title``, ``subtitle``, ``link rel="alternate"`` to the batch link, ``updated``
from ``Batch.updated`` (``SOURCE_DATE_EPOCH``, else derived from the input),
``generator``.  Digests name no authors, yet RFC 4287 requires an author for
every entry, inherited from the feed when the entry has none: the feed's
``<author><name>`` is ``Batch.author`` (``--feed-author``), else the feed title,
that is the digest that selected and translated the papers, never a claim
about who wrote them.  Entries carry no author, except with arXiv metadata
(``Batch.record(paper)``): then each entry has one ``<author><name>`` per author
(``Given Family``), its ``title``, ``summary`` and ``dg:version`` are arXiv's (see
:mod:`digestconv.enrich.merge`), ``published`` is the v1 timestamp, and the
feed-level author is left out when every entry has its own.

Entry, standard elements:

* ``id``: ``https://arxiv.org/abs/ID`` without version (the same value as the RSS
  guid); a paper without a valid identifier gets its written http(s) URL or a
  ``urn:uuid:``;
* ``title type="text"``: the English title for people, LaTeX accents and escaped
  specials as characters (``Schrödinger``; a substitute, listed in ``dg:absent``,
  when there is none); the exact title goes to ``dg:title`` when it differs;
* ``link rel="alternate" type="text/html"``: the URL as written when it is an
  absolute http(s) URL, else ``https://arxiv.org/abs/ID`` (the written URL then in
  ``dg:written-url``);
* ``summary type="text"``: the English abstract as people read it (LaTeX accents
  and escaped specials as characters, like the title), a cut one ending with
  `` […]`` as in the content; when that differs from the abstract as written,
  ``dg:abstract`` holds the exact text;
* ``content type="xhtml"``: for people, the Chinese title, summaries, Chinese
  and English abstracts as ``h3``/``p`` elements with a ``class`` per field; a
  cut abstract or translation ends with a visible ``[…]``; a withdrawn paper
  starts with ``<p class="withdrawn">Withdrawn: arXiv vN is a withdrawal notice</p>``;
* ``category term="cs.LG" scheme="https://arxiv.org/category_taxonomy"``: the
  primary category, with the taxonomy name as ``label`` when known;
* ``published``: only with arXiv metadata, the v1 timestamp: a digest gives no
  day, and none is made up; ``updated`` (which Atom requires): with arXiv
  metadata the latest version's timestamp, else ``Batch.updated``, the one
  stable date of the whole feed.  Never the wall clock.  RFC 3339 with a ``Z``
  offset.

Entry, extension elements in the ``dg`` namespace (``urn:digestconv:digest:1``;
simple extension elements, valid under the RFC's RELAX NG schema), written only
when the field has a value: ``dg:ref``, ``dg:arxiv-id``, ``dg:version``,
``dg:written-url``, ``dg:title``, ``dg:title-zh``, ``dg:summary-zh``, ``dg:summary-en``,
``dg:abstract-zh``, ``dg:announce-type``, ``dg:abstract-truncated`` and
``dg:translation-truncated`` (``true``), ``dg:absent``, ``dg:abstract``.

Fields read back: every contract field but ``line`` and ``end_line``, equal to
what was written after removal of XML-illegal and control characters (see
:func:`digestconv.formats._xml.normalised`).  Entries of feeds written elsewhere
give title, url, identifier and version (from an arXiv link), category and summary.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..arxiv import categories
from ..model import Paper
from . import _xml
from ._common import withdrawal
from .base import Batch, Format, FormatError, has_authors

if TYPE_CHECKING:
    from lxml import etree

ATOM_NS = "http://www.w3.org/2005/Atom"
XHTML_NS = "http://www.w3.org/1999/xhtml"
#: the ``scheme`` of the primary-category ``<category>``
CATEGORY_SCHEME = "https://arxiv.org/category_taxonomy"
SUBTITLE = "arXiv papers with Chinese titles, summaries and abstract translations"
_A = f"{{{ATOM_NS}}}"
_X = f"{{{XHTML_NS}}}"

#: (contract field, ``dg`` element) for the plain text fields, in writing order
_TEXT_FIELDS: tuple[tuple[str, str], ...] = (
    ("title_zh", "title-zh"),
    ("summary_zh", "summary-zh"),
    ("summary_en", "summary-en"),
    ("abstract_zh", "abstract-zh"),
    ("announce_type", "announce-type"),
)


_sub = _xml.sub


class Atom(Format):
    """Atom 1.0 feed: an entry per paper with the digest fields as ``dg:`` extensions."""

    name = "atom"
    suffixes = (".atom", ".atom.xml")
    aliases = ("atom1", "atom10")
    media_type = "application/atom+xml"
    description = "Atom 1.0 feed, one entry per paper (Chinese fields as dg: extensions)"

    def chunks(self, batch: Batch) -> Iterator[str]:
        """The Atom 1.0 document of ``batch``: the feed head, an entry per paper, the end."""
        from lxml import etree

        root = etree.Element(_A + "feed", nsmap={None: ATOM_NS, _xml.PREFIX: _xml.NS})
        root.set(_xml.XML_LANG, _xml.LANGUAGE)
        title = _xml.clean(batch.title) or "arXiv digest"
        _sub(root, _A + "id", _xml.feed_id(batch))
        _sub(root, _A + "title", title, type="text")
        _sub(root, _A + "subtitle", SUBTITLE, type="text", **{_xml.XML_LANG: _xml.ENGLISH})
        _sub(root, _A + "updated", _xml.rfc3339(batch.updated))
        authored = batch.authored
        if authored is None:
            authored = bool(batch.records) and all(
                has_authors(batch.record(p)) for p in batch.papers
            )
        if not authored:
            author = _sub(root, _A + "author")
            _sub(author, _A + "name", _xml.author_name(batch))
        link = _xml.clean(batch.link)
        if _xml.is_http_url(link):
            _sub(root, _A + "link", rel="alternate", type="text/html", href=link)  # type: ignore[arg-type]
        _sub(root, _A + "generator", "digestconv")
        head, tail = _xml.split(root, root, batch.ascii)
        yield head
        entries = _xml.Entries(*_xml.skeleton(root), batch.ascii)
        for paper, ident, _url in _xml.stable_ids(batch.papers):
            self._entry(entries.container, paper, ident, batch)
            yield entries.take()
        yield tail

    @staticmethod
    def _entry(feed: etree._Element, paper: Paper, ident: str, batch: Batch) -> None:
        from lxml import etree

        record = batch.record(paper)
        paper, merged = _xml.with_record(paper, record)
        entry = _sub(feed, _A + "entry")
        link = _xml.link_of(paper)
        _sub(entry, _A + "id", ident)
        english = {_xml.XML_LANG: _xml.ENGLISH}
        title_lang = english if _xml.clean(paper.title) is not None else {}
        _sub(entry, _A + "title", _xml.display_title(paper), type="text", **title_lang)
        for name in _xml.author_names(merged):
            author = _sub(entry, _A + "author")
            _sub(author, _A + "name", name)
        _sub(entry, _A + "link", rel="alternate", type="text/html", href=link)
        published = _xml.published(record)
        if published is not None:
            _sub(entry, _A + "published", _xml.rfc3339(published))
        updated = _xml.revised(record) or _xml.utc(batch.updated)
        _sub(entry, _A + "updated", _xml.rfc3339(updated))
        category = _xml.clean(paper.primary_category)
        if category is not None:
            attrs = {"term": category, "scheme": CATEGORY_SCHEME}
            known = categories().get(category)
            if known:
                attrs["label"] = known[0]
            _sub(entry, _A + "category", **attrs)
        abstract = _xml.clean(paper.abstract)
        summary = None
        if abstract is not None:
            summary = _xml.readable(abstract)
            if paper.abstract_truncated:
                summary = f"{summary} {_xml.CUT_NOTE}"
            _sub(entry, _A + "summary", summary, type="text", **english)
        parts = list(_xml.sections(paper, withdrawal(record)))
        if parts:
            content = _sub(entry, _A + "content", type="xhtml")
            div = etree.SubElement(content, _X + "div", nsmap={None: XHTML_NS})
            for cls, _label, text in parts:
                attrs = {"class": cls}
                if cls in _xml.ENGLISH_SECTIONS:
                    attrs[_xml.XML_LANG] = _xml.ENGLISH
                _sub(div, _X + ("h3" if cls == "title-zh" else "p"), text, **attrs)
        _xml.add_extensions(entry, paper, link, _TEXT_FIELDS)
        if summary is not None and summary != abstract:
            # the exact abstract, when the summary shown differs from it
            _sub(entry, f"{{{_xml.NS}}}abstract", abstract)

    def read(self, text: str) -> list[Paper]:
        """Papers from an Atom 1.0 document (see the module docstring for the fields)."""
        root = _xml.parse(text, "Atom")
        if root.tag != _A + "feed":
            raise FormatError(
                f"not an Atom 1.0 feed: the root element is {root.tag!r}, not {_A}feed"
            )
        return [_read_entry(entry, n) for n, entry in enumerate(root.iterfind(_A + "entry"), 1)]


def _alternate(entry: etree._Element) -> str | None:
    first = None
    for link in entry.iterfind(_A + "link"):
        if link.get("rel", "alternate") == "alternate":
            if link.get("type", "text/html") == "text/html":
                return link.get("href")
            first = first or link.get("href")
    return first


def _read_entry(entry: etree._Element, n: int) -> Paper:
    link = _alternate(entry)
    ours, absent, fields = _xml.read_extensions(entry, link, f"entry {n}", _TEXT_FIELDS)
    category = None
    for element in entry.iterfind(_A + "category"):
        if not ours or element.get("scheme") == CATEGORY_SCHEME:
            category = element.get("term")
            break
    title = fields.pop("title", None)
    if title is None and "title" not in absent:
        title = _xml.text_of(entry.find(_A + "title"))
    abstract = _xml.text_of(entry.find(f"{{{_xml.NS}}}abstract"))
    if abstract is None:
        abstract = _xml.text_of(entry.find(_A + "summary"))
    return Paper(
        title=title,
        abstract=abstract,
        primary_category=category or None,
        **fields,
    )
