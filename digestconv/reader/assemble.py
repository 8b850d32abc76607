"""Stage 3: assemble papers from what the walk found.

Pure functions: a detail block's paragraphs (slots) and its table row go in, a
:class:`~digestconv.model.Paper` and the issues met come out.  The parts that
say how the format works each have their own function:

* :func:`layout` places the paragraphs (title, link, summaries, abstracts);
* :func:`split_title` takes an old-feed ``(arXiv:IDvN [cat])`` suffix off the title;
* :func:`split_abstract` takes a new-feed ``arXiv:IDvN Announce Type:`` prefix off
  the abstract;
* :func:`choose_id` and :func:`choose_version` pick the identifier and version
  among the link, the prefix and the suffix;
* :func:`text.abstract_truncated <digestconv.text.abstract_truncated>` and
  :func:`text.translation_cut <digestconv.text.translation_cut>` tell cut text.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .. import arxiv
from ..model import Issue, Paper, Source, Span, TableRow, _new_span
from ..text import abstract_truncated, mostly_cjk, translation_cut
from .walk import FIELDS_PER_BLOCK, WS, Block

_LINK = re.compile(r"\[([^\]]*)\]\(([^()\s]*)\)")

Slot = list[int]  # [first line, last line], 1-based, inclusive


def _indent(raw: str, stripped: str) -> int:
    """Width of the blanks before ``raw``'s text (``stripped`` is ``raw.strip(WS)``)."""
    if raw[-1] not in WS:  # nothing stripped at the end: the rest came off the front
        return len(raw) - len(stripped)
    return len(raw) - len(raw.lstrip(WS))


def read_slot(lines: list[str], slot: Slot) -> tuple[str, Span]:
    """A paragraph's text (its lines stripped, joined by newlines) and its span.

    The span runs from the paragraph's first character to just after its last
    one; an empty field (one whitespace-only line) spans the point after its blanks.
    """
    first, last = slot
    raw = lines[first - 1]
    if first == last:
        value = raw.strip(WS)
        # when nothing was stripped at the end, the rest came off the front
        indent = len(raw) - (len(raw.lstrip(WS)) if raw[-1] in WS else len(value))
        return value, _new_span(Span, (first, indent + 1, first, indent + len(value) + 1))
    parts = [line.strip(WS) for line in lines[first - 1 : last]]
    end = _indent(lines[last - 1], parts[-1]) + len(parts[-1]) + 1
    span = _new_span(Span, (first, _indent(raw, parts[0]) + 1, last, end))
    return "\n".join(parts), span


def slot_value(lines: list[str], slot: Slot) -> str:
    """The text of a paragraph: its lines stripped, joined by newlines."""
    return read_slot(lines, slot)[0]


def slot_span(lines: list[str], slot: Slot) -> Span:
    """From a paragraph's first character to just after its last one."""
    return read_slot(lines, slot)[1]


def _position(lines: list[str], slot: Slot, value: str, index: int) -> tuple[int, int]:
    """Line and column of character ``index`` of a paragraph's :func:`slot_value`."""
    line = slot[0] + value.count("\n", 0, index)
    raw = lines[line - 1]
    start = value.rfind("\n", 0, index) + 1
    return line, len(raw) - len(raw.lstrip(WS)) + index - start + 1


class Layout(NamedTuple):
    """Which paragraph (index in the block) holds which field (``None``: absent)."""

    title: int | None
    link: int | None
    link_match: re.Match[str] | None
    summary_zh: int | None
    summary_en: int | None
    abstract_zh: int | None
    abstract: int | None
    #: paragraphs with no place, and what they are
    extra: tuple[tuple[int, str], ...]


