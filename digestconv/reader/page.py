"""Abstract pages: an English abstract, ``翻译:`` and its translation, then page chrome."""

from __future__ import annotations

from ..model import Digest, Issue, Span

TRANSLATION_LABELS = ("翻译:", "翻译：")
WS = " \t"


def find_translation(lines: list[str]) -> int | None:
    """Index of the first line starting with a ``翻译:`` label, if any."""
    for index, line in enumerate(lines):
        if line.startswith(TRANSLATION_LABELS):
            return index
    return None


def abstract_page(
    path: str, text: str, lines: list[str], label: int, issues: list[Issue]
) -> Digest:
    """Read a file whose line ``label`` (0-based) starts the translation."""
    english = [(i, ln.strip(WS)) for i, ln in enumerate(lines[:label]) if ln.strip(WS)]
    first = lines[label]
    prefix = next(p for p in TRANSLATION_LABELS if first.startswith(p))
    translation = [first[len(prefix) :].strip(WS)]
    end = label + 1
    while end < len(lines) and lines[end].strip(WS):
        translation.append(lines[end].strip(WS))
        end += 1
    landmarks: dict[str, Span] = {}
    if english:
        (i0, _), (i1, _) = english[0], english[-1]
        landmarks["abstract"] = Span(i0 + 1, 1, i1 + 1, len(lines[i1]) + 1)
    landmarks["abstract_zh"] = Span(label + 1, len(prefix) + 1, end, len(lines[end - 1]) + 1)
    chrome = [i for i in range(end, len(lines)) if lines[i].strip(WS)]
    if chrome:
        a, b = chrome[0], chrome[-1]
        span = Span(a + 1, 1, b + 1, len(lines[b]) + 1)
        landmarks["chrome"] = span
        issues.append(
            Issue(
                "page-chrome",
                span,
                f"lines {a + 1}-{b + 1} ({len(chrome)} non-blank lines) are scraped web-page "
                "chrome (buttons, related links, footers), not part of the abstract: "
                "delete them",
            )
        )
    return Digest(
        path,
        "abstract-page",
        abstract=" ".join(t for _, t in english) or None,
        abstract_zh="\n".join(t for t in translation if t) or None,
        issues=tuple(issues),
        landmarks=landmarks,
        text=text,
    )
