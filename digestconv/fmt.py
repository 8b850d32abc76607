"""``digestconv fmt``: rewrite digests into the canonical layout, with safe fixes only.

What it fixes: a byte-order mark, CRLF line ends, stray whitespace, layout
drift (missing empty fields, separators), reference numbers after deletions
or moves (renumbered 1..n in table order), and table cells that differ from
their detail block only in whitespace (re-derived from the block).

What it never does: change a content word.  A file it cannot read cleanly
(syntax errors, invalid UTF-8, control characters, conflicting table and
detail text, missing blocks or rows, HTML comments other than digestconv
suppressions, a title with text after its old-feed ``(arXiv:...)`` suffix,
or not a digest at all) is left untouched and reported.

Three last guards hold for every file fmt changes:

- content: the formatted text is read back and must read cleanly and give
  the same papers (every contract field, truncation flags included) and the
  same suppressions covering the same papers;
- no new findings: the rules run on the input and on the output, and no
  rule may report more on the output than on the input (so a file with no
  errors never gets one);
- idempotence: formatting the output again must change nothing, so
  ``fmt(fmt(x)) == fmt(x)``.
"""

from __future__ import annotations

import dataclasses
import os
from collections import Counter
from dataclasses import dataclass

from . import arxiv
from .layout import render, table_title
from .model import ENTRY_FIELDS, Digest, Paper
from .reader import _DIRECTIVE, read
from .settings import Settings

#: the reason given for files without digest structure (``--skip-non-digests`` skips them)
NOT_A_DIGEST = "not a digest"
#: encoding problems fmt repairs by itself
_FIXABLE_ENCODING = ("byte-order mark", "CRLF")
#: fields compared between input and output (content only)
_CONTENT = tuple(f for f in ENTRY_FIELDS if f not in ("ref", "line", "end_line"))


@dataclass(frozen=True)
class Formatted:
    """The outcome for one file: the new text, or why it was left alone."""

    path: str
    original: bytes
    text: str | None
    reason: str | None = None

    @property
    def changed(self) -> bool:
        """Whether formatting changes the file."""
        return self.text is not None and self.text.encode("utf-8") != self.original

    @property
    def not_a_digest(self) -> bool:
        """Whether the file was left alone because it is not a digest at all."""
        return self.text is None and self.reason == NOT_A_DIGEST


def _blockers(digest: Digest) -> list[str]:
    reasons: list[str] = []
    if digest.kind != "digest" or not digest.recognized:
        return [NOT_A_DIGEST]
    for issue in digest.issues:
        if issue.rule == "encoding" and issue.message.startswith(_FIXABLE_ENCODING):
            continue
        reasons.append(f"line {issue.span.line}: {issue.message}")
    table = [r.ref for r in digest.rows]
    blocks = [ref for ref, _ in digest.blocks]
    if len(set(table)) != len(table) or len(set(blocks)) != len(blocks):
        reasons.append("duplicate reference numbers")
    if set(table) != set(blocks):
        reasons.append("table rows and detail blocks name different references")
    for paper in digest.papers:
        row = paper.source.row
        if row is None or not paper.source.has_detail:
            continue
        raw = paper.source.raw_title or ""
        if row.title.split() != arxiv.strip_table_suffix(raw).split():
            reasons.append(f"line {row.line}: table title differs from the detail title")
        elif row.title.split() != table_title(paper).split():
            # the cell fmt would write is not the cell the file has: text after an
            # old-feed suffix, or a suffix the reader did not take, would move into the table
            title_line = paper.source.spans["title"].line if "title" in paper.source.spans else 0
            reasons.append(
                f"line {title_line or row.line}: English title has text after or around its "
                "'(arXiv:...)' suffix that fmt cannot place"
            )
        if row.url != paper.url:
            reasons.append(f"line {row.line}: table URL differs from the detail URL")
        if (
            "summary_zh" in paper.source.spans
            and row.summary.split() != (paper.summary_zh or "").split()
        ):
            reasons.append(f"line {row.line}: table summary differs from the detail summary")
        if paper.source.link_text not in (None, paper.url):
            reasons.append(f"line {paper.line}: link text differs from the link target")
    comments = set()
    for number, line in enumerate(digest.text.split("\n"), 1):
        if line.startswith("<!--") and not _DIRECTIVE.fullmatch(line.rstrip(" \t")):
            comments.add(number)
    if comments:
        reasons.append(f"HTML comments (line {min(comments)}) that fmt would not keep")
    return reasons


