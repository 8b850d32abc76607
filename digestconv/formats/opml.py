"""OPML 2.0: an outline per digest file holding an outline per paper.

``<head>``: ``title`` from the batch, ``dateCreated`` and ``dateModified`` from
``Batch.updated`` (RFC 822, GMT; never the wall clock), ``ownerName`` the feed's
author (``Batch.author``, else the title), ``docs``.

``<body>``: one outline per input file (``Batch.sources``, in order) whose
``text`` is the file's path relative to the folder all inputs share (see
:func:`outline_names`: no local folder leaks into a shared file), holding that
file's papers in file order.  Papers
of the batch that no source lists follow in one more outline named after the
batch title; without sources, that outline holds every paper.

Paper outline: ``text`` is the English title as people read it (LaTeX accents
and escaped specials as characters; ``originalTitle`` holds the exact title when
that differs; a substitute, listed in ``absent``, when there is none),
``type="link"``, ``url`` is the URL as written when it is an absolute http(s)
URL, else ``https://arxiv.org/abs/ID`` (the written URL then goes in
``writtenUrl``). OPML 2.0 lets an outline carry any other attribute; the digest
fields use these, written only when the field has a value: ``ref``, ``arxivId``,
``version``, ``writtenUrl``, ``titleZh``, ``summaryZh``, ``summaryEn``,
``abstract``, ``abstractZh``, ``announceType``, ``primaryCategory``,
``abstractTruncated`` and ``translationTruncated`` (``true``), ``absent``
(space-separated contract names of fields the paper lacks whose standard
attribute holds a substitute).

With arXiv metadata (``Batch.record(paper)``): ``authors`` (names, ``; ``-separated),
``created`` (the v1 timestamp, RFC 822), ``withdrawn`` (``Withdrawn: arXiv vN is a
withdrawal notice``, for a withdrawn paper only), and title, abstract, version and
category arXiv's (see :mod:`digestconv.enrich.merge`).

Fields read back: every contract field but ``line`` and ``end_line``, equal to
what was written after removal of XML-illegal and control characters (see
:func:`digestconv.formats._xml.normalised`).  Reading gives the paper outlines
in document order, keeping the first outline of each arXiv identifier (a paper
listed by several files is one paper).  Link outlines of files written
elsewhere give title, url and the identifier and version of an arXiv URL.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from ..arxiv import MAX_VERSION
from ..model import MAX_REF, Paper
from . import _xml
from ._common import withdrawal
from .base import Batch, Format, FormatError

if TYPE_CHECKING:
    from lxml import etree

DOCS = "http://opml.org/spec2.opml"

#: (contract field, outline attribute) for the plain text fields, in writing order
_TEXT_FIELDS: tuple[tuple[str, str], ...] = (
    ("title_zh", "titleZh"),
    ("summary_zh", "summaryZh"),
    ("summary_en", "summaryEn"),
    ("abstract", "abstract"),
    ("abstract_zh", "abstractZh"),
    ("announce_type", "announceType"),
    ("primary_category", "primaryCategory"),
)


_sub = _xml.sub


def outline_names(paths: Sequence[str]) -> list[str]:
    """The text of each input file's outline: its path relative to the folder all
    the inputs share (one input: its file name).

    A path given absolute would otherwise put the user's folders into a file
    meant to be shared; a path that would climb out of that folder (``..``)
    becomes its file name.  Pure string work on the paths as given.
    """
    import os
    import posixpath

    # a backslash separates folders on Windows only: elsewhere it is part of a name (and
    # of the ``\\xNN`` escapes that stand for bytes of a name that is not UTF-8)
    windows = os.sep == "\\"
    norm = [posixpath.normpath(p.replace("\\", "/") if windows else p) for p in paths]
    try:
        common = posixpath.commonpath([posixpath.dirname(p) for p in norm]) if norm else ""
    except ValueError:  # absolute and relative paths mixed
        common = None
    out = []
    for path in norm:
        name = posixpath.basename(path)
        if common is not None:
            prefix = common.rstrip("/") + "/" if common else ""
            rest = path[len(prefix) :] if path.startswith(prefix) else name
            if rest and not rest.startswith(("../", "/")) and rest != "..":
                name = rest
        out.append(name)
    return out


def _noting(papers: Iterable[Paper], listed: set[Paper], listed_ids: set[str]) -> Iterator[Paper]:
    """``papers``, noting each in ``listed`` (no identifier) or ``listed_ids`` as it passes."""
    for paper in papers:
        if paper.arxiv_id is None:
            listed.add(paper)
        else:
            listed_ids.add(paper.arxiv_id)
        yield paper


def _unlisted(batch: Batch, listed: set[Paper], listed_ids: set[str]) -> Iterator[Paper]:
    """The papers of ``batch`` that no source listed (compared by identifier)."""
    for paper in batch.papers:
        if paper not in listed and (paper.arxiv_id is None or paper.arxiv_id not in listed_ids):
            yield paper


class Opml(Format):
    """OPML 2.0 outline: a group per digest file, a link outline per paper."""

    name = "opml"
    suffixes = (".opml",)
    aliases = ("opml2",)
    media_type = "text/x-opml"
    description = "OPML 2.0 outline, a group per digest file and a link per paper"

    def chunks(self, batch: Batch) -> Iterator[str]:
        """The OPML 2.0 document of ``batch``: the head, each group's outline opening,
        its papers' outlines one by one and its closing, then the end."""
        from lxml import etree

        root = etree.Element("opml", version="2.0")
        head = _sub(root, "head")
        title = _xml.clean(batch.title) or "arXiv digest"
        _sub(head, "title", title)
        _sub(head, "dateCreated", _xml.rfc822(batch.updated))
        _sub(head, "dateModified", _xml.rfc822(batch.updated))
        _sub(head, "ownerName", _xml.author_name(batch))
        _sub(head, "docs", DOCS)
        body = _sub(root, "body")
        start, end = _xml.split(root, body, batch.ascii)
        yield start
        groups = _xml.Entries(*_xml.skeleton(root, "body"), batch.ascii)
        listed: set[Paper] = set()
        listed_ids: set[str] = set()
        wrote = False
        names = outline_names([source.path for source in batch.sources])
        for source, name in zip(batch.sources, names, strict=True):
            wrote = True
            papers = _noting(source.papers, listed, listed_ids)
            yield from self._group(groups, name, papers, batch)
        rest = _unlisted(batch, listed, listed_ids)
        first = next(rest, None)
        if first is not None:
            wrote = True
            yield from self._group(groups, batch.title, _chain(first, rest), batch)
        if not wrote:
            yield from self._group(groups, title, (), batch)
        yield end

    @staticmethod
    def _group(
        groups: _xml.Entries, text: str, papers: Iterable[Paper], batch: Batch
    ) -> Iterator[str]:
        """One group outline: its opening, an outline per paper, its closing."""
        from lxml import etree

        title = _xml.clean(batch.title) or "arXiv digest"
        group = etree.SubElement(groups.container, "outline", {"text": _group_text(text, title)})
        entries = None
        closing = ""
        for paper in papers:
            if entries is None:
                entries = _xml.Entries(groups.root, group, batch.ascii)
                opening, closing = entries.within(groups)
                yield opening
            _outline(group, paper, batch)
            yield entries.take()
        if entries is None:
            # a group without papers is an empty element, written whole
            yield groups.take()
        else:
            groups.container.remove(group)
            yield closing

    def read(self, text: str) -> list[Paper]:
        """Papers from an OPML document (see the module docstring for the fields)."""
        root = _xml.parse(text, "OPML")
        if root.tag != "opml":
            raise FormatError(f"not an OPML document: the root element is <{root.tag}>")
        body = root.find("body")
        if body is None:
            raise FormatError("not an OPML document: <opml> has no <body>")
        papers: list[Paper] = []
        seen: set[str] = set()
        for n, outline in enumerate(body.iter("outline"), 1):
            if outline.get("type") != "link" or outline.find("outline") is not None:
                continue
            paper = _read_outline(outline, n)
            if paper.arxiv_id is not None:
                if paper.arxiv_id in seen:
                    continue
                seen.add(paper.arxiv_id)
            papers.append(paper)
        return papers


