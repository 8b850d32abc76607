"""RSS 2.0: one channel over every input, one ``<item>`` per paper, in input order.

Channel: ``title`` and ``link`` from the batch (a link that is not an absolute
http(s) URL becomes ``https://arxiv.org/``), a fixed ``description``,
``language`` ``zh-cn`` (a Chinese digest of English papers; the description's
English paragraphs say ``lang="en"``), ``dc:creator`` the feed's author
(``Batch.author``, else the title), ``pubDate``/``lastBuildDate`` from
``Batch.updated`` (RFC 822, GMT), ``generator`` and ``docs``.

Text is for people: the LaTeX accents and escaped specials digests keep
(``Schr\\"odinger``) are shown as characters (``Schrödinger``) in titles and
descriptions; the exact text is kept in the ``dg:`` elements (``dg:title`` when
the title changed), so reading gives it back.

Item, standard elements:

* ``title``: the English title (a paper without one shows its Chinese title or
  identifier, and ``title`` is listed in ``dg:absent``);
* ``link``: the URL as written when it is an absolute http(s) URL, else
  ``https://arxiv.org/abs/ID`` (the written URL then goes in ``dg:written-url``);
* ``guid isPermaLink="true"``: ``https://arxiv.org/abs/ID`` without version, stable
  across versions and digests; a paper without a valid identifier gets its
  written URL or else ``urn:uuid:...`` with ``isPermaLink="false"``;
* ``description``: escaped HTML for people (Chinese title, Chinese summary,
  English summary, Chinese abstract, English abstract; a cut abstract or
  translation ends with a visible ``[…]``; a withdrawn paper starts with
  ``Withdrawn: arXiv vN is a withdrawal notice``);
* ``category domain="https://arxiv.org/category_taxonomy"``: the primary category, when known;
* ``pubDate``: only with arXiv metadata, the v1 timestamp.  A digest gives no
  day of submission, and no day is made up.

With arXiv metadata (``Batch.record(paper)``): one ``dc:creator`` per author
(Dublin Core, ``Given Family``), ``pubDate`` the v1 timestamp, and title,
abstract, version and category arXiv's (see :mod:`digestconv.enrich.merge`).

Item, extension elements in the ``dg`` namespace (``urn:digestconv:digest:1``),
one simple text element per field, written only when the field has a value:
``dg:ref``, ``dg:arxiv-id``, ``dg:version``, ``dg:written-url``, ``dg:title``, ``dg:title-zh``,
``dg:summary-zh``, ``dg:summary-en``, ``dg:abstract``, ``dg:abstract-zh``,
``dg:announce-type``, ``dg:abstract-truncated`` and ``dg:translation-truncated``
(``true``, only when set), and ``dg:absent`` (space-separated names of fields
the paper lacks whose standard element holds a substitute).

Fields read back: every contract field but ``line`` and ``end_line`` (ref,
arxiv_id, version, url, title, title_zh, summary_zh, summary_en, abstract,
abstract_zh, announce_type, primary_category, abstract_truncated,
translation_truncated), equal to what was written after removal of
XML-illegal and control characters (see :func:`digestconv.formats._xml.normalised`).
Items of feeds written elsewhere give title, url, identifier and version (from
an arXiv link), category and the description as abstract.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..model import Paper
from . import _xml
from ._common import withdrawal
from .base import Batch, Format, FormatError

if TYPE_CHECKING:
    from lxml import etree

#: the ``domain`` of the primary-category ``<category>``
CATEGORY_DOMAIN = "https://arxiv.org/category_taxonomy"
DESCRIPTION = "arXiv papers with Chinese titles, summaries and abstract translations"
DOCS = "https://www.rssboard.org/rss-specification"

#: (contract field, ``dg`` element) for the plain text fields, in writing order
_TEXT_FIELDS: tuple[tuple[str, str], ...] = (
    ("title_zh", "title-zh"),
    ("summary_zh", "summary-zh"),
    ("summary_en", "summary-en"),
    ("abstract", "abstract"),
    ("abstract_zh", "abstract-zh"),
    ("announce_type", "announce-type"),
)


_sub = _xml.sub


def describe(paper: Paper, withdrawn: str | None = None) -> str:
    """The item description: the paper's sections as an HTML fragment (unescaped)."""
    from lxml import etree

    div = etree.Element("div")
    for cls, _label, text in _xml.sections(paper, withdrawn):
        attrs = {"class": cls}
        if cls in _xml.ENGLISH_SECTIONS:
            attrs["lang"] = _xml.ENGLISH
        _sub(div, "h3" if cls == "title-zh" else "p", text, **attrs)
    if not len(div):
        return ""
    return etree.tostring(div, encoding="unicode", method="html")


