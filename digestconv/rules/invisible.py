"""Invisible and bidirectional control characters in a digest.

They show nothing, or reorder what is shown, so a title can read one way on
screen and another in the data ("Trojan Source"); a zero-width space splits a
word that search and deduplication then miss.  Copy and paste from web pages
brings them in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..model import Digest, Span
from ..text import BIDI_CONTROLS, INVISIBLE_CHARACTERS
from .registry import Finding, rule

if TYPE_CHECKING:
    from ..settings import Settings

#: what the rule reports, one by one: bidirectional marks, embeddings, overrides and
#: isolates; zero-width space, word joiner, invisible operators; a byte-order mark (not at
#: the start of the file, where ``encoding`` reports it); the Arabic letter mark and the
#: Mongolian vowel separator.  The zero-width (non-)joiners U+200C/U+200D are left
#: alone: Persian, Indic scripts and emoji need them.  Every one of them is a format
#: character (category Cf), so none is printable (:func:`_may_hold` relies on it).
_CHARACTERS = BIDI_CONTROLS + INVISIBLE_CHARACTERS  # what every writer leaves out too
#: runs of :data:`_CHARACTERS`
INVISIBLE = re.compile(f"[{_CHARACTERS}]+")
#: findings per file at most (a file full of them gets one more, counting the rest)
LIMIT = 50
_BIDI = frozenset(BIDI_CONTROLS)


def _may_hold(text: str) -> bool:
    """Whether ``text`` may hold one of :data:`_CHARACTERS`; ``False`` proves it holds none.

    None of them is printable, and the only unprintable character of nearly every
    digest is the line feed: with line feeds made spaces, one ``isprintable`` pass in C
    answers for all twenty at once.  An ``in`` test per character makes twenty passes,
    a dozen of them slow on text stored two bytes a character (``str.find`` looks for
    the character's low byte, which U+2061-U+2069 share with ``a``-``i``).  An ASCII
    text holds none of them and is answered without reading it.
    """
    return not text.isascii() and not text.replace("\n", " ").isprintable()


def _holds(text: str) -> bool:
    """Whether ``text`` holds one of :data:`_CHARACTERS` (exact; one pass when it holds
    none and its only unprintable character is the line feed, as in nearly every file)."""
    return _may_hold(text) and any(ch in text for ch in _CHARACTERS)


def _names(run: str) -> str:
    seen: list[str] = []
    for ch in run:
        label = f"U+{ord(ch):04X} {unicodedata.name(ch, 'UNNAMED')}"
        if label not in seen:
            seen.append(label)
    return ", ".join(seen[:3]) + (", ..." if len(seen) > 3 else "")


@rule(
    "DC212",
    "invisible-character",
    "warning",
    bad="""
        | [^1] | [Safe\\u202e title](https://arxiv.org/abs/2403.15711) | 总结 |
        (\\u202e stands for an invisible U+202E RIGHT-TO-LEFT OVERRIDE: the rest of
        the line shows reversed)
    """,
    good="""
        | [^1] | [Safe title](https://arxiv.org/abs/2403.15711) | 总结 |
    """,
)
def invisible_character(digest: Digest, settings: Settings) -> Iterator[Finding]:
    """Invisible or bidirectional control characters: text that reads otherwise than it is.

    Bidirectional controls (U+202A-U+202E embeddings and overrides, U+2066-U+2069
    isolates, U+200E/U+200F/U+061C marks) reorder how a line is shown, so a title
    or a link can look different from the text every tool reads; zero-width
    characters (U+200B, U+2060-U+2064, U+180E, a U+FEFF inside the file) split
    words invisibly. Each run of them is reported at its line and column with the
    characters' names: delete them. The citation and feed outputs (BibTeX,
    CSL-JSON, RIS, RSS, Atom, OPML) leave them out; the markdown output keeps
    the text as written.
    """
    text = digest.text
    if not _holds(text):
        return
    line, line_start, pos = 1, 0, 0
    count = 0
    for m in INVISIBLE.finditer(text):
        start, end = m.span()
        if start == 0 and m.group() == "\ufeff":
            continue  # a byte-order mark at the very start: the encoding rule's
        newlines = text.count("\n", pos, start)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", pos, start) + 1
        pos = start
        count += 1
        if count > LIMIT:
            rest = sum(1 for _ in INVISIBLE.finditer(text, start))
            yield Finding(
                Span(line, start - line_start + 1, line, start - line_start + 2),
                f"{rest} more runs of invisible characters in this file: delete them all",
            )
            return
        run = m.group()
        if start == 0:
            run = run.lstrip("\ufeff")
        what = "bidirectional control" if any(ch in _BIDI for ch in run) else "invisible character"
        column = start - line_start + 1
        yield Finding(
            Span(line, column, line, column + (end - start)),
            f"{what} {_names(run)}: it {_effect(run)}; delete it",
        )


def _effect(run: str) -> str:
    if any(ch in "\u202a\u202b\u202d\u202e\u2066\u2067\u2068" for ch in run):
        return "reorders how the rest of the line is shown"
    if any(ch in _BIDI for ch in run):
        return "changes how the text around it is ordered on screen"
    return "splits or hides text without showing anything"
