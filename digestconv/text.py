"""Small text predicates shared by the reader, the rules and the writers.

All of them look at a bounded tail or do one linear pass.
"""

from __future__ import annotations

import functools
import re

#: characters that may follow a sentence's final punctuation
_CLOSERS = "\"'”’）)]}」』】》>*$"
_SENTENCE_END = ".!?。！？"
_LATIN_TAIL = re.compile(r"[A-Za-z][A-Za-z0-9_\-]*$")
#: cut markers seen at the end of translations of cut abstracts
CUT_MARKERS = ("……", "...", "…", "原文截断", "未完整", "后续省略", "截断")
_MARKER_CHARS = frozenset("".join(CUT_MARKERS))
_MARKER_WINDOW = max(len(m) for m in CUT_MARKERS) + 3

# Character classes, each defined once: what the reader reports, what every
# writer removes, what XML forbids and what must not reach a terminal.
_C0 = "\x00-\x08\x0b-\x1f"  # C0 controls but tab and LF (CR included)
_C1 = "\x7f-\x9f"  # DEL and the C1 controls
_NON_CHARACTERS = "\ud800-\udfff\ufffe\uffff"  # lone surrogates, U+FFFE, U+FFFF
#: the bidirectional controls, one by one: marks (the Arabic letter mark too),
#: embeddings, overrides, isolates
BIDI_CONTROLS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
#: invisible characters with no job in a digest, one by one: zero-width space, word joiner
#: and the invisible operators, a byte-order mark and the Mongolian vowel separator (the
#: zero-width (non-)joiners are kept: scripts and emoji need them)
INVISIBLE_CHARACTERS = "\u200b\u2060\u2061\u2062\u2063\u2064\ufeff\u180e"

#: characters XML 1.0 forbids: C0 controls but tab/LF/CR, surrogates, U+FFFE/F
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f" + _NON_CHARACTERS + "]")
#: control characters worth reporting in a text file (C0 but tab/LF, DEL, C1)
CONTROL = re.compile(f"[{_C0}{_C1}]")
#: what every citation and feed writer removes: :data:`CONTROL`, what XML forbids (CR
#: too), bidirectional controls and invisible characters (the ``invisible-character``
#: rule reports them in digests)
ILLEGAL = re.compile(f"[{_C0}{_C1}{_NON_CHARACTERS}{BIDI_CONTROLS}{INVISIBLE_CHARACTERS}]")
#: what a metadata record's text loses (:func:`digestconv.enrich.record.clean_text`):
#: :data:`CONTROL`, bidirectional controls and invisible characters
HIDDEN = re.compile(f"[{_C0}{_C1}{BIDI_CONTROLS}{INVISIBLE_CHARACTERS}]")
#: what must not reach a terminal beyond the C0 controls: C1, bidi and invisible
#: characters, line and paragraph separators, lone surrogates
_SHOWN_WRONG = f"{_C1}{BIDI_CONTROLS}{INVISIBLE_CHARACTERS}\u2028\u2029\ud800-\udfff"
#: what must not reach a terminal: every control but tab (LF too), bidi controls,
#: invisible characters, line and paragraph separators, lone surrogates
TERMINAL_UNSAFE = re.compile(f"[\x00-\x08\x0a-\x1f{_SHOWN_WRONG}]")

_CONTROL_NAMES = {
    0x00: "NUL",
    0x07: "BEL",
    0x08: "BS",
    0x0B: "VT",
    0x0C: "FF",
    0x0D: "CR",
    0x1B: "ESC",
    0x7F: "DEL",
}


def control_name(ch: str) -> str:
    """``U+0007 (BEL)`` style name of a control character."""
    code = ord(ch)
    name = _CONTROL_NAMES.get(code)
    return f"U+{code:04X}" + (f" ({name})" if name else "")


def ends_sentence(text: str) -> bool:
    """Whether ``text`` ends with sentence-final punctuation (closers allowed)."""
    end = len(text)
    # look back over at most a few closing quotes/brackets
    while end > 0 and len(text) - end < 4 and text[end - 1] in _CLOSERS:
        end -= 1
    return end > 0 and text[end - 1] in _SENTENCE_END


