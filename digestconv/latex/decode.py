"""LaTeX field values back to text (:func:`unescape`) and to readable Unicode
(:func:`to_unicode`)."""

from __future__ import annotations

import re
import unicodedata
from array import array

from .mathspans import _CHUNK, _closer, _spans
from .tables import (
    _ACCENT_CMD,
    _ACCENT_OPEN,
    _GREEK_BRACED,
    _GREEK_LATIN_OF,
    _GREEK_OF,
    _GREEK_UPRIGHT,
    _LETTER_CMD,
    _LETTER_OF,
    _LETTER_SOURCE,
    _MARK_OF,
    _SOURCE_BRACED,
    _SOURCE_DOUBLE,
    _SOURCE_RE,
    _SYMBOL_OF,
    _UNESCAPE,
    _WS,
)


def _nested_accent(value: str, i: int) -> tuple[str, int] | None:
    """Decode a nested accent command ``\\X{...{}}`` at ``value[i]`` (bounded look-ahead).

    Returns the character and the index after the command, or ``None``.
    """
    m = _ACCENT_OPEN.match(value, i)
    if not m:
        return None
    depth, j, limit = 1, m.end(), min(len(value), m.end() + 48)
    while j < limit and depth:
        if value[j] == "{":
            depth += 1
        elif value[j] == "}":
            depth -= 1
        j += 1
    if depth:
        return None
    arg = value[m.end() : j - 1]
    arg = arg.removesuffix("{}")
    if arg.startswith("\\") and not _ACCENT_OPEN.match(arg) and not _LETTER_CMD.match(arg + "{}"):
        return None
    inner = _LETTER_OF.get(arg[1:]) if arg in ("\\i", "\\j") else unescape(arg)
    if inner is None or len(inner) != 1:
        return None
    if inner in "ıȷ":
        inner = "i" if inner == "ı" else "j"
    return unicodedata.normalize("NFC", inner + _MARK_OF[m[1]]), j


def _written_math_end(value: str, i: int, memo: dict[str, tuple[int, int]]) -> int:
    """The end of the ``$$...$$``, ``\\(...\\)`` or ``\\[...\\]`` math that opens at
    ``value[i]`` in a field value, or -1 (``$...$`` is read by :func:`unescape` itself)."""
    if value.startswith("$$", i):
        end = value.find("$", i + 2)
        return end + 2 if end >= 0 and value.startswith("$$", end) else -1
    kind = value[i + 1 : i + 2]
    if value[i] != "\\" or kind not in ("(", "[") or (i > 0 and value[i - 1] == "\\"):
        return -1
    end = _closer(value, "\\)" if kind == "(" else "\\]", i + 2, memo)
    return end + 2 if end >= 0 else -1


#: what ends a control word; after a backslash, any other character makes a control
#: symbol, one token of two characters (``\\``, ``\~``), as TeX reads it
_ASCII_LETTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
#: characters :func:`unescape` does not copy as they are
_UNESCAPE_SCAN = re.compile(r"[$\\{}~]")


