r"""The LaTeX codec as it was before it scanned runs: one token per character.

Kept unchanged as the reference the run-scanning codec in :mod:`digestconv.latex` must
match byte for byte (see ``tests/formats/test_latex_runs.py``).

It turns plain text into LaTeX field values and back:

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

import re
import unicodedata

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

# token kinds
_PLAIN, _SPACE, _MATH, _ESC = 0, 1, 2, 3


def _math_ok(body: str) -> bool:
    """Whether ``$body$`` can be written unchanged (linear in ``len(body)``).

    Braces must balance, never going negative, under three counts: TeX's (a brace
    after an odd run of backslashes is escaped), BibTeX's (every brace counts) and
    bibtexparser v2's (a brace right after a backslash does not count).
    """
    if not body:
        return False
    raw = tex = parser = 0
    run = 0  # length of the backslash run just before this character
    for c in body:
        if c == "\\":
            run += 1
            continue
        if c in "{}":
            step = 1 if c == "{" else -1
            raw += step
            if run % 2 == 0:
                tex += step
            if run == 0:
                parser += step
            if raw < 0 or tex < 0 or parser < 0:
                return False
        elif c in "%#&" and run % 2 == 0:
            return False
        run = 0
    return run % 2 == 0 and raw == 0 and tex == 0 and parser == 0


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


def _tokens(
    text: str, greek: bool, ascii_only: bool, pdflatex: bool = False
) -> list[tuple[int, str, str]]:
    """Split text into ``(kind, source, latex)`` tokens in one left-to-right pass."""
    out: list[tuple[int, str, str]] = []
    braces: list[int] = []  # indexes of unpaired "{" tokens
    paired: set[int] = set()
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "$":
            end = text.find("$", i + 1)
            if end > 0 and _math_ok(text[i + 1 : end]):
                out.append((_MATH, text[i : end + 1], text[i : end + 1]))
                i = end + 1
                continue
            out.append((_ESC, c, _LITERAL[c]))
        elif c == "\\":
            m = _SOURCE_RE.match(text, i)
            if m:
                out.append((_ESC, m[0], "{" + m[0] + "}"))
                i = m.end()
                continue
            out.append((_ESC, c, _LITERAL[c]))
        elif c in _LITERAL:
            out.append((_ESC, c, _LITERAL[c]))
        elif c == "{":
            braces.append(len(out))
            out.append((_ESC, c, ""))
        elif c == "}":
            if braces:
                paired.add(braces.pop())
                paired.add(len(out))
            out.append((_ESC, c, ""))
        elif c.isspace():
            if c == "\xa0" and ascii_only:
                out.append((_SPACE, c, "~"))
            else:
                out.append((_SPACE, c, c))
        elif (greek or ascii_only) and c in _GREEK:
            out.append((_ESC, c, "{$\\" + _GREEK[c] + "$}"))
        elif ascii_only and not c.isascii() and (acc := _accent(c)) is not None:
            out.append((_ESC, c, acc))
        elif (
            pdflatex
            and not c.isascii()
            and not PDFLATEX_PRINTS.match(c)
            and (macro := _pdflatex_macro(c)) is not None
        ):
            out.append((_ESC, c, macro))
        else:
            out.append((_PLAIN, c, c))
        i += 1
    for k, (kind, src, tex) in enumerate(out):
        if src in _BRACES and kind == _ESC and not tex:
            out[k] = (kind, src, _BRACES[src][0 if k in paired else 1])
    return out


def escape(text: str, title: bool = False, ascii_only: bool = False, pdflatex: bool = False) -> str:
    """LaTeX for plain ``text`` (see the module docstring); inverse of :func:`unescape`.

    ``title`` protects capitalised words with braces and spells Greek as math;
    ``ascii_only`` spells accented letters as commands; ``pdflatex`` spells what
    pdflatex cannot print as UTF-8 as macros where it can.
    """
    toks = _tokens(text, greek=title, ascii_only=ascii_only, pdflatex=pdflatex)
    if not title:
        return "".join(t[2] for t in toks)
    parts: list[str] = []
    word: list[str] = []
    upper = False

    def flush() -> None:
        nonlocal upper
        if word:
            body = "".join(word)
            parts.append("{" + body + "}" if upper else body)
            word.clear()
        upper = False

    for kind, src, tex in toks:
        if kind in (_SPACE, _MATH):
            flush()
            parts.append(tex)
        else:
            word.append(tex)
            if kind == _PLAIN and src.isupper():
                upper = True
    flush()
    return "".join(parts)


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


def unescape(value: str) -> str:
    """Plain text from a field value written by :func:`escape` (one linear pass).

    Unknown commands are kept as written, so foreign files read as best they can.
    """
    out: list[str] = []
    i, n = 0, len(value)
    while i < n:
        c = value[i]
        if c == "$":
            end = value.find("$", i + 1)
            if end < 0:
                out.append(value[i:])
                break
            out.append(value[i : end + 1])
            i = end + 1
        elif c == "\\":
            for esc, plain in _UNESCAPE:
                if value.startswith(esc, i):
                    out.append(plain)
                    i += len(esc)
                    break
            else:
                m = _ACCENT_CMD.match(value, i)
                if m:
                    out.append(unicodedata.normalize("NFC", m[2] + _MARK_OF[m[1]]))
                    i = m.end()
                    continue
                nested = _nested_accent(value, i)
                if nested is not None:
                    out.append(nested[0])
                    i = nested[1]
                    continue
                m = _LETTER_CMD.match(value, i)
                if m:
                    out.append(_LETTER_OF[m[1]])
                    i = m.end()
                    continue
                out.append(c)
                i += 1
        elif c == "{":
            m = _SOURCE_BRACED.match(value, i)
            if m:
                out.append(m[1])
                i = m.end()
                continue
            m = _GREEK_BRACED.match(value, i)
            if m and m[1] in _GREEK_OF:
                out.append(_GREEK_OF[m[1]])
                i = m.end()
                continue
            m = _GREEK_UPRIGHT.match(value, i)
            if m and m[1] in _GREEK_LATIN_OF:
                out.append(_GREEK_LATIN_OF[m[1]])
                i = m.end()
                continue
            i += 1  # a protecting brace
        elif c == "}":
            i += 1
        elif c == "~":
            out.append("\xa0")
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def to_unicode(text: str) -> str:
    """Plain text with the kept source LaTeX (accents, escaped specials) as characters.

    ``Schr\\"odinger`` gives ``Schrödinger``; math and everything else stay as written.
    Used where LaTeX means nothing (CSL-JSON, RIS).
    """
    if "\\" not in text:
        return text
    out: list[str] = []
    for kind, src, _tex in _tokens(text, greek=False, ascii_only=False):
        if kind == _ESC and len(src) > 1:
            out.append(unescape(_source_as_accent(src)))
        else:
            out.append(src)
    return "".join(out)


def _source_as_accent(src: str) -> str:
    """``\\"o`` -> ``\\"{o}``; ``\\%`` -> ``\\%``: the spelling :func:`unescape` decodes."""
    if len(src) == 2:
        return src
    cmd, rest = src[1], src[2:]
    letter = rest.strip("{}")
    return "\\" + cmd + "{" + letter + "}"
