"""Stage 2: the line walk.

One pass over the lines sorts each into the digest's constructs: the headings
(landmarks), the summary table's header and rows, the ``[^N]:`` detail blocks
and their paragraphs (slots), HTML comments and the suppression directives
among them.  Every non-blank line lands in a construct or becomes a ``syntax``
issue, so nothing is dropped silently.

The walk keeps positions, not text: a detail block's paragraph is the pair of
its first and last line numbers, read into strings only when a paper is
assembled (:mod:`.assemble`).  Table rows are complete after their one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import arxiv
from ..model import MAX_REF, Issue, Span, Suppression, TableRow, _new_span

SUMMARY_HEADING = "# 摘要"
DETAILS_HEADING = "# 详细"
#: paragraphs of a complete detail block: title, link, two summaries, two abstracts
FIELDS_PER_BLOCK = 6
WS = " \t"
#: a character that is not :data:`WS`
_VISIBLE = re.compile(r"[^ \t]")

ROW_START = re.compile(r"\|\s*\[\^(\d+)\]\s*\|\s*\[")
_ROW_LINK = re.compile(r"\]\(([^\s()]*)\)[ \t]*\|")
_HEADER_CELLS = re.compile(r"\|\s*Ref\s*\|\s*Title\s*\|\s*Summary\s*\|")
_RULE_CELLS = re.compile(r"\|(\s*:?-{3,}:?\s*\|){3}")
BLOCK_START = re.compile(r"\[\^(\d*)\]:")
DIRECTIVE = re.compile(r"<!--\s*digestconv:\s*(ignore-file|ignore)\s*(?:\[([^\]]*)\])?\s*-->")
_MAX_REF_DIGITS = len(str(MAX_REF))

_MALFORMED_DIRECTIVE = (
    "malformed directive: write <!-- digestconv: ignore[rule-name] --> or "
    "<!-- digestconv: ignore-file[rule-name] -->"
)
_UNPLACED = (
    "text the digest grammar cannot place (expected a heading, a table row, "
    "a '[^N]:' block header or an indented detail line)"
)
_UNINDENTED = (
    "text the digest grammar cannot place: a detail line that is not indented "
    "(indent it by four spaces)"
)


def parse_ref(digits: str) -> int | None:
    """The footnote number written as ``digits``; ``None`` above :data:`MAX_REF`.

    Never converts more digits than the limit has, whatever the input.
    """
    if len(digits) > _MAX_REF_DIGITS:
        digits = digits.lstrip("0") or "0"
        if len(digits) > _MAX_REF_DIGITS:
            return None
    value = int(digits)
    return value if value <= MAX_REF else None


def _ref_too_large(line: int, column: int, digits: str) -> Issue:
    shown = digits if len(digits) <= 12 else digits[:6] + "…" + digits[-3:]
    return Issue(
        "syntax",
        _new_span(Span, (line, column, line, column + len(digits))),
        f"reference number [^{shown}] ({len(digits)} digits) is larger than [^{MAX_REF}]: "
        "number the references from [^1]",
    )


@dataclass(slots=True)
class Block:
    """A ``[^N]:`` detail block as the walk found it.

    ``slots`` are its paragraphs as ``[first line, last line]`` (1-based,
    inclusive): consecutive non-blank lines, or one whitespace-only line that
    stands for an empty field.
    """

    ref: int | None
    line: int
    #: the Chinese title after the marker, stripped
    title_zh: str
    #: span of :attr:`title_zh` and of the ``[^N]:`` marker
    header_span: Span
    marker: Span
    slots: list[list[int]] = field(default_factory=list)
    end_line: int = 0


@dataclass(slots=True)
class Walk:
    """What the line walk found, in file order."""

    lines: list[str]
    rows: list[TableRow] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    landmarks: dict[str, Span] = field(default_factory=dict)
    #: ``(line, directive match, column of an end-of-row directive or 0 for a comment line)``
    directives: list[tuple[int, re.Match[str], int]] = field(default_factory=list)
    #: line numbers of HTML comment lines
    comments: set[int] = field(default_factory=set)
    issues: list[Issue] = field(default_factory=list)


def _syntax(lines: list[str], issues: list[Issue], line: int, message: str, col: int = 1) -> None:
    end = len(lines[line - 1].rstrip(WS)) + 1
    issues.append(Issue("syntax", _new_span(Span, (line, col, line, max(end, col))), message))


def walk(lines: list[str], issues: list[Issue] | None = None) -> Walk:
    """Sort every line of a digest into its construct (one pass, linear)."""
    out = Walk(lines, issues=issues if issues is not None else [])
    issues = out.issues
    landmarks = out.landmarks
    blocks = out.blocks
    directives = out.directives
    comments = out.comments
    new_span = _new_span
    section = "start"  # start | summary | details
    block: Block | None = None
    slots: list[list[int]] = []  # the open block's paragraphs
    slot: list[int] | None = None  # the open paragraph: [first line, last line]
    made_empty = False  # the previous line was an empty field
    previous_blank = True  # the previous line was blank (empty or whitespace-only)
    number = 0
    for raw in lines:
        number += 1
        if not raw:
            if block is not None:
                made_empty = False
                slot = None  # a blank line ends a paragraph
            previous_blank = True
            continue
        first = raw[0]
        if block is not None and first in WS:
            # the commonest line: detail content (or a whitespace-only line); the
            # search stops at the first visible character, with no copy of the line
            if _VISIBLE.search(raw) is not None:
                if slot is None:
                    slot = [number, number]
                    slots.append(slot)
                else:
                    slot[1] = number
                block.end_line = number
                made_empty = False
                previous_blank = False
                continue
            # whitespace-only after a separator line in an unfinished block: an empty
            # field (one right after it is the block's closing blank line)
            if slot is None and not made_empty and previous_blank and len(slots) < FIELDS_PER_BLOCK:
                slots.append([number, number])
                made_empty = True
            else:
                made_empty = False
            slot = None
            block.end_line = number
            previous_blank = True
            continue
        line = raw.rstrip(WS) if raw[-1] in WS else raw
        if not line:  # whitespace-only outside a block
            previous_blank = True
            continue
        previous_blank = False
        made_empty = False
        if first == "#" and line in (SUMMARY_HEADING, DETAILS_HEADING):
            name = "summary" if line == SUMMARY_HEADING else "details"
            if name in landmarks:
                _syntax(lines, issues, number, f"second '{line}' heading: a digest has one")
            else:
                landmarks[name] = new_span(Span, (number, 1, number, len(line) + 1))
            section = name
            block = slot = None
            continue
        if first == "[" and line.startswith("[^") and (m := BLOCK_START.match(line)):
            if section != "details":
                _syntax(
                    lines, issues, number, f"detail block outside the '{DETAILS_HEADING}' section"
                )
            digits = m.group(1)
            ref = parse_ref(digits) if digits else None
            if digits and ref is None:
                issues.append(_ref_too_large(number, 3, digits))
            end = m.end()
            rest = line[end:]
            title = rest.strip(WS)
            col = len(line) - len(rest.lstrip(WS)) + 1
            slots = []
            block = Block(
                ref,
                number,
                title,
                new_span(Span, (number, col, number, len(line) + 1)),
                new_span(Span, (number, 1, number, end + 1)),
                slots,
                number,
            )
            blocks.append(block)
            slot = None
            continue
        if first == "<" and line.startswith("<!--") and line.endswith("-->"):
            # an HTML comment: invisible markdown, maybe a digestconv directive
            comments.add(number)
            if (d := DIRECTIVE.fullmatch(line)) is not None:
                directives.append((number, d, 0))
            elif "digestconv:" in line:
                _syntax(lines, issues, number, _MALFORMED_DIRECTIVE)
            block = slot = None
            continue
        if first == "|":
            if section == "summary":
                _row(out, number, line)
            else:
                _syntax(lines, issues, number, f"table row outside the '{SUMMARY_HEADING}' section")
            continue
        if block is not None and len(slots) < FIELDS_PER_BLOCK:
            # an unindented line inside an unfinished detail block: keep it, report it
            if slot is None:
                slot = [number, number]
                slots.append(slot)
            else:
                slot[1] = number
            block.end_line = number
            _syntax(lines, issues, number, _UNINDENTED)
            continue
        block = slot = None
        _syntax(lines, issues, number, _UNPLACED)
    return out


def _row(out: Walk, number: int, line: str) -> None:
    """One line of the summary section that starts with ``|``."""
    lines, issues, landmarks = out.lines, out.issues, out.landmarks
    row_line = line
    if line.endswith("-->"):
        # a suppression after the row's last cell: invisible, and the table stays whole
        cut = line.rfind("<!--")
        d = DIRECTIVE.fullmatch(line, cut) if cut > 0 else None
        if d is not None:
            out.directives.append((number, d, cut + 1))
            row_line = line[:cut].rstrip(WS)
    m = ROW_START.match(row_line)
    if m is None:
        # no row: the header, the rule under it, or a malformed row
        if "table" not in landmarks:
            if _HEADER_CELLS.fullmatch(line):
                landmarks["table"] = Span.of_line(number, line)
                return
        elif "rule" not in landmarks and _RULE_CELLS.fullmatch(line):
            landmarks["rule"] = Span.of_line(number, line)
            return
        if _HEADER_CELLS.fullmatch(line) or _RULE_CELLS.fullmatch(line):
            _syntax(lines, issues, number, "second table header: a digest has one table")
        else:
            _syntax(
                lines,
                issues,
                number,
                "table row not of the form '| [^N] | [title](url) | summary |'",
            )
        return
    line = row_line
    title_start = m.end()
    link = _ROW_LINK.search(line, title_start)
    if not link:
        _syntax(lines, issues, number, "table row without a '[title](url)' cell", title_start)
        return
    if not line.endswith("|") or line.endswith("\\|"):
        _syntax(lines, issues, number, "table row does not end with '|'")
        return
    digits = m.group(1)
    ref_col = m.start(1) - 1  # the '[' of '[^N]', 1-based
    ref = int(digits) if len(digits) < _MAX_REF_DIGITS else parse_ref(digits)
    if ref is None:
        issues.append(_ref_too_large(number, ref_col + 2, digits))
    link_start, link_end = link.span()
    url_start, url_end = link.span(1)
    summary_raw = line[link_end:-1]
    summary = summary_raw.strip(WS)
    s_col = link_end + len(summary_raw) - len(summary_raw.lstrip(WS)) + 1
    url = link.group(1)
    parsed = arxiv.parse_url(url)
    new_span = _new_span
    out.rows.append(
        TableRow(
            ref,
            line[title_start:link_start],
            url,
            summary,
            number,
            {
                "ref": new_span(Span, (number, ref_col, number, ref_col + len(digits) + 3)),
                "title": new_span(Span, (number, title_start + 1, number, link_start + 1)),
                "url": new_span(Span, (number, url_start + 1, number, url_end + 1)),
                "summary": new_span(Span, (number, s_col, number, s_col + len(summary))),
            },
            parsed.raw_id if parsed is not None else None,
            parsed.version if parsed is not None else None,
            parsed is not None and parsed.is_arxiv,
        )
    )


def suppressions(found: Walk) -> tuple[Suppression, ...]:
    """The suppressions the walk's directives make, in file order (linear).

    A comment-line directive covers the construct after it: the next line that
    is neither blank nor a comment, to the end of the detail block or table row
    starting there.  An end-of-row directive covers its row; ``ignore-file``
    the whole file.
    """
    if not found.directives:
        return ()
    lines = found.lines
    comments = found.comments
    total = len(lines)
    ends: dict[int, int] = {row.line: row.line for row in found.rows}
    ends.update({b.line: b.end_line or b.line for b in found.blocks})
    out = []
    target = 0  # the first line after the previous comment that is neither blank nor a comment
    for number, m, column in found.directives:
        rules = tuple(r.strip() for r in (m.group(2) or "").split(",") if r.strip())
        if column:
            span = _new_span(Span, (number, column, number, column + m.end() - m.start()))
        else:
            span = _new_span(Span, (number, 1, number, len(lines[number - 1].rstrip(WS)) + 1))
        if m.group(1) == "ignore-file":
            out.append(Suppression(span, rules, 1, total, True))
            continue
        if column:  # at the end of a table row: that row
            out.append(Suppression(span, rules, number, number, False))
            continue
        # directives come in line order, so the search for targets only moves forward
        if target <= number:
            target = number + 1
            while target <= total and (not lines[target - 1].strip(WS) or target in comments):
                target += 1
        out.append(Suppression(span, rules, target, ends.get(target, target), False))
    return tuple(out)