def unescape(value: str) -> str:
    """Plain text from a field value written by :func:`escape` (one linear pass).

    Unknown commands are kept as written, so foreign files read as best they can.  A
    backslash and the non-letter after it are one token, as TeX reads them (a control
    symbol): ``\\\\`` is kept as written and its second backslash never starts an
    escape (``a\\\\&b`` reads ``a\\\\&b``, ``\\\\'{e}`` reads ``\\\\'e``).
    """
    scan = _UNESCAPE_SCAN.search
    m = scan(value)
    if m is None:
        return value
    chunks: list[str] = []
    out: list[str] = []
    memo: dict[str, tuple[int, int]] = {}
    pos, n = 0, len(value)
    while m is not None:
        i = m.start()
        if i > pos:
            out.append(value[pos:i])
        c = value[i]
        pos = i + 1
        end = _written_math_end(value, i, memo) if c in "$\\" else -1
        if end >= 0:
            out.append(value[i:end])
            pos = end
        elif c == "$":
            end = value.find("$", pos)
            if end < 0:
                out.append(value[i:])
                pos = n
                break
            out.append(value[i : end + 1])
            pos = end + 1
        elif c == "\\":
            for esc, plain in _UNESCAPE:
                if value.startswith(esc, i):
                    out.append(plain)
                    pos = i + len(esc)
                    break
            else:
                sm = _ACCENT_CMD.match(value, i)
                nested = None if sm else _nested_accent(value, i)
                if sm:
                    out.append(unicodedata.normalize("NFC", sm[2] + _MARK_OF[sm[1]]))
                    pos = sm.end()
                elif nested is not None:
                    out.append(nested[0])
                    pos = nested[1]
                elif sm := _LETTER_CMD.match(value, i):
                    out.append(_LETTER_OF[sm[1]])
                    pos = sm.end()
                elif pos < n and value[pos] not in _ASCII_LETTERS:
                    out.append(value[i : pos + 1])  # a control symbol: \\, \~, \-
                    pos += 1
                else:
                    out.append(c)
        elif c == "{":
            if sm := _SOURCE_DOUBLE.match(value, i):
                out.append("{" + sm[1] + "}")
                pos = sm.end()
            elif sm := _SOURCE_BRACED.match(value, i):
                out.append(sm[1])
                pos = sm.end()
            elif (sm := _GREEK_BRACED.match(value, i)) and sm[1] in _GREEK_OF:
                out.append(_GREEK_OF[sm[1]])
                pos = sm.end()
            elif (sm := _GREEK_UPRIGHT.match(value, i)) and sm[1] in _GREEK_LATIN_OF:
                out.append(_GREEK_LATIN_OF[sm[1]])
                pos = sm.end()
            # else a protecting brace
        elif c == "~":
            out.append("\xa0")
        # "}": a protecting brace
        if len(out) > _CHUNK:
            chunks.append("".join(out))
            out.clear()
        m = scan(value, pos)
    if pos < n:
        out.append(value[pos:])
    chunks.append("".join(out))
    return "".join(chunks)


#: what :func:`to_unicode` looks at
_TEXT_SCAN = re.compile(r"[$\\{}~]|-{2,}|``|''")
#: text-style commands whose argument is plain text: ``\textit{x}`` reads ``x``
_STYLE_CMD = re.compile(
    r"\\(?:text(?:it|bf|sl|sc|tt|rm|sf|up|md|normal)|emph|underline|url|mbox)" + _WS + r"\{"
)
#: style declarations that open a group: ``{\it x}`` reads ``x``
_STYLE_DECL = re.compile(
    r"\{\\(?:it|bf|em|sl|sc|tt|rm|sf|itshape|bfseries|scshape|slshape|ttfamily|upshape"
    r"|mdseries|rmfamily|sffamily|normalfont)(?![A-Za-z])" + _WS
)
#: a tie ``~`` follows one of these (``Fig.~1``, ``RL~(S)``); ``1~10`` is a range
_TIE_AFTER = _ASCII_LETTERS | frozenset(".,;:)]")


def _may_hold_tex(text: str) -> bool:
    """Whether :data:`_TEXT_SCAN` can match in ``text``: the same question, asked with
    substring tests, which run several times faster than the pattern's alternation."""
    return (
        "$" in text
        or "\\" in text
        or "{" in text
        or "}" in text
        or "~" in text
        or "--" in text
        or "``" in text
        or "''" in text
    )


