"""Read digest text into the model: line-oriented, linear, never raising on content.

The reader works in three stages, one module each:

1. :mod:`.decode`: bytes to text, with the encoding checks (NUL, BOM, invalid
   UTF-8, CRLF, control characters);
2. :mod:`.walk`: one pass over the lines that sorts each into its construct
   (landmarks, table rows, detail blocks and their paragraphs, comments and
   suppression directives);
3. :mod:`.assemble`: pure functions that build each paper from its block's
   paragraphs and its table row (title suffix, announce prefix, identifier,
   truncation).

Abstract pages (an English abstract and its ``翻译:`` translation) are read by
:mod:`.page`.  Every non-blank line either lands in the model or becomes an
:class:`~digestconv.model.Issue` (reported later by the ``syntax``,
``encoding`` or ``page-chrome`` rules), so no text is dropped silently.
"""

from __future__ import annotations

import gc

from .._gccontrol import settle
from ..model import Digest, Issue, Span
from . import assemble, decode, page, walk
from .decode import MAX_CONTROL_ISSUES
from .page import TRANSLATION_LABELS
from .walk import (
    BLOCK_START,
    DETAILS_HEADING,
    DIRECTIVE,
    FIELDS_PER_BLOCK,
    ROW_START,
    SUMMARY_HEADING,
    WS,
    parse_ref,
)

__all__ = [
    "DEFAULT_CUT",
    "DETAILS_HEADING",
    "FIELDS_PER_BLOCK",
    "MAX_CONTROL_ISSUES",
    "SUMMARY_HEADING",
    "TRANSLATION_LABELS",
    "assemble",
    "decode",
    "page",
    "parse_ref",
    "read",
    "walk",
]

DEFAULT_CUT = 1000
#: the suppression directive grammar (also used by ``fmt``)
_DIRECTIVE = DIRECTIVE


def read(data: bytes | str, path: str = "<stdin>", *, cut: int = DEFAULT_CUT) -> Digest:
    """Parse one file's bytes (or text) into a :class:`Digest`.

    ``cut`` is the producer's abstract length limit used to tell truncated
    abstracts.  Never raises on content: problems become ``Digest.issues``.
    """
    # The reader allocates many small objects that all live as long as the
    # Digest; the collector's passes over them would find nothing to free and
    # grow with the file.  Pause it for this call only (never left off).
    enabled = gc.isenabled()
    if enabled:
        gc.disable()
    try:
        return _read(data, path, cut)
    finally:
        if enabled:
            settle()  # the new model goes to the oldest generation, unscanned
            gc.enable()


def _read(data: bytes | str, path: str, cut: int) -> Digest:
    issues: list[Issue] = []
    text = decode.decode(data, issues)
    if text is None:  # binary: nothing sensible to parse
        return Digest(path, "digest", issues=tuple(issues), recognized=False)
    lines = text.split("\n")
    has_heading = (SUMMARY_HEADING in text or DETAILS_HEADING in text) and any(
        ln.strip(WS) in (SUMMARY_HEADING, DETAILS_HEADING) for ln in lines
    )
    if not has_heading:
        label = page.find_translation(lines)
        if label is not None:
            return page.abstract_page(path, text, lines, label, issues)
        if not any(BLOCK_START.match(ln) or ROW_START.match(ln) for ln in lines):
            return Digest(path, "digest", issues=tuple(issues), recognized=False, text=text)
    found = walk.walk(lines, issues)
    rows, blocks, landmarks = found.rows, found.blocks, found.landmarks
    assembled = assemble.papers(rows, blocks, lines, cut, issues)
    for key, message in (
        ("summary", f"no '{SUMMARY_HEADING}' heading"),
        ("details", f"no '{DETAILS_HEADING}' heading"),
    ):
        if key not in landmarks and (rows or blocks or landmarks):
            issues.append(Issue("syntax", Span.point(1), f"{message}: add it"))
    if "summary" in landmarks and "table" not in landmarks:
        issues.append(
            Issue(
                "syntax",
                landmarks["summary"],
                "no '| Ref | Title | Summary |' table header after the summary heading",
            )
        )
    return Digest(
        path,
        "digest",
        papers=tuple(assembled),
        suppressions=walk.suppressions(found),
        rows=tuple(rows),
        blocks=tuple((b.ref, b.marker) for b in blocks),
        issues=tuple(issues),
        landmarks=landmarks,
        text=text,
    )