def _keep_abstract_lines(
    old_lines: list[str], old: tuple[Paper, ...], text: str, new: tuple[Paper, ...]
) -> str:
    """Keep each English abstract line as written when only its spacing differs.

    The length of that line (announce prefix included) is the evidence that the
    producer cut the abstract, so re-spacing the prefix would change what
    ``abstract-truncated`` reports.
    """
    if len(old) != len(new):
        return text
    new_lines = text.split("\n")
    changed = False
    for before, after in zip(old, new, strict=True):
        a = before.source.spans.get("abstract")
        b = after.source.spans.get("abstract")
        if a is None or b is None or a.line != a.end_line or b.line != b.end_line:
            continue
        written = old_lines[a.line - 1][a.column - 1 :].rstrip(" \t")
        rendered = new_lines[b.line - 1][b.column - 1 :]
        if written != rendered and written.split() == rendered.split():
            new_lines[b.line - 1] = new_lines[b.line - 1][: b.column - 1] + written
            changed = True
    return "\n".join(new_lines) if changed else text


def _content(paper: Paper) -> tuple[object, ...]:
    return tuple(getattr(paper, name) for name in _CONTENT)


def _suppressions(digest: Digest) -> list[tuple[object, ...]]:
    """Each suppression's rules and what it covers (the file, or which paper)."""
    where: dict[int, tuple[str, int]] = {}
    for index, paper in enumerate(digest.papers):
        if paper.source.row is not None:
            where[paper.source.row.line] = ("row", index)
        if paper.source.has_detail and paper.line is not None:
            where[paper.line] = ("block", index)
    return sorted(
        (s.rules, s.file_level, None if s.file_level else where.get(s.start, ("line", s.start)))
        for s in digest.suppressions
    )


def _findings(digest: Digest, settings: Settings) -> Counter[str]:
    from .rules.engine import check

    return Counter(f"{d.code} {d.rule}" for d in check([digest], settings))


def format_digest(
    data: bytes, path: str = "<stdin>", settings: Settings | None = None
) -> Formatted:
    """Format one file's bytes; never raises on content.

    The result is refused (``text`` None, ``reason`` set) rather than
    returned when it would change content, add a finding of any rule under
    ``settings`` (default: every rule), or change again when formatted again.
    """
    first = _format_once(data, path)
    if first.text is None or not first.changed:
        return first
    text = first.text
    before, after = read(data, path), read(text, path)
    if after.issues:
        message = after.issues[0].message
        return Formatted(path, data, None, f"formatting would not read back cleanly: {message}")
    if _suppressions(after) != _suppressions(before):
        return Formatted(path, data, None, "formatting would move a suppression comment")
    settings = settings or Settings()
    added = _findings(after, settings) - _findings(before, settings)
    if added:
        return Formatted(
            path, data, None, f"formatting would add findings: {', '.join(sorted(added))}"
        )
    again = _format_once(text.encode("utf-8"), path)
    if again.text != text:
        return Formatted(path, data, None, "formatting is not stable: a second run would differ")
    return first


def _format_once(data: bytes, path: str) -> Formatted:
    digest = read(data, path)
    reasons = _blockers(digest)
    if reasons:
        return Formatted(path, data, None, "; ".join(reasons[:3]))
    papers: list[Paper] = []
    for paper in digest.papers:
        row = paper.source.row
        if paper.summary_zh is None and row is not None and row.summary:
            # a layout without a summary paragraph: the table keeps its summary
            paper = dataclasses.replace(paper, summary_zh=row.summary)
        papers.append(paper)
    lines = digest.text.split("\n")
    header: list[str] = []
    after_row: dict[int, list[str]] = {}
    before_block: dict[int, list[str]] = {}
    row_index = {p.source.row.line: i for i, p in enumerate(papers) if p.source.row is not None}
    block_index = {p.line: i for i, p in enumerate(papers) if p.source.has_detail}
    for s in digest.suppressions:
        text = s.comment
        if s.file_level:
            header.append(text)
        elif s.start in row_index:
            after_row.setdefault(row_index[s.start], []).append(text)
        elif s.start in block_index:
            before_block.setdefault(block_index[s.start], []).append(text)
        else:
            return Formatted(path, data, None, f"line {s.span.line}: suppression fmt cannot place")
    if header:
        header.append("")
    text = render(
        papers, renumber=True, header=header, after_row=after_row, before_block=before_block
    )
    again = read(text, path)
    kept = _keep_abstract_lines(lines, digest.papers, text, again.papers)
    if kept != text:
        text, again = kept, read(kept, path)
    if [_content(p) for p in again.papers] != [_content(p) for p in papers]:
        return Formatted(path, data, None, "formatting would change the content")
    return Formatted(path, data, text)


def unified_diff(old: str, new: str, name: str) -> str:
    """A unified diff that ``patch`` applies, also when a file lacks its final newline."""
    import difflib

    def lines(text: str) -> list[str]:
        parts = [line + "\n" for line in text.split("\n")]
        parts[-1] = parts[-1][:-1]
        return parts if parts[-1] else parts[:-1]

    out = []
    for line in difflib.unified_diff(lines(old), lines(new), *_diff_names(name)):
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _diff_names(name: str) -> tuple[str, str]:
    if os.path.isabs(name) or name.startswith("<"):
        return name, name
    return f"a/{name}", f"b/{name}"
