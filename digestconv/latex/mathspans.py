"""TeX math in text: where it is, whether it is safe to keep, its spelling."""

from __future__ import annotations

import re
from array import array

from .tables import _MATH_SYMBOLS, _SOURCE_RE

#: output pieces gathered in a list before they are joined into one string: the
#: codec's memory is its output plus a bounded number of Python objects
_CHUNK = 1024
#: LaTeX specials: the characters that are never copied as they are
_SPECIALS = "$\\&%#_~^{}"
_SPACES = re.compile(r"\s+")
#: math bodies with none of these need only the trailing-backslash check
_MATH_HARD = re.compile(r"[{}%#&]")
_MATH_TOKENS = re.compile(r"\\+|[{}%#&]")


def _math_ok(body: str) -> bool:
    """Whether ``$body$`` can be written unchanged (linear in ``len(body)``).

    Braces must balance, never going negative, under three counts: TeX's (a brace
    after an odd run of backslashes is escaped), BibTeX's (every brace counts) and
    bibtexparser v2's (a brace right after a backslash does not count).  No unescaped
    ``% # &``, and no odd run of backslashes at the end.
    """
    if not body or (len(body) - len(body.rstrip("\\"))) % 2:
        return False
    if _MATH_HARD.search(body) is None:
        return True
    raw = tex = parser = 0
    run_end = run_len = 0  # where the last backslash run ended, and its length
    for m in _MATH_TOKENS.finditer(body):
        c = m[0]
        if c[0] == "\\":
            run_end, run_len = m.end(), len(c)
            continue
        run = run_len if m.start() == run_end else 0
        if c in "{}":
            step = 1 if c == "{" else -1
            raw += step
            if run % 2 == 0:
                tex += step
            if run == 0:
                parser += step
            if raw < 0 or tex < 0 or parser < 0:
                return False
        elif run % 2 == 0:
            return False
    return raw == 0 and tex == 0 and parser == 0


def _closer(text: str, closer: str, start: int, memo: dict[str, tuple[int, int]]) -> int:
    """Index of the first ``closer`` (``\\)``, ``\\]``, ``\\(``, ``\\[``) at or after
    ``start`` that TeX reads as one (its backslash is not the second of a ``\\\\`` pair),
    or -1.

    ``memo`` remembers the last search of each closer, so a pass that asks again from
    inside an answered range reads no character twice: linear over the pass.
    """
    got = memo.get(closer)
    if got is not None and got[0] <= start and (got[1] < 0 or start <= got[1]):
        return got[1]
    j = text.find(closer, start)
    while j >= 0:
        k = j
        while k > 0 and text[k - 1] == "\\":
            k -= 1
        if (j - k) % 2 == 0:  # an even run of backslashes before it: a real closer
            break
        j = text.find(closer, j + 1)
    memo[closer] = (start, j)
    return j


def _span_end(text: str, i: int, memo: dict[str, tuple[int, int]]) -> int:
    """The end (exclusive) of the math span that opens at ``text[i]``, or -1.

    ``$...$`` and ``$$...$$`` open at a ``$``; ``\\(...\\)`` and ``\\[...\\]`` at a
    backslash that does not follow another.  The body must pass :func:`_math_ok`, and a
    body between ``$$``, ``\\(`` or ``\\[`` must hold no ``$`` and no second opener.
    """
    if text[i] == "$":
        if text.startswith("$$", i):
            end = text.find("$", i + 2)
            if end < 0 or not text.startswith("$$", end) or not _math_ok(text[i + 2 : end]):
                return -1
            return end + 2
        end = text.find("$", i + 1)
        if end < 0 or not _math_ok(text[i + 1 : end]):
            return -1
        return end + 1
    kind = text[i + 1 : i + 2]
    if kind not in ("(", "[") or (i > 0 and text[i - 1] == "\\"):
        return -1
    end = _closer(text, "\\)" if kind == "(" else "\\]", i + 2, memo)
    if end < 0:
        return -1
    # a second opener before the closer: not math (and bodies never overlap, so every
    # character is read by one body check at most)
    again = _closer(text, "\\" + kind, i + 2, memo)
    if 0 <= again < end:
        return -1
    body = text[i + 2 : end]
    if "$" in body or not _math_ok(body):
        return -1
    return end + 2


_MATH_SCAN = re.compile(r"[$\\]")


def _spans(text: str) -> array[int]:
    """The math spans of ``text`` as flat ``start, end`` pairs (end exclusive), in order.

    Scans as :func:`escape` does (source LaTeX such as ``\\$`` is not a delimiter).  When
    the dollars do not pair up (see :func:`math_balanced`) no ``$`` opens math, so no
    prose is ever typeset as math; ``\\(...\\)`` and ``\\[...\\]`` still do.
    """
    spans = _scan_spans(text, dollars=True)
    return spans if spans is not None else _scan_spans(text, dollars=False) or array("q")


