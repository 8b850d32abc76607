"""Plain text to LaTeX field values (:func:`escape`)."""

from __future__ import annotations

import functools
import re
import unicodedata
from array import array

from .mathspans import _CHUNK, _SPACES, _SPECIALS, _math_tex, _spans
from .tables import (
    _GREEK,
    _GREEK_LATIN,
    _LETTERS,
    _LITERAL,
    _MARKS,
    _NOT_OT1,
    _SOURCE_BRACED,
    _SOURCE_RE,
    PDFLATEX_PRINTS,
)


def _accent(ch: str) -> str | None:
    """The LaTeX accent spelling of a precomposed Latin letter, if it has one."""
    if ch in _LETTERS:
        return "\\" + _LETTERS[ch] + "{}"
    nfd = unicodedata.normalize("NFD", ch)
    if len(nfd) == 2 and nfd[0].isascii() and nfd[0].isalpha() and nfd[1] in _MARKS:
        return "\\" + _MARKS[nfd[1]] + "{" + nfd[0] + "}"
    return None


def _pdflatex_macro(ch: str) -> str | None:
    """A spelling pdflatex prints, for a character it cannot print as UTF-8.

    Greek as math; a Latin letter with accents pdflatex can build as nested accent
    commands, each argument ending in ``{}`` (biber then leaves the command alone
    instead of decoding it into a character pdflatex cannot print).
    """
    if ch in _GREEK:
        return "{$\\" + _GREEK[ch] + "$}"
    if ch in _GREEK_LATIN:
        return "{$\\mathrm{" + _GREEK_LATIN[ch] + "}$}"
    nfd = unicodedata.normalize("NFD", ch)
    base, marks = nfd[0], nfd[1:]
    if not marks or not base.isascii() or not base.isalpha():
        return None
    if any(m not in _MARKS or _MARKS[m] in _NOT_OT1 for m in marks):
        return None
    out = "\\i" if base == "i" and marks[0] not in ("\u0323", "\u0331", "\u0327") else base
    for k, mark in enumerate(marks):
        # the innermost accent may be decoded by biber when pdflatex prints the result
        printable = k == 0 and PDFLATEX_PRINTS.match(unicodedata.normalize("NFC", base + mark))
        out = "\\" + _MARKS[mark] + "{" + out + ("}" if printable else "{}}")
    return "{" + out + "}"


def _candidates() -> str:
    """Every non-ASCII character that may have a LaTeX spelling (a test checks the rest)."""
    return "".join(map(chr, [*range(0xA0, 0x400), *range(0x1E00, 0x1F00), 0x212B]))


@functools.cache
def _scanner(title: bool, ascii_only: bool, pdflatex: bool, spaces: bool = True) -> re.Pattern[str]:
    """One character that :func:`escape` does not copy as it is, under these flags.

    Everything between two such characters is a run that passes through whole.
    A title's white space ends its words; without ``spaces`` the pattern leaves
    it out, and finds only what a title must spell otherwise.
    """
    chars = set(_SPECIALS)
    if title or ascii_only:
        chars.update(_GREEK)
    if ascii_only:
        chars.add("\xa0")
        chars.update(c for c in _candidates() if _accent(c) is not None)
    if pdflatex:
        chars.update(
            c
            for c in _candidates()
            if not PDFLATEX_PRINTS.match(c) and _pdflatex_macro(c) is not None
        )
    body = "".join(re.escape(c) for c in sorted(chars))
    return re.compile("[" + body + (r"\s" if title and spaces else "") + "]")


@functools.lru_cache(maxsize=4096)
def _spelling(c: str, greek: bool, ascii_only: bool, pdflatex: bool) -> str | None:
    """The LaTeX spelling of one letter or symbol, or ``None`` when it is copied."""
    if (greek or ascii_only) and c in _GREEK:
        return "{$\\" + _GREEK[c] + "$}"
    if ascii_only and not c.isascii() and (acc := _accent(c)) is not None:
        return acc
    if pdflatex and not c.isascii() and not PDFLATEX_PRINTS.match(c):
        return _pdflatex_macro(c)
    return None


#: a title's word: what lies between runs of white space
_WORD = re.compile(r"\S+")


def _protect(word: re.Match[str]) -> str:
    """A title's word as it is, braced when it has a capital letter."""
    run = word[0]
    return "{" + run + "}" if _has_upper(run) else run


def _has_upper(run: str) -> bool:
    """Whether any character of ``run`` is upper case."""
    if run.isascii():
        return run.lower() != run
    return any(map(str.isupper, run))