class Rss(Format):
    """RSS 2.0 feed: an item per paper with the digest fields as ``dg:`` extensions."""

    name = "rss"
    suffixes = (".rss", ".rss.xml")
    aliases = ("rss2", "rss20")
    media_type = "application/rss+xml"
    description = "RSS 2.0 feed, one item per paper (Chinese fields as dg: extensions)"

    def chunks(self, batch: Batch) -> Iterator[str]:
        """The RSS 2.0 document of ``batch``: the channel head, an item per paper, the end."""
        from lxml import etree

        nsmap = {_xml.PREFIX: _xml.NS, "dc": _xml.DC_NS}
        root = etree.Element("rss", {"version": "2.0"}, nsmap=nsmap)
        channel = _sub(root, "channel")
        _sub(channel, "title", _xml.clean(batch.title) or "arXiv digest")
        link = _xml.clean(batch.link)
        _sub(channel, "link", link if _xml.is_http_url(link) else "https://arxiv.org/")  # type: ignore[arg-type]
        _sub(channel, "description", DESCRIPTION)
        _sub(channel, "language", _xml.LANGUAGE.lower())
        _sub(channel, f"{{{_xml.DC_NS}}}creator", _xml.author_name(batch))
        _sub(channel, "generator", "digestconv")
        _sub(channel, "docs", DOCS)
        _sub(channel, "pubDate", _xml.rfc822(batch.updated))
        _sub(channel, "lastBuildDate", _xml.rfc822(batch.updated))
        head, tail = _xml.split(root, channel, batch.ascii)
        yield head
        entries = _xml.Entries(*_xml.skeleton(root, "channel"), batch.ascii)
        for paper, guid, perma in _xml.stable_ids(batch.papers):
            self._item(entries.container, paper, guid, perma, batch)
            yield entries.take()
        yield tail

    @staticmethod
    def _item(channel: etree._Element, paper: Paper, guid: str, perma: bool, batch: Batch) -> None:
        record = batch.record(paper)
        paper, merged = _xml.with_record(paper, record)
        item = _sub(channel, "item")
        link = _xml.link_of(paper)
        _sub(item, "title", _xml.display_title(paper))
        _sub(item, "link", link)
        _sub(item, "guid", guid, isPermaLink="true" if perma else "false")
        description = describe(paper, withdrawal(record))
        if description:
            _sub(item, "description", description)
        category = _xml.clean(paper.primary_category)
        if category is not None:
            _sub(item, "category", category, domain=CATEGORY_DOMAIN)
        for name in _xml.author_names(merged):
            _sub(item, f"{{{_xml.DC_NS}}}creator", name)
        date = _xml.published(record)
        if date is not None:
            _sub(item, "pubDate", _xml.rfc822(date))
        _xml.add_extensions(item, paper, link, _TEXT_FIELDS)

    def read(self, text: str) -> list[Paper]:
        """Papers from an RSS 2.0 document (see the module docstring for the fields)."""
        root = _xml.parse(text, "RSS")
        if root.tag != "rss":
            raise FormatError(f"not an RSS document: the root element is <{root.tag}>, not <rss>")
        channel = root.find("channel")
        if channel is None:
            raise FormatError("not an RSS 2.0 document: <rss> has no <channel>")
        return [_read_item(item, n) for n, item in enumerate(channel.iterfind("item"), 1)]


def _read_item(item: etree._Element, n: int) -> Paper:
    link = _xml.text_of(item.find("link"))
    ours, absent, fields = _xml.read_extensions(item, link, f"item {n}", _TEXT_FIELDS)
    category = None
    for element in item.iterfind("category"):
        if not ours or element.get("domain") == CATEGORY_DOMAIN:
            category = _xml.text_of(element)
            break
    if not ours:
        fields["abstract"] = _xml.text_of(item.find("description"))
    title = fields.pop("title", None)
    if title is None and "title" not in absent:
        title = _xml.text_of(item.find("title"))
    return Paper(title=title, primary_category=category, **fields)