def layout(values: list[str]) -> Layout:
    """Place a block's paragraphs, given their texts.

    The link paragraph anchors the layout: the title is the paragraph before it;
    after it come the Chinese and English summaries, then the Chinese and the
    English abstract.  Shorter blocks (the earliest files) keep the English
    abstract last unless the last paragraph is Chinese.
    """
    count = len(values)
    link_at: int | None = None
    match = None
    if count > 1:
        match = _LINK.fullmatch(values[1])
        if match is not None:
            if count == FIELDS_PER_BLOCK:  # the standard block: one paragraph per field
                return Layout(0, 1, match, 2, 3, 4, 5, ())
            link_at = 1  # the standard layout: title, then link
    if link_at is None:
        for i, value in enumerate(values):
            if i != 1 and (match := _LINK.fullmatch(value)) is not None:
                link_at = i
                break
    if link_at is None:
        before, after = (1 if count else 0), list(range(1, count))
    else:
        before, after = link_at, list(range(link_at + 1, count))
    extra = [(i, "paragraph before the English title") for i in range(before - 1)]
    title = before - 1 if before else None
    tldr = en_tldr = zh = en = None
    if len(after) >= 4:
        tldr, en_tldr, zh, en = after[0], after[1], after[-2], after[-1]
        extra += [(i, "paragraph the detail block layout has no place for") for i in after[2:-2]]
    elif after:
        rest = after
        last = values[rest[-1]]
        if not last or not mostly_cjk(last):
            en, rest = rest[-1], rest[:-1]
        if rest:
            zh, rest = rest[-1], rest[:-1]
        if rest:
            tldr, rest = rest[0], rest[1:]
        if rest:
            en_tldr = rest[0]
    return Layout(title, link_at, match, tldr, en_tldr, zh, en, tuple(extra))


class TitleParts(NamedTuple):
    """An English title split into the title and its old-feed suffix."""

    #: the clean title: no suffix, no dot the old feed appended
    title: str
    #: what the summary table shows (see :func:`digestconv.arxiv.table_title`)
    table_title: str
    suffix: arxiv.TitleSuffix | None
    #: where the malformed suffix starts, where its problem is (indices in the
    #: title) and what is wrong (see :func:`digestconv.arxiv.title_suffix_problem`)
    problem: tuple[int, int, str] | None


def split_title(raw: str) -> TitleParts:
    """Split an English title as written in a detail block.

    Only the exact old-feed grammar is a suffix; a title holding ``(arXiv:``
    any other way keeps its text and reports the problem.
    """
    suffix = arxiv.parse_title_suffix(raw)
    if suffix is not None:
        table = raw[: suffix.start]
        title = table[:-1] if table.endswith(".") else table
        return TitleParts(title, table, suffix, None)
    problem = arxiv.title_suffix_problem(raw)
    if problem is None:
        return TitleParts(raw, raw, None, None)
    return TitleParts(raw, raw[: problem[0]].rstrip(), None, problem)


class AbstractParts(NamedTuple):
    """An English abstract split into its new-feed announce prefix and the abstract."""

    abstract: str
    announce: arxiv.Announce | None


def split_abstract(raw: str) -> AbstractParts:
    """Take a new-feed ``arXiv:IDvN Announce Type: T  Abstract:`` prefix off ``raw``."""
    announce = arxiv.parse_announce(raw)
    if announce is None:
        return AbstractParts(raw, None)
    return AbstractParts(raw[announce.length :].lstrip(WS), announce)


def choose_id(*candidates: str | None) -> str | None:
    """The first well-formed identifier among ``candidates`` (link, prefix, suffix)."""
    for candidate in candidates:
        if candidate and arxiv.check_id(candidate)[0] is not None:
            return candidate
    return None


def choose_version(abstract: int | None, title: int | None, url: int | None) -> int | None:
    """The version: the announce prefix's, else the title suffix's, else the link's."""
    return abstract or title or url