@functools.cache
def _cjk() -> re.Pattern[str]:
    """What :func:`is_cjk` accepts, as a pattern.

    Compiled on first use: a class of 30,000 characters takes milliseconds to
    compile, and only a detail block of an unusual layout needs it.
    """
    return re.compile("[\u3000-\u9fff\uf900-\ufaff\uff00-\uffef]")


def is_cjk(ch: str) -> bool:
    """Whether ``ch`` is a CJK ideograph or CJK punctuation."""
    code = ord(ch)
    return 0x3000 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFFEF


def mostly_cjk(text: str, sample: int = 200) -> bool:
    """Whether the first ``sample`` letters of ``text`` are mostly CJK.

    CJK characters (:func:`is_cjk`) against the other letters (``isalpha``).
    """
    head = text[:sample]
    pattern = _cjk()
    cjk = len(pattern.findall(head))
    if not cjk:
        return False
    latin = sum(map(str.isalpha, pattern.sub("", head)))
    return cjk * 3 >= latin


def abstract_truncated(abstract_length: int, abstract: str, cut: int = 1000) -> bool:
    """Whether an English abstract stopped at the producer's ``cut``-character cut.

    The producer cut the feed text at ``cut`` characters and then removed every
    ``-`` + newline, so a cut abstract can be a few characters shorter.
    """
    return cut - 12 <= abstract_length <= cut and not ends_sentence(abstract.rstrip())


def translation_cut(text: str) -> str | None:
    """Why a Chinese translation looks cut, or ``None`` when it looks whole."""
    end = len(text)
    while end and text[end - 1].isspace():  # text.rstrip(), without copying the text
        end -= 1
    if not end:
        return None
    tail = text[max(end - 64, 0) : end]  # every test below looks at the last 60 characters
    if not _MARKER_CHARS.isdisjoint(tail[-_MARKER_WINDOW:]):
        for marker in CUT_MARKERS:
            if tail[-len(marker) - 3 :].find(marker) >= 0:
                return f"ends with the cut marker '{marker}'"
    if ends_sentence(tail):
        return None
    m = _LATIN_TAIL.search(tail[-60:])
    if m and mostly_cjk(text):
        return f"ends in a Latin fragment '{m.group(0)}'"
    return "ends mid-sentence"


def strip_illegal(text: str) -> str:
    """Remove XML-illegal and control characters (:data:`ILLEGAL`), keeping tab and newline.

    Removed: U+0000-U+0008, U+000B-U+001F (so CR too), U+007F-U+009F, lone
    surrogates, U+FFFE and U+FFFF, the bidirectional marks, embeddings,
    overrides and isolates (U+200E, U+200F, U+061C, U+202A-U+202E, U+2066-U+2069),
    and the invisible U+200B, U+2060-U+2064, U+180E and U+FEFF.  One linear pass.
    """
    if text.isprintable():
        # nothing to remove: every character of ILLEGAL is a control, format, surrogate
        # or unassigned code point, which ``isprintable`` refuses (the commonest case)
        return text
    return ILLEGAL.sub("", text)


def _escape_char(match: re.Match[str]) -> str:
    ch = match.group()
    if ch == "\n":
        return "\\n"
    if ch == "\r":
        return "\\r"
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


#: :data:`TERMINAL_UNSAFE` less line feed and carriage return (for formats that escape
#: line breaks their own way)
LINE_UNSAFE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f{_SHOWN_WRONG}]")


def printable(text: str, *, lines: bool = False) -> str:
    """``text`` on one line with terminal-unsafe characters (:data:`TERMINAL_UNSAFE`)
    shown as backslash escapes (``\\n``, ``\\x1b``, ``\\u202e``).

    With ``lines``, line feeds and carriage returns are kept (:data:`LINE_UNSAFE`).
    """
    if text.isprintable():
        # nothing to escape: every character of TERMINAL_UNSAFE is a control, format,
        # surrogate or separator code point, which ``isprintable`` refuses (the commonest case)
        return text
    return (LINE_UNSAFE if lines else TERMINAL_UNSAFE).sub(_escape_char, text)