def to_unicode(text: str) -> str:
    """Readable Unicode for a text that may hold TeX, for formats where LaTeX means
    nothing (CSL-JSON, RIS, feeds, OPML).  One linear pass; unknown commands and math
    stay as written.

    * Accents and letters written in TeX become characters, spaced and braced forms
      too: ``Schr\\"odinger``, ``Schr{\\"o}dinger``, ``Petojevi\\' c``, ``\\' {e}``,
      ``Navega\\c{c}\\~ao``, ``Rodr\\'\\iguez``, ``\\ss``, ``{\\o}``; escaped specials
      (``\\%``, ``\\&``, ``\\#``, ``\\_``, ``\\$``) their characters.
    * Math that is a single symbol becomes it: ``$\\alpha$`` and ``$α$`` read ``α``,
      ``$\\sim$`` ``∼``, ``$\\mathbb{R}$`` ``ℝ``, ``$^\\circ$`` ``°``.  Other math
      (``$...$``, ``$$...$$``, ``\\(...\\)``, ``\\[...\\]``) is kept exactly, and
      dollars that do not pair up (:func:`math_balanced`) are dollar signs.
    * Text-style commands keep their argument: ``\\textit{x}``, ``\\emph{x}``,
      ``\\textbf{x}``, ``\\underline{x}``, ``\\url{x}``, ``{\\it x}`` read ``x``.
    * TeX is read token by token, left to right, and a backslash with the non-letter
      after it is one token (a control symbol): the second backslash of ``\\\\`` never
      starts a command, an accent or an escaped special, so ``\\\\textbf{x}`` reads
      ``\\\\textbf{x}`` and ``\\\\\\textbf{x}`` reads ``\\\\x``.  ``\\\\`` itself (TeX's
      forced line break, or a doubled backslash) is kept as written, as every command
      this reader does not know is, and so are ``\\~``, ``\\-`` and the like; only
      ``\\{`` and ``\\}`` still open and close groups, as ``\\url`` reads its argument
      verbatim (``\\url{C:\\}``).
    * TeX's ligatures: ``--`` is an en dash and ``---`` an em dash, except before a
      word at the start of a word (``--enrich`` is an option); ````` ``x'' ````` is
      ``“x”``; a tie ``~`` after a letter or punctuation (``Fig.~1``) is a no-break
      space, and any other ``~`` (``1~10``, ``~5%``) is kept.
    """
    if not _may_hold_tex(text):
        return text
    scan = _TEXT_SCAN.search
    spans = _spans(text) if "$" in text or "\\" in text else array("q")
    next_span = 0
    groups = bytearray()  # one per open "{": 1 when it and its "}" are dropped
    quote = False  # a `` is open
    chunks: list[str] = []
    out: list[str] = []
    last = pos = 0  # last: the start of the text not copied yet
    n = len(text)
    while (m := scan(text, pos)) is not None:
        i = m.start()
        c = text[i]
        pos = m.end()
        rep: str | None = None  # what replaces text[i:pos]; None keeps it
        if next_span < len(spans) and spans[next_span] == i:
            pos = spans[next_span + 1]
            next_span += 2
            rep = _single_symbol(text[i:pos])
        elif c == "\\":
            if sm := _SOURCE_RE.match(text, i):
                rep = _decode_source(sm[0])
                pos = sm.end()
            elif sm := _STYLE_CMD.match(text, i):
                groups.append(1)
                rep = ""
                pos = sm.end()
            elif pos < n and text[pos] not in _ASCII_LETTERS and text[pos] not in "{}":
                pos += 1  # a control symbol (\\, \~, \-): one token, kept as written
        elif c == "{":
            if sm := _SOURCE_BRACED.match(text, i):
                rep = _decode_source(sm[1])
                pos = sm.end()
            elif sm := _STYLE_DECL.match(text, i):
                groups.append(1)
                rep = ""
                pos = sm.end()
            else:
                groups.append(0)
        elif c == "}":
            if groups and groups.pop():
                rep = ""
        elif c == "~":
            if i > 0 and text[i - 1] in _TIE_AFTER and i + 1 < n and not text[i + 1].isspace():
                rep = "\xa0"
        elif c == "-":
            option = (i == 0 or text[i - 1].isspace()) and text[pos : pos + 1].isalpha()
            if pos - i in (2, 3) and not option:
                rep = "–" if pos - i == 2 else "—"
        elif c == "`":
            rep = "“"
            quote = True
        elif quote:  # ''
            rep = "”"
            quote = False
        if rep is not None:
            out.append(text[last:i])
            out.append(rep)
            last = pos
            if len(out) > _CHUNK:
                chunks.append("".join(out))
                out.clear()
    out.append(text[last:])
    chunks.append("".join(out))
    return "".join(chunks)


def _single_symbol(span: str) -> str | None:
    """The character a math span stands for when it is one symbol, else ``None``."""
    cut = 1 if span[0] == "$" and span[1] != "$" else 2  # $...$; $$...$$, \(...\), \[...\]
    body = span[cut:-cut].strip()
    if body.startswith("{") and body.endswith("}") and "{" not in body[1:-1]:
        body = body[1:-1].strip()
    if len(body) == 1 and not body.isascii():
        return body
    return _SYMBOL_OF.get(body)


def _decode_source(src: str) -> str:
    """The character of source LaTeX (``\\"o``, ``\\' c``, ``\\'\\i``, ``\\ss{}``, ``\\%``)."""
    cmd = src[1]
    if cmd in "%&#_$":
        return cmd
    name = src[1:].rstrip(" \t\n").removesuffix("{}")
    if name in _LETTER_SOURCE:
        return _LETTER_SOURCE[name]
    arg = src[2:].strip(" \t\n{}")
    return unicodedata.normalize("NFC", arg[-1] + _MARK_OF[cmd])