def block_paper(
    block: Block, row: TableRow | None, lines: list[str], cut: int, issues: list[Issue]
) -> Paper:
    """The paper of a detail block (and its table row, when it has one).

    Issues met on the way (paragraphs with no place, a malformed title suffix)
    are appended to ``issues``.
    """
    slots = block.slots
    read: list[tuple[str, Span]] = []
    for slot in slots:  # read_slot, inlined for the commonest paragraph: one line
        first, last = slot
        if first != last:
            read.append(read_slot(lines, slot))
            continue
        raw = lines[first - 1]
        value = raw.strip(WS)
        indent = len(raw) - (len(raw.lstrip(WS)) if raw[-1] in WS else len(value))
        read.append((value, _new_span(Span, (first, indent + 1, first, indent + len(value) + 1))))
    values = [value for value, _ in read]
    parts = layout(values)
    spans: dict[str, Span] = {
        "block": _new_span(Span, (block.line, 1, block.end_line or block.line, 1)),
        "ref": block.marker,
    }
    missing: list[str] = []
    for i, what in parts.extra:
        issues.append(Issue("syntax", read[i][1], f"{what}: move it into a field or delete it"))
    link_text = url = None
    if parts.link is None:
        missing.append("url")
    else:
        m = parts.link_match
        assert m is not None
        link_text, url = m.group(1), m.group(2)
        ln = slots[parts.link][0]
        raw = lines[ln - 1]
        indent = len(raw) - len(raw.lstrip(WS))
        spans["url"] = _new_span(Span, (ln, indent + m.start(2) + 1, ln, indent + m.end(2) + 1))
        spans["link_text"] = _new_span(Span, (ln, indent + 2, ln, indent + m.end(1) + 1))
    raw_title = raw_abstract = summary_zh = summary_en = zh_text = None
    if parts.title is not None:
        raw_title, spans["title"] = read[parts.title]
    if parts.summary_zh is not None:
        summary_zh, spans["summary_zh"] = read[parts.summary_zh]
    if parts.summary_en is not None:
        summary_en, spans["summary_en"] = read[parts.summary_en]
    if parts.abstract_zh is not None:
        zh_text, spans["abstract_zh"] = read[parts.abstract_zh]
    if parts.abstract is not None:
        raw_abstract, spans["abstract"] = read[parts.abstract]
    title_zh = block.title_zh or None
    if title_zh:
        spans["title_zh"] = block.header_span
    bad_versions: list[tuple[str, str, Span]] = []

    # the English title and its old-feed suffix
    title = table_title = raw_title
    title_id = title_version = category = announce_type = None
    if raw_title:
        split = split_title(raw_title)
        title, table_title = split.title, split.table_title
        suffix = split.suffix
        if suffix is not None:
            title_id, title_version = suffix.raw_id, suffix.version
            category, announce_type = suffix.category, suffix.announce_type
            spans["primary_category"] = spans["announce_type"] = spans["title"]
            if suffix.version is None and suffix.version_text is not None:
                bad_versions.append(("title suffix", suffix.version_text, spans["title"]))
        elif split.problem is not None:
            assert parts.title is not None
            _, index, why = split.problem
            line, col = _position(lines, slots[parts.title], raw_title, index)
            end = spans["title"]
            issues.append(
                Issue(
                    "syntax",
                    _new_span(Span, (line, col, end.end_line, max(end.end_column, col))),
                    f"English title: {why}; the title keeps this text until it is fixed",
                )
            )

    # the English abstract and its new-feed prefix
    abstract = raw_abstract
    abstract_id = abstract_version = None
    if raw_abstract:
        abstract, announce = split_abstract(raw_abstract)
        if announce is not None:
            abstract_id, abstract_version = announce.raw_id, announce.version
            announce_type = announce.type
            a_span = spans["abstract"]
            prefix = _new_span(
                Span, (a_span.line, a_span.column, a_span.line, a_span.column + announce.length)
            )
            spans["announce_type"] = prefix
            if announce.version is None and announce.version_text is not None:
                bad_versions.append(("abstract prefix", announce.version_text, prefix))
    if not abstract:
        missing.append("abstract")
    if not title:
        missing.append("title")

    # the identifier: link first, then announce prefix, then title suffix
    url_id = url_version = None
    url_arxiv = False
    if row is not None and row.url == url and (row.url_version is not None or row.url_id is None):
        # the table row's link, parsed already (again only for a version to report)
        url_id, url_version, url_arxiv = row.url_id, row.url_version, row.url_arxiv
    else:
        parsed = arxiv.parse_url(url) if url else None
        if parsed is not None:
            url_id, url_version, url_arxiv = parsed.raw_id, parsed.version, parsed.is_arxiv
            if parsed.version is None and parsed.version_text is not None:
                bad_versions.append(("URL", parsed.version_text, spans["url"]))
    if row is not None and row.url != url:
        table = arxiv.parse_url(row.url)
        if table is not None and table.version is None and table.version_text is not None:
            bad_versions.append(("table URL", table.version_text, row.spans["url"]))
    why_cut = translation_cut(zh_text) if zh_text else None
    source = Source(
        spans,
        row,
        True,
        raw_title,
        table_title,
        link_text,
        url_id,
        url_version,
        title_id,
        title_version,
        abstract_id,
        abstract_version,
        len(raw_abstract) if raw_abstract else 0,
        tuple(missing) if missing else (),
        url_arxiv,
        tuple(bad_versions) if bad_versions else (),
        why_cut,
    )
    if url_id and arxiv.check_id(url_id)[0] is not None:
        arxiv_id: str | None = url_id  # the commonest case of choose_id
    else:
        arxiv_id = choose_id(abstract_id, title_id)
    return Paper(
        block.ref,
        arxiv_id,
        choose_version(abstract_version, title_version, url_version),
        url or None,
        title or None,
        title_zh,
        summary_zh or None,
        summary_en or None,
        abstract or None,
        zh_text or None,
        announce_type,
        category,
        bool(raw_abstract) and abstract_truncated(len(raw_abstract), raw_abstract, cut),
        why_cut is not None,
        block.line,
        block.end_line or block.line,
        source,
    )