def escape(text: str, title: bool = False, ascii_only: bool = False, pdflatex: bool = False) -> str:
    """LaTeX for plain ``text`` (see the module docstring); inverse of :func:`unescape`.

    ``title`` protects capitalised words with braces and spells Greek as math;
    ``ascii_only`` spells accented letters as commands; ``pdflatex`` spells what
    pdflatex cannot print as UTF-8 as macros where it can.

    One left-to-right pass: runs of characters that need nothing pass through whole,
    found by one compiled pattern.  A text with a ``{`` that never closes takes a
    second pass, which spells exactly those braces ``\\textbraceleft{}``.
    """
    if _scanner(title, ascii_only, pdflatex, False).search(text) is None:
        # nothing to spell: text passes whole, a title's capitalised words are braced
        return _WORD.sub(_protect, text) if title else text
    out, unpaired = _escape(text, title, ascii_only, pdflatex, None)
    if unpaired:
        out, _ = _escape(text, title, ascii_only, pdflatex, unpaired)
    return out


def _escape(
    text: str, title: bool, ascii_only: bool, pdflatex: bool, unpaired: array[int] | None
) -> tuple[str, array[int]]:
    """The pass of :func:`escape`: the LaTeX, and the ordinals of the ``{`` that never close.

    ``unpaired`` is what an earlier pass returned, ``None`` on the first.
    """
    scan = _scanner(title, ascii_only, pdflatex).search
    chunks: list[str] = []  # joined output
    out: list[str] = []  # output pieces not joined yet
    word: list[str] = []  # title: pieces of the current word
    word_chunks: list[str] = []
    upper = False  # title: the current word has a capital letter
    stack: array[int] = array("q")  # ordinals of the open "{"
    brace = 0  # ordinal of the next "{"
    next_unpaired = 0  # index into unpaired
    spans = _spans(text) if "$" in text or "\\" in text else array("q")
    next_span = 0  # index into spans
    pos, n = 0, len(text)
    while pos < n:
        m = scan(text, pos)
        i = n if m is None else m.start()
        if i > pos:
            run = text[pos:i]
            if not title:
                out.append(run)
            else:
                word.append(run)
                upper = upper or _has_upper(run)
        if m is None:
            break
        c = text[i]
        pos = i + 1
        plain = boundary = False  # boundary: a space or math ends the title's word
        if next_span < len(spans) and spans[next_span] == i:
            pos = spans[next_span + 1]
            next_span += 2
            tex = _math_tex(text[i:pos])
            boundary = True
        elif c == "$":
            tex = "\\$"
        elif c == "\\":
            sm = _SOURCE_RE.match(text, i)
            if sm:
                tex = "{" + sm[0] + "}"
                pos = sm.end()
            else:
                tex = "\\textbackslash{}"
        elif c in _LITERAL:
            tex = _LITERAL[c]
        elif c == "{" and (sm := _SOURCE_BRACED.match(text, i)):
            tex = "{" + sm[0] + "}"  # {{\"o}}: the group as written, braced
            pos = sm.end()
        elif c == "{":
            if unpaired is not None and next_unpaired < len(unpaired):
                if unpaired[next_unpaired] == brace:
                    next_unpaired += 1
                    tex = "\\textbraceleft{}"
                else:
                    tex = "\\{"
            else:
                tex = "\\{"
            stack.append(brace)
            brace += 1
        elif c == "}":
            if stack:
                stack.pop()
                tex = "\\}"
            else:
                tex = "\\textbraceright{}"
        elif c.isspace():
            boundary = True
            if title:
                sm = _SPACES.match(text, i)
                assert sm is not None
                tex = sm[0]
                pos = sm.end()
            else:
                tex = c
            if ascii_only:
                tex = tex.replace("\xa0", "~")
        else:
            spelt = _spelling(c, title, ascii_only, pdflatex)
            plain = spelt is None
            tex = c if spelt is None else spelt
        if not title:
            out.append(tex)
        elif boundary:
            if word or word_chunks:
                if upper:
                    out.append("{")
                out.extend(word_chunks)
                out.extend(word)
                if upper:
                    out.append("}")
                word.clear()
                word_chunks.clear()
            upper = False
            out.append(tex)
        else:
            word.append(tex)
            upper = upper or (plain and c.isupper())
            if len(word) > _CHUNK:
                word_chunks.append("".join(word))
                word.clear()
        if len(out) > _CHUNK:
            chunks.append("".join(out))
            out.clear()
    if word or word_chunks:
        out.append("{" if upper else "")
        out.extend(word_chunks)
        out.extend(word)
        out.append("}" if upper else "")
    chunks.append("".join(out))
    out.clear()
    return "".join(chunks), stack