def _scan_spans(text: str, dollars: bool) -> array[int] | None:
    """The pass of :func:`_spans`; ``None`` when a ``$`` opens no valid span."""
    spans: array[int] = array("q")
    memo: dict[str, tuple[int, int]] = {}
    scan = _MATH_SCAN.search
    pos = 0
    while (m := scan(text, pos)) is not None:
        i = m.start()
        if text[i] == "$" and not dollars:
            pos = i + 1
            continue
        end = _span_end(text, i, memo)
        if end >= 0:
            spans.append(i)
            spans.append(end)
            pos = end
        elif text[i] == "$":
            return None
        else:
            sm = _SOURCE_RE.match(text, i)
            pos = sm.end() if sm else i + 1
    return spans


def math_balanced(text: str) -> bool:
    """Whether every ``$`` of ``text`` opens or closes valid math (see :func:`escape`).

    When it does not (an odd number of dollars, as in a source that lost one, or a pair
    whose body is not math), the writers treat every ``$`` of the text as a dollar sign
    and write the would-be math as text, so prose is never typeset as math.  Callers
    that can report should warn that the text's math is written as plain text: the fix
    is in the source (restore the lost ``$``, or write a dollar sign as ``\\$``).
    """
    if "$" not in text:
        return True
    paired = _dollars_pair(text)
    return paired if paired is not None else _scan_spans(text, dollars=True) is not None


def _dollars_pair(text: str) -> bool | None:
    """:func:`math_balanced` for a text whose prose before each ``$`` holds no backslash
    (nearly every text: backslashes live in math), ``None`` for any other text.

    Without a backslash in the prose the scan of :func:`_scan_spans` meets nothing but
    dollars outside math, so the dollars pair up in order: ``$$`` opens display math that
    the next ``$$`` closes, a lone ``$`` inline math that the next ``$`` closes, and each
    body must pass :func:`_math_ok`.  One ``split`` finds them all; the answer is the
    scan's, decided at the same ``$``, and ``None`` hands the text to the scan as soon as
    prose before a ``$`` holds a backslash (``\\$``, ``\\(...\\)``).
    """
    parts = text.split("$")  # parts[j] lies between the j-th and the next dollar
    last = len(parts) - 1  # the number of dollars
    if "\\" in parts[0]:
        return None
    j = 1  # the dollar that opens the next math
    while j <= last:
        if j == last:
            return False  # a last dollar that nothing closes
        body = parts[j]
        if body:  # $body$ (most bodies need no more than :func:`_math_ok`'s first test)
            if (body[-1] == "\\" or _MATH_HARD.search(body)) and not _math_ok(body):
                return False
            j += 2
        else:  # $$body$$
            if j + 3 > last or parts[j + 2] or not _math_ok(parts[j + 1]):
                return False
            j += 4
        if j <= last and "\\" in parts[j - 1]:
            return None
    return True


def tex_math(text: str) -> str:
    """``text`` with the Unicode letters and symbols of its math written as TeX macros
    (``$ω$`` is ``$\\omega$``; see :func:`_math_tex`), as :func:`escape` writes them.

    This is what a BibTeX round trip gives back: ``unescape(escape(t)) == tex_math(t)``
    for every text ``t``, and ``tex_math(t) == t`` when its math has no such character.
    """
    spans = _spans(text) if "$" in text or "\\" in text else array("q")
    if not spans:
        return text
    out: list[str] = []
    pos = 0
    for k in range(0, len(spans), 2):
        start, end = spans[k], spans[k + 1]
        out.append(text[pos:start])
        out.append(_math_tex(text[start:end]))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _after_control_word(span: str, p: int) -> bool:
    """Whether ``span[:p]`` ends with a control word (``\\mathbf``): a letter after it
    would be read as part of the name by LuaLaTeX and XeLaTeX."""
    k = p
    while k > 0 and span[k - 1].isascii() and span[k - 1].isalpha():
        k -= 1
    if k == p or k == 0 or span[k - 1] != "\\":
        return False
    run = k
    while run > 0 and span[run - 1] == "\\":
        run -= 1
    return (k - run) % 2 == 1


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _math_tex(span: str) -> str:
    """A math span with its Unicode letters and symbols written as TeX macros.

    ``$ω$`` is ``$\\omega$``, ``$\\mathbfθ$`` is ``$\\mathbf\\theta$``, ``$ωt$`` is
    ``$\\omega t$`` and ``$x∈ℝ$`` is ``$x\\in\\mathbb{R}$``: the same TeX whichever
    spelling the source used.  A letter without a macro that follows a control word
    directly is parted from it by a space.  Linear in ``len(span)``.
    """
    if span.isascii():
        return span
    out: list[str] = []
    pos = 0
    for m in _NON_ASCII.finditer(span):
        p = m.start()
        c = span[p]
        out.append(span[pos:p])
        pos = p + 1
        tex = _MATH_SYMBOLS.get(c)
        if tex is not None and not (p > 0 and span[p - 1] == "\\"):
            if tex[0].isalpha() and _after_control_word(span, p):
                out.append(" ")
            out.append(tex)
            after = span[p + 1 : p + 2]
            if (
                tex[-1].isalpha()
                and after.isalpha()
                and not _MATH_SYMBOLS.get(after, "").startswith("\\")
            ):
                out.append(" ")
        else:
            if c.isalpha() and _after_control_word(span, p):
                out.append(" ")
            out.append(c)
    out.append(span[pos:])
    return "".join(out)