def row_paper(row: TableRow) -> Paper:
    """The paper of a table row that has no detail block."""
    url_id = row.url_id
    spans = dict(row.spans)
    spans["block"] = _new_span(Span, (row.line, 1, row.line, 1))
    bad: tuple[tuple[str, str, Span], ...] = ()
    if row.url_version is None and url_id is not None:
        parsed = arxiv.parse_url(row.url)
        if parsed is not None and parsed.version_text is not None:
            bad = (("URL", parsed.version_text, spans["url"]),)
    return Paper(
        ref=row.ref,
        arxiv_id=url_id if url_id and arxiv.check_id(url_id)[0] else None,
        version=row.url_version,
        url=row.url or None,
        title=row.title or None,
        summary_zh=row.summary or None,
        line=row.line,
        end_line=row.line,
        source=Source(
            spans=spans,
            row=row,
            url_id=url_id,
            url_version=row.url_version,
            url_arxiv=row.url_arxiv,
            bad_versions=bad,
        ),
    )


def papers(
    rows: list[TableRow], blocks: list[Block], lines: list[str], cut: int, issues: list[Issue]
) -> list[Paper]:
    """Every paper: the table's rows in order (each with its block), then unclaimed blocks."""
    details: dict[int, Block] = {}
    for block in blocks:
        if block.ref is not None and block.ref not in details:
            details[block.ref] = block
    out: list[Paper] = []
    used_refs: set[int] = set()
    paired: set[int] = set()  # id() of blocks that a row claimed
    for row in rows:
        ref = row.ref
        if ref is not None and ref in used_refs:
            continue  # a second row with this ref: ref-duplicate reports it
        block = details.get(ref) if ref is not None else None
        if block is not None:
            paired.add(id(block))
            out.append(block_paper(block, row, lines, cut, issues))
        else:
            out.append(row_paper(row))
        if ref is not None:
            used_refs.add(ref)
    for block in blocks:
        if id(block) not in paired:
            out.append(block_paper(block, None, lines, cut, issues))
    return out