def _chain(first: Paper, rest: Iterator[Paper]) -> Iterator[Paper]:
    yield first
    yield from rest


def _group_text(text: str, fallback: str) -> str:
    cleaned = _xml.clean(text)
    return cleaned if cleaned is not None and cleaned.strip() else fallback


def _outline(group: etree._Element, paper: Paper, batch: Batch) -> None:
    record = batch.record(paper)
    paper, merged = _xml.with_record(paper, record)
    link = _xml.link_of(paper)
    attrs = {"text": _xml.display_title(paper), "type": "link", "url": link}
    title = _xml.clean(paper.title)
    if title is not None and attrs["text"] != title:
        attrs["originalTitle"] = title
    names = _xml.author_names(merged)
    if names:
        attrs["authors"] = "; ".join(names)
    created = _xml.published(record)
    if created is not None:
        attrs["created"] = _xml.rfc822(created)
    mark = withdrawal(record)
    if mark is not None:
        attrs["withdrawn"] = mark
    if paper.ref is not None:
        attrs["ref"] = str(paper.ref)
    arxiv_id = _xml.clean(paper.arxiv_id)
    if arxiv_id is not None:
        attrs["arxivId"] = arxiv_id
    if paper.version is not None:
        attrs["version"] = str(paper.version)
    url = _xml.clean(paper.url)
    if url is not None and url != link:
        attrs["writtenUrl"] = url
    for field, name in _TEXT_FIELDS:
        value = _xml.clean(getattr(paper, field))
        if value is not None:
            attrs[name] = value
    if paper.abstract_truncated:
        attrs["abstractTruncated"] = "true"
    if paper.translation_truncated:
        attrs["translationTruncated"] = "true"
    absent = _xml.absent_fields(paper)
    if absent:
        attrs["absent"] = " ".join(absent)
    from lxml import etree

    etree.SubElement(group, "outline", attrs)


def _read_outline(outline: etree._Element, n: int) -> Paper:
    where = f"outline {n}"
    get = outline.get
    absent = _xml.parse_absent(get("absent"))
    ours = get("arxivId") is not None or get("absent") is not None
    link = get("url") or None
    if ours:
        arxiv_id, version = (
            get("arxivId"),
            _xml.to_int(get("version"), f"{where}: version", MAX_VERSION),
        )
    else:
        arxiv_id, version = _xml.id_from_url(link)
    return Paper(
        ref=_xml.to_int(get("ref"), f"{where}: ref", MAX_REF),
        arxiv_id=arxiv_id,
        version=version,
        url=get("writtenUrl") or (None if "url" in absent else link),
        title=get("originalTitle") or (None if "title" in absent else (get("text") or None)),
        abstract_truncated=_xml.to_bool(get("abstractTruncated"), f"{where}: abstractTruncated"),
        translation_truncated=_xml.to_bool(
            get("translationTruncated"), f"{where}: translationTruncated"
        ),
        **{field: get(name) or None for field, name in _TEXT_FIELDS},
    )
