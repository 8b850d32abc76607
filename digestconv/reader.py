"""Read digest text into the model: line-oriented, linear, never raising on content.

The reader decodes bytes, recognises the file's kind, and walks the lines once.
Every non-blank line either lands in the model or becomes an :class:`Issue`
(reported later by the ``syntax``, ``encoding`` or ``page-chrome`` rules), so no
text is dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

from . import arxiv
from .model import Digest, Issue, Paper, Source, Span, Suppression, TableRow
from .text import CONTROL, abstract_truncated, control_name, mostly_cjk, translation_cut

SUMMARY_HEADING = "# 摘要"
DETAILS_HEADING = "# 详细"
TRANSLATION_LABELS = ("翻译:", "翻译：")
#: at most this many control-character issues per file, then one summary issue
MAX_CONTROL_ISSUES = 20
DEFAULT_CUT = 1000
#: paragraphs of a complete detail block: title, link, two summaries, two abstracts
FIELDS_PER_BLOCK = 6

_ROW_START = re.compile(r"\|\s*\[\^(\d+)\]\s*\|\s*\[")
_ROW_LINK = re.compile(r"\]\(([^\s()]*)\)[ \t]*\|")
_HEADER_CELLS = re.compile(r"\|\s*Ref\s*\|\s*Title\s*\|\s*Summary\s*\|")
_RULE_CELLS = re.compile(r"\|(\s*:?-{3,}:?\s*\|){3}")
_BLOCK_START = re.compile(r"\[\^(\d*)\]:")
_LINK = re.compile(r"\[([^\]]*)\]\(([^()\s]*)\)")
_WS = " \t"
_DIRECTIVE = re.compile(r"<!--\s*digestconv:\s*(ignore-file|ignore)\s*(?:\[([^\]]*)\])?\s*-->")


def read(data: bytes | str, path: str = "<stdin>", *, cut: int = DEFAULT_CUT) -> Digest:
    """Parse one file's bytes (or text) into a :class:`Digest`.

    ``cut`` is the producer's abstract length limit used to tell truncated
    abstracts.  Never raises on content: problems become ``Digest.issues``.
    """
    issues: list[Issue] = []
    text = data if isinstance(data, str) else _decode(data, issues)
    if text is None:  # binary: nothing sensible to parse
        return Digest(path, "digest", issues=tuple(issues), recognized=False)
    text = _normalise(text, issues)
    lines = text.split("\n")
    _scan_controls(text, lines, issues)
    state = _Reader(path, lines, issues, cut)
    return state.run(text)


# ---------------------------------------------------------------- bytes -> text


def _decode(data: bytes, issues: list[Issue]) -> str | None:
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        col = len(data[data.rfind(b"\n", 0, nul) + 1 : nul].decode("utf-8", "replace")) + 1
        issues.append(
            Issue("encoding", Span.point(line, col), "binary file (a NUL byte): not a text digest")
        )
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        issues.append(
            Issue(
                "encoding",
                Span(1, 1, 1, 2),
                "byte-order mark (U+FEFF) at the start of the file: save as UTF-8 without BOM",
            )
        )
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        start = exc.start
        line = data.count(b"\n", 0, start) + 1
        line_start = data.rfind(b"\n", 0, start) + 1
        col = len(data[line_start:start].decode("utf-8", "replace")) + 1
        bad = data[start : exc.end].hex(" ")
        text = data.decode("utf-8", "replace")
        count = text.count("\ufffd") - data.count("\xef\xbf\xbd".encode("latin-1"))
        more = f" ({count} invalid sequences in all)" if count > 1 else ""
        issues.append(
            Issue(
                "encoding",
                Span(line, col, line, col + 1),
                f"invalid UTF-8 byte(s) {bad}{more}: re-save the file as UTF-8",
            )
        )
        return text


def _normalise(text: str, issues: list[Issue]) -> str:
    if text.startswith("\ufeff"):
        issues.append(
            Issue("encoding", Span(1, 1, 1, 2), "byte-order mark (U+FEFF) at the start of the file")
        )
        text = text[1:]
    crlf = text.find("\r\n")
    if crlf >= 0:
        line = text.count("\n", 0, crlf) + 1
        count = text.count("\r\n")
        col = crlf - (text.rfind("\n", 0, crlf) + 1) + 1
        issues.append(
            Issue(
                "encoding",
                Span(line, col, line, col + 1),
                f"CRLF line endings ({count} lines, first on line {line}): use LF",
            )
        )
        text = text.replace("\r\n", "\n")
    return text


def _scan_controls(text: str, lines: list[str], issues: list[Issue]) -> None:
    if not CONTROL.search(text):
        return
    found = 0
    for number, line in enumerate(lines, 1):
        for m in CONTROL.finditer(line):
            found += 1
            if found <= MAX_CONTROL_ISSUES:
                col = m.start() + 1
                issues.append(
                    Issue(
                        "encoding",
                        Span(number, col, number, col + 1),
                        f"control character {control_name(m.group())}: delete it",
                    )
                )
    if found > MAX_CONTROL_ISSUES:
        issues.append(
            Issue(
                "encoding",
                Span.point(1),
                f"{found - MAX_CONTROL_ISSUES} more control characters not listed",
            )
        )


# ---------------------------------------------------------------- the line walk


@dataclass
class _Slot:
    """A paragraph of a detail block: consecutive non-empty lines."""

    lines: list[tuple[int, str, int]] = field(default_factory=list)  # (line, text, indent)

    @cached_property
    def value(self) -> str:  # read once the block is complete
        if len(self.lines) == 1:
            return self.lines[0][1]
        return "\n".join(t for _, t, _ in self.lines if t)

    def span(self) -> Span:
        content = [(n, t, i) for n, t, i in self.lines if t] or self.lines[:1]
        (first, _t0, indent0), (last, text1, indent1) = content[0], content[-1]
        return Span(first, indent0 + 1, last, indent1 + len(text1) + 1)


@dataclass
class _Block:
    ref: int | None
    line: int
    title_zh: str
    header_span: Span
    marker: Span
    slots: list[_Slot] = field(default_factory=list)
    end_line: int = 0


class _Reader:
    def __init__(self, path: str, lines: list[str], issues: list[Issue], cut: int) -> None:
        self.path = path
        self.lines = lines
        self.issues = issues
        self.cut = cut
        self.rows: list[TableRow] = []
        self.blocks: list[_Block] = []
        self.landmarks: dict[str, Span] = {}
        #: (line, directive, column of an end-of-row directive or 0 for a comment line)
        self.directives: list[tuple[int, re.Match[str], int]] = []
        self.comments: set[int] = set()

    def syntax(self, line: int, message: str, col: int = 1, end: int | None = None) -> None:
        text = self.lines[line - 1]
        if end is None:
            end = len(text.rstrip(_WS)) + 1
        self.issues.append(Issue("syntax", Span(line, col, line, max(end, col)), message))

    # -------------------------------------------------------------- dispatch

    def run(self, text: str) -> Digest:
        lines = self.lines
        has_heading = (SUMMARY_HEADING in text or DETAILS_HEADING in text) and any(
            ln.strip(_WS) in (SUMMARY_HEADING, DETAILS_HEADING) for ln in lines
        )
        if not has_heading:
            label = self._find_translation()
            if label is not None:
                return self._abstract_page(text, label)
            if not any(_BLOCK_START.match(ln) or _ROW_START.match(ln) for ln in lines):
                return Digest(
                    self.path, "digest", issues=tuple(self.issues), recognized=False, text=text
                )
        self._walk()
        return self._digest(text)

    def _find_translation(self) -> int | None:
        for index, line in enumerate(self.lines):
            if line.startswith(TRANSLATION_LABELS):
                return index
        return None

    # -------------------------------------------------------------- abstract page

    def _abstract_page(self, text: str, label: int) -> Digest:
        lines = self.lines
        english = [(i, ln.strip(_WS)) for i, ln in enumerate(lines[:label]) if ln.strip(_WS)]
        first = lines[label]
        prefix = next(p for p in TRANSLATION_LABELS if first.startswith(p))
        translation = [first[len(prefix) :].strip(_WS)]
        end = label + 1
        while end < len(lines) and lines[end].strip(_WS):
            translation.append(lines[end].strip(_WS))
            end += 1
        landmarks: dict[str, Span] = {}
        if english:
            (i0, _), (i1, _) = english[0], english[-1]
            landmarks["abstract"] = Span(i0 + 1, 1, i1 + 1, len(lines[i1]) + 1)
        landmarks["abstract_zh"] = Span(label + 1, len(prefix) + 1, end, len(lines[end - 1]) + 1)
        chrome = [i for i in range(end, len(lines)) if lines[i].strip(_WS)]
        if chrome:
            a, b = chrome[0], chrome[-1]
            span = Span(a + 1, 1, b + 1, len(lines[b]) + 1)
            landmarks["chrome"] = span
            self.issues.append(
                Issue(
                    "page-chrome",
                    span,
                    f"lines {a + 1}-{b + 1} ({len(chrome)} non-blank lines) are scraped web-page "
                    "chrome (buttons, related links, footers), not part of the abstract: "
                    "delete them",
                )
            )
        return Digest(
            self.path,
            "abstract-page",
            abstract=" ".join(t for _, t in english) or None,
            abstract_zh="\n".join(t for t in translation if t) or None,
            issues=tuple(self.issues),
            landmarks=MappingProxyType(landmarks),
            text=text,
        )

    # -------------------------------------------------------------- digest walk

    def _walk(self) -> None:
        lines = self.lines
        section = "start"  # start | summary | details
        block: _Block | None = None
        slot: _Slot | None = None
        made_empty = False  # the previous line was an empty field
        for index, raw in enumerate(lines):
            number = index + 1
            line = raw.rstrip(_WS)
            if not line:
                if block is not None:
                    if (
                        raw
                        and slot is None
                        and not made_empty
                        and len(block.slots) < FIELDS_PER_BLOCK
                        and not lines[index - 1].strip(_WS)
                    ):
                        # whitespace-only after a separator line in an unfinished block: an
                        # empty field (one right after it is the block's closing blank line)
                        block.slots.append(_Slot([(number, "", len(raw))]))
                        made_empty = True
                    else:
                        made_empty = False
                    slot = None  # an empty line, or a blank after content, ends a field
                    if raw:
                        block.end_line = number
                continue
            made_empty = False
            if block is not None and raw[0] in _WS:  # the commonest line: detail content
                if slot is None:
                    slot = _Slot()
                    block.slots.append(slot)
                indent = len(raw) - len(raw.lstrip(_WS))
                slot.lines.append((number, line[indent:], indent))
                block.end_line = number
                continue
            if line[0] == "#" and line in (SUMMARY_HEADING, DETAILS_HEADING):
                name = "summary" if line == SUMMARY_HEADING else "details"
                if name in self.landmarks:
                    self.syntax(number, f"second '{line}' heading: a digest has one")
                else:
                    self.landmarks[name] = Span.of_line(number, line)
                section = name
                block = slot = None
                continue
            if line.startswith("[^") and (m := _BLOCK_START.match(line)):
                if section != "details":
                    self.syntax(number, f"detail block outside the '{DETAILS_HEADING}' section")
                ref = int(m.group(1)) if m.group(1) else None
                title = line[m.end() :].strip(_WS)
                col = len(line) - len(line[m.end() :].lstrip(_WS)) + 1
                block = _Block(
                    ref,
                    number,
                    title,
                    Span(number, col, number, len(line) + 1),
                    Span(number, 1, number, m.end() + 1),
                )
                block.end_line = number
                self.blocks.append(block)
                slot = None
                continue
            if line.startswith("<!--") and line.endswith("-->"):
                # an HTML comment: invisible markdown, maybe a digestconv directive
                self.comments.add(number)
                if (d := _DIRECTIVE.fullmatch(line)) is not None:
                    self.directives.append((number, d, 0))
                elif "digestconv:" in line:
                    self.syntax(
                        number,
                        "malformed directive: write "
                        "<!-- digestconv: ignore[rule-name] --> or "
                        "<!-- digestconv: ignore-file[rule-name] -->",
                    )
                block = slot = None
                continue
            if line.startswith("|") and section == "summary":
                self._row(number, line)
                continue
            if line.startswith("|"):
                self.syntax(number, f"table row outside the '{SUMMARY_HEADING}' section")
                continue
            if block is not None and len(block.slots) < FIELDS_PER_BLOCK:
                # an unindented line inside an unfinished detail block: keep it, report it
                if slot is None:
                    slot = _Slot()
                    block.slots.append(slot)
                slot.lines.append((number, line, 0))
                block.end_line = number
                self.syntax(
                    number,
                    "text the digest grammar cannot place: a detail line that is not "
                    "indented (indent it by four spaces)",
                )
                continue
            block = slot = None
            self.syntax(
                number,
                "text the digest grammar cannot place (expected a heading, a table row, "
                "a '[^N]:' block header or an indented detail line)",
            )

    def _row(self, number: int, line: str) -> None:
        if "table" not in self.landmarks:
            if _HEADER_CELLS.fullmatch(line):
                self.landmarks["table"] = Span.of_line(number, line)
                return
        elif "rule" not in self.landmarks and _RULE_CELLS.fullmatch(line):
            self.landmarks["rule"] = Span.of_line(number, line)
            return
        if _HEADER_CELLS.fullmatch(line) or _RULE_CELLS.fullmatch(line):
            self.syntax(number, "second table header: a digest has one table")
            return
        if line.endswith("-->"):
            # a suppression after the row's last cell: invisible, and the table stays whole
            cut = line.rfind("<!--")
            d = _DIRECTIVE.fullmatch(line, cut) if cut > 0 else None
            if d is not None:
                self.directives.append((number, d, cut + 1))
                line = line[:cut].rstrip(_WS)
        m = _ROW_START.match(line)
        if not m:
            self.syntax(number, "table row not of the form '| [^N] | [title](url) | summary |'")
            return
        title_start = m.end()
        link = _ROW_LINK.search(line, title_start)
        if not link:
            self.syntax(number, "table row without a '[title](url)' cell", title_start)
            return
        if not line.endswith("|") or line.endswith("\\|"):
            self.syntax(number, "table row does not end with '|'")
            return
        title = line[title_start : link.start()]
        summary_raw = line[link.end() : len(line) - 1]
        summary = summary_raw.strip(_WS)
        s_col = link.end() + len(summary_raw) - len(summary_raw.lstrip(_WS)) + 1
        ref_col = line.index("[^") + 1
        spans = {
            "ref": Span(number, ref_col, number, ref_col + len(m.group(1)) + 3),
            "title": Span(number, title_start + 1, number, link.start() + 1),
            "url": Span(number, link.start(1) + 1, number, link.end(1) + 1),
            "summary": Span(number, s_col, number, s_col + len(summary)),
        }
        self.rows.append(
            TableRow(
                int(m.group(1)),
                title,
                link.group(1),
                summary,
                number,
                MappingProxyType(spans),
            )
        )

    # -------------------------------------------------------------- assembly

    def _digest(self, text: str) -> Digest:
        details: dict[int, _Block] = {}
        for block in self.blocks:
            if block.ref is not None and block.ref not in details:
                details[block.ref] = block
        papers: list[Paper] = []
        used_refs: set[int] = set()
        paired: set[int] = set()  # id() of blocks that a row claimed
        for row in self.rows:
            if row.ref is not None and row.ref in used_refs:
                continue  # a second row with this ref: ref-duplicate reports it
            block = details.get(row.ref) if row.ref is not None else None
            if block is not None:
                paired.add(id(block))
            papers.append(self._paper(block, row))
            if row.ref is not None:
                used_refs.add(row.ref)
        for block in self.blocks:
            if id(block) not in paired:
                papers.append(self._paper(block, None))
        for key, message in (
            ("summary", f"no '{SUMMARY_HEADING}' heading"),
            ("details", f"no '{DETAILS_HEADING}' heading"),
        ):
            if key not in self.landmarks and (self.rows or self.blocks or self.landmarks):
                self.issues.append(Issue("syntax", Span.point(1), f"{message}: add it"))
        if "summary" in self.landmarks and "table" not in self.landmarks:
            at = self.landmarks["summary"]
            self.issues.append(
                Issue(
                    "syntax",
                    at,
                    "no '| Ref | Title | Summary |' table header after the summary heading",
                )
            )
        return Digest(
            self.path,
            "digest",
            papers=tuple(papers),
            suppressions=self._suppressions(),
            rows=tuple(self.rows),
            blocks=tuple((b.ref, b.marker) for b in self.blocks),
            issues=tuple(self.issues),
            landmarks=MappingProxyType(self.landmarks),
            text=text,
        )

    def _suppressions(self) -> tuple[Suppression, ...]:
        if not self.directives:
            return ()
        starts: dict[int, int] = {row.line: row.line for row in self.rows}
        starts.update({b.line: b.end_line or b.line for b in self.blocks})
        out = []
        for number, m, column in self.directives:
            rules = tuple(r.strip() for r in (m.group(2) or "").split(",") if r.strip())
            if column:
                span = Span(number, column, number, column + m.end() - m.start())
            else:
                span = Span(number, 1, number, len(self.lines[number - 1].rstrip(_WS)) + 1)
            if m.group(1) == "ignore-file":
                out.append(Suppression(span, rules, 1, len(self.lines), True))
                continue
            if column:  # at the end of a table row: that row
                out.append(Suppression(span, rules, number, number, False))
                continue
            target = number + 1
            while target <= len(self.lines) and (
                not self.lines[target - 1].strip(_WS) or target in self.comments
            ):
                target += 1
            out.append(Suppression(span, rules, target, starts.get(target, target), False))
        return tuple(out)

    def _paper(self, block: _Block | None, row: TableRow | None) -> Paper:
        if block is None:
            assert row is not None
            return self._row_paper(row)
        spans: dict[str, Span] = {
            "block": Span(block.line, 1, block.end_line or block.line, 1),
            "ref": block.marker,
        }
        missing: list[str] = []
        slots = list(block.slots)
        # the link paragraph anchors the layout
        if len(slots) > 1 and _LINK.fullmatch(slots[1].value):
            link_at: int | None = 1  # the standard layout: title, then link
        else:
            link_at = next((i for i, s in enumerate(slots) if _LINK.fullmatch(s.value)), None)
        if link_at is None:
            missing.append("url")
            before, after = slots[:1], slots[1:]
        else:
            before, after = slots[:link_at], slots[link_at + 1 :]
        if len(before) > 1:
            for extra in before[:-1]:
                self._extra(extra, "paragraph before the English title")
        en_title = before[-1] if before else None
        link_text = url = None
        if link_at is not None:
            link_slot = slots[link_at]
            m = _LINK.fullmatch(link_slot.value)
            assert m is not None
            link_text, url = m.group(1), m.group(2)
            (ln, _t, indent) = link_slot.lines[0]
            spans["url"] = Span(ln, indent + m.start(2) + 1, ln, indent + m.end(2) + 1)
            spans["link_text"] = Span(ln, indent + 2, ln, indent + m.end(1) + 1)
        tldr = en_tldr = zh = en = None
        if len(after) >= 4:
            tldr, en_tldr, *extra, zh, en = after
            for e in extra:
                self._extra(e, "paragraph the detail block layout has no place for")
        elif after:
            # short layouts: the English abstract is last unless the last paragraph is Chinese
            rest = list(after)
            if not rest[-1].value or not mostly_cjk(rest[-1].value):
                en = rest.pop()
            if rest:
                zh = rest.pop()
            if rest:
                tldr = rest.pop(0)
            if rest:
                en_tldr = rest.pop(0)
        for name, slot in (
            ("title", en_title),
            ("summary_zh", tldr),
            ("summary_en", en_tldr),
            ("abstract_zh", zh),
            ("abstract", en),
        ):
            if slot is not None:
                spans[name] = slot.span()
        title_zh = block.title_zh or None
        if title_zh:
            spans["title_zh"] = block.header_span
        # English title and its old-feed suffix
        raw_title = en_title.value if en_title else None
        title = raw_title
        title_id = title_version = category = announce_type = None
        if raw_title:
            suffix = arxiv.parse_title_suffix(raw_title)
            if suffix is not None:
                title = raw_title[: suffix.start]
                if title.endswith("."):
                    title = title[:-1]
                title_id, title_version = suffix.raw_id, suffix.version
                category, announce_type = suffix.category, suffix.announce_type
                spans["primary_category"] = spans["announce_type"] = spans["title"]
        # English abstract and its new-feed prefix
        raw_abstract = en.value if en else None
        abstract = raw_abstract
        abstract_id = abstract_version = None
        if raw_abstract:
            announce = arxiv.parse_announce(raw_abstract)
            if announce is not None:
                abstract = raw_abstract[announce.length :].lstrip(_WS)
                abstract_id, abstract_version = announce.raw_id, announce.version
                announce_type = announce.type
                a_span = spans["abstract"]
                spans["announce_type"] = Span(
                    a_span.line, a_span.column, a_span.line, a_span.column + announce.length
                )
        if not abstract:
            missing.append("abstract")
        if not title:
            missing.append("title")
        # identifier: URL first, then announce prefix, then title suffix
        url_id = url_version = None
        parsed = arxiv.parse_url(url) if url else None
        if parsed is not None:
            url_id, url_version = parsed.raw_id, parsed.version
        arxiv_id = None
        for candidate in (url_id, abstract_id, title_id):
            if candidate and arxiv.check_id(candidate)[0] is not None:
                arxiv_id = candidate
                break
        version = abstract_version or title_version or url_version
        abstract_text = abstract or None
        zh_text = zh.value if zh else None
        source = Source(
            spans=MappingProxyType(spans),
            row=row,
            has_detail=True,
            raw_title=raw_title,
            link_text=link_text,
            url_id=url_id,
            url_version=url_version,
            title_id=title_id,
            title_version=title_version,
            abstract_id=abstract_id,
            abstract_version=abstract_version,
            raw_abstract_length=len(raw_abstract or ""),
            missing=tuple(missing),
        )
        return Paper(
            ref=block.ref,
            arxiv_id=arxiv_id,
            version=version,
            url=url or None,
            title=title or None,
            title_zh=title_zh,
            summary_zh=(tldr.value or None) if tldr else None,
            summary_en=(en_tldr.value or None) if en_tldr else None,
            abstract=abstract_text,
            abstract_zh=zh_text or None,
            announce_type=announce_type,
            primary_category=category,
            abstract_truncated=bool(raw_abstract)
            and abstract_truncated(len(raw_abstract or ""), raw_abstract or "", self.cut),
            translation_truncated=bool(zh_text) and translation_cut(zh_text or "") is not None,
            line=block.line,
            end_line=block.end_line or block.line,
            source=source,
        )

    def _row_paper(self, row: TableRow) -> Paper:
        parsed = arxiv.parse_url(row.url)
        url_id = parsed.raw_id if parsed else None
        arxiv_id = url_id if url_id and arxiv.check_id(url_id)[0] else None
        spans = dict(row.spans)
        spans["block"] = Span(row.line, 1, row.line, 1)
        return Paper(
            ref=row.ref,
            arxiv_id=arxiv_id,
            version=parsed.version if parsed else None,
            url=row.url or None,
            title=row.title or None,
            summary_zh=row.summary or None,
            line=row.line,
            end_line=row.line,
            source=Source(
                spans=MappingProxyType(spans),
                row=row,
                url_id=url_id,
                url_version=parsed.version if parsed else None,
            ),
        )

    def _extra(self, slot: _Slot, what: str) -> None:
        span = slot.span()
        self.issues.append(Issue("syntax", span, f"{what}: move it into a field or delete it"))
