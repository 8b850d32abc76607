r"""The LaTeX codec: plain text to LaTeX field values and back, shared by the formats.

:func:`escape` writes plain text as LaTeX that BibTeX, biber, pybtex, bibtexparser v2,
pandoc and pdflatex all accept; :func:`unescape` is its inverse; :func:`to_unicode`
turns the source LaTeX kept by :func:`escape` into characters for formats where LaTeX
means nothing (CSL-JSON, RIS).

* ``& % $ # _`` become ``\& \% \$ \# \_``; ``\ ~ ^`` become ``\textbackslash{}``,
  ``\textasciitilde{}``, ``\textasciicircum{}``; ``{ }`` become ``\{ \}`` when they
  pair up inside the field, else ``\textbraceleft{}``/``\textbraceright{}`` (BibTeX
  counts ``\{`` as a brace, so an unpaired one would break the file).
* TeX math ``$...$`` is kept exactly when it is safe to keep: non-empty, no unescaped
  ``% # &``, not ending in a backslash, and its braces balanced however they are
  counted: by TeX (a brace after an odd run of backslashes is escaped), by BibTeX
  and pybtex (every brace counts) and by bibtexparser v2 (a brace right after a
  backslash does not count, so ``\\{`` is one backslash pair and an uncounted
  brace).  Any other ``$`` is escaped.  Math is TeX as the authors wrote it: macros
  from packages (``\mathbb`` needs ``amssymb``) need those packages when typeset.
* Text that is already LaTeX is never escaped twice, but only for a closed set of
  commands that are unambiguous and typeset everywhere: accents (``\"o``, ``\'{e}``,
  ``\c{c}``, ...) and escaped specials (``\%``, ``\&``, ``\#``, ``\_``, ``\$``).
  Those are kept as written inside a brace group (``Schr{\"o}dinger``), which is
  also what marks them as source LaTeX for the reader.  Every other command
  (``\emph{x}``) is text: ``\textbackslash{}emph\{x\}``.
* ``title=True`` brace-protects every word with a capital letter (``{BERT}``) so
  styles that change case keep it, and spells Greek letters as math (``{$\alpha$}``).
* ``ascii_only=True`` writes precomposed Latin letters as accent commands
  (``\'{e}``, ``\ss{}``), Greek letters as math and the no-break space as ``~``;
  characters with no LaTeX spelling (CJK, emoji, combining marks, symbols) stay
  UTF-8, since dropping or transliterating them would lose text.
* ``pdflatex=True`` keeps UTF-8 where pdflatex prints it (``\usepackage[utf8]{inputenc}``
  with its default OT1 fonts: ASCII and the Latin letters and punctuation of
  :data:`PDFLATEX_PRINTS`) and spells the rest as macros where one exists: Greek
  as math, other accented letters as nested accent commands (Vietnamese ``ễ`` is
  ``{\~{\^{e}{}}}``; the inner ``{}`` keeps biber from decoding the letter back into
  a character pdflatex cannot print).  Characters with no macro that pdflatex can
  typeset with its default fonts (Cyrillic, CJK, letters with an ogonek or a horn)
  stay UTF-8: such files need XeLaTeX, LuaLaTeX or the matching ``fontenc``.

Every function is one left-to-right pass over its input.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from array import array

#: accent commands and escaped specials kept as source LaTeX (without the braces)
_SOURCE_TEX = r"""\\(?:['"`^~=.](?:[A-Za-z]|\{[A-Za-z]\})|[cuvHkdbr]\{[A-Za-z]\}|[%&#_$])"""
_SOURCE_RE = re.compile(_SOURCE_TEX)
_SOURCE_BRACED = re.compile(r"\{(" + _SOURCE_TEX + r")\}")
_GREEK_BRACED = re.compile(r"\{\$\\([A-Za-z]+)\$\}")
_GREEK_UPRIGHT = re.compile(r"\{\$\\mathrm\{([A-Za-z])\}\$\}")
_ACCENT_CMD = re.compile(r"""\\(['"`^~=.cuvHkdbr])\{([A-Za-z])\}""")
_ACCENT_OPEN = re.compile(r"""\\(['"`^~=.cuvHkdbr])\{""")
_LETTER_CMD = re.compile(r"\\(ss|ae|AE|oe|OE|o|O|l|L|i|j)\{\}")

_LITERAL = {
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "\\": r"\textbackslash{}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BRACES = {"{": (r"\{", r"\textbraceleft{}"), "}": (r"\}", r"\textbraceright{}")}
#: escapes the reader undoes, longest first where one is a prefix of another
_UNESCAPE = [
    (r"\textbackslash{}", "\\"),
    (r"\textasciitilde{}", "~"),
    (r"\textasciicircum{}", "^"),
    (r"\textbraceleft{}", "{"),
    (r"\textbraceright{}", "}"),
    (r"\&", "&"),
    (r"\%", "%"),
    (r"\$", "$"),
    (r"\#", "#"),
    (r"\_", "_"),
    (r"\{", "{"),
    (r"\}", "}"),
]

_MARKS = {
    "\u0301": "'", "\u0300": "`", "\u0302": "^", "\u0308": '"', "\u0303": "~",
    "\u0304": "=", "\u0307": ".", "\u0327": "c", "\u0306": "u", "\u030c": "v",
    "\u030b": "H", "\u0328": "k", "\u030a": "r", "\u0323": "d", "\u0331": "b",
}  # fmt: skip
_MARK_OF = {cmd: mark for mark, cmd in _MARKS.items()}
#: accents pdflatex's default OT1 fonts cannot build (``\k`` needs T1)
_NOT_OT1 = frozenset("k")
_LETTERS = {
    "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
    "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ı": "i",
}  # fmt: skip
_LETTER_OF = {cmd: ch for ch, cmd in _LETTERS.items()}
_LETTER_OF["j"] = "ȷ"
_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "varepsilon",
    "ϵ": "epsilon", "ζ": "zeta", "η": "eta", "θ": "theta", "ϑ": "vartheta",
    "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi",
    "π": "pi", "ϖ": "varpi", "ρ": "rho", "ϱ": "varrho", "σ": "sigma",
    "ς": "varsigma", "τ": "tau", "υ": "upsilon", "φ": "varphi", "ϕ": "phi",
    "χ": "chi", "ψ": "psi", "ω": "omega", "Γ": "Gamma", "Δ": "Delta",
    "Θ": "Theta", "Λ": "Lambda", "Ξ": "Xi", "Π": "Pi", "Σ": "Sigma",
    "Υ": "Upsilon", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
}  # fmt: skip
_GREEK_OF = {cmd: ch for ch, cmd in _GREEK.items()}
#: Greek capitals that look like Latin ones: math has no macro, ``\mathrm`` prints them
_GREEK_LATIN = {
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K",
    "Μ": "M", "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Χ": "X",
}  # fmt: skip
_GREEK_LATIN_OF = {latin: ch for ch, latin in _GREEK_LATIN.items()}

#: non-ASCII characters pdflatex prints with ``\usepackage[utf8]{inputenc}`` and its
#: default fonts (measured with TeX Live 2022: every character of U+00A0-U+024F,
#: U+1E00-U+1EFF, U+2000-U+206F and U+2100-U+21FF typeset one by one)
PDFLATEX_PRINTS = re.compile(
    "[\u00a0-\u00aa\u00ac\u00ae-\u00ba\u00bc-\u00cf\u00d1-\u00dd\u00df-\u00ef\u00f1-\u00fd"
    "\u00ff-\u0103\u0106-\u010f\u0112-\u0117\u011a-\u0125\u0128-\u012d\u0130-\u0137"
    "\u0139-\u013e\u0141-\u0148\u014c-\u0165\u0168-\u0171\u0174-\u017e\u0192\u01c4-\u01d4"
    "\u01e2-\u01e3\u01e6-\u01e9\u01f0\u01f4-\u01f5\u0218-\u021b\u0232-\u0233\u0237"
    "\u1e02-\u1e03\u1e0d\u1e1e-\u1e21\u1e25\u1e30-\u1e31\u1e37\u1e43\u1e45\u1e47\u1e5b"
    "\u1e63\u1e6d\u1e8e-\u1e91\u1e9e\u1ef2-\u1ef3\u2010-\u2016\u2018-\u2019\u201c-\u201d"
    "\u2020-\u2022\u2026\u2030-\u2031\u203b\u203d\u2044\u204e\u2052\u2103\u2116-\u2117"
    "\u211e\u2120\u2122\u2126-\u2127\u212e\u2190-\u2193]"
)

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
def _scanner(title: bool, ascii_only: bool, pdflatex: bool) -> re.Pattern[str]:
    """One character that :func:`escape` does not copy as it is, under these flags.

    Everything between two such characters is a run that passes through whole.
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
    return re.compile("[" + body + (r"\s" if title else "") + "]")


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
    if not title and _scanner(False, ascii_only, pdflatex).search(text) is None:
        return text
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
        if c == "$":
            end = text.find("$", pos)
            if end > 0 and _math_ok(text[pos:end]):
                tex = text[i : end + 1]
                pos = end + 1
                boundary = True
            else:
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


#: characters :func:`unescape` does not copy as they are
_UNESCAPE_SCAN = re.compile(r"[$\\{}~]")


def unescape(value: str) -> str:
    """Plain text from a field value written by :func:`escape` (one linear pass).

    Unknown commands are kept as written, so foreign files read as best they can.
    """
    scan = _UNESCAPE_SCAN.search
    m = scan(value)
    if m is None:
        return value
    chunks: list[str] = []
    out: list[str] = []
    pos, n = 0, len(value)
    while m is not None:
        i = m.start()
        if i > pos:
            out.append(value[pos:i])
        c = value[i]
        pos = i + 1
        if c == "$":
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
                else:
                    out.append(c)
        elif c == "{":
            if sm := _SOURCE_BRACED.match(value, i):
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


#: what :func:`to_unicode` looks at: math and commands
_TO_UNICODE_SCAN = re.compile(r"[$\\]")


def to_unicode(text: str) -> str:
    """Plain text with the kept source LaTeX (accents, escaped specials) as characters.

    ``Schr\\"odinger`` gives ``Schrödinger``; math and everything else stay as written.
    Used where LaTeX means nothing (CSL-JSON, RIS).
    """
    if "\\" not in text:
        return text
    scan = _TO_UNICODE_SCAN.search
    chunks: list[str] = []
    out: list[str] = []
    last = pos = 0  # last: the start of the text not copied yet
    while (m := scan(text, pos)) is not None:
        i = m.start()
        pos = i + 1
        if text[i] == "$":
            end = text.find("$", pos)
            if end > 0 and _math_ok(text[pos:end]):
                pos = end + 1
            continue
        sm = _SOURCE_RE.match(text, i)
        if sm is None:
            continue
        out.append(text[last:i])
        out.append(unescape(_source_as_accent(sm[0])))
        last = pos = sm.end()
        if len(out) > _CHUNK:
            chunks.append("".join(out))
            out.clear()
    out.append(text[last:])
    chunks.append("".join(out))
    return "".join(chunks)


def _source_as_accent(src: str) -> str:
    """``\\"o`` -> ``\\"{o}``; ``\\%`` -> ``\\%``: the spelling :func:`unescape` decodes."""
    if len(src) == 2:
        return src
    cmd, rest = src[1], src[2:]
    letter = rest.strip("{}")
    return "\\" + cmd + "{" + letter + "}"
