r"""The LaTeX codec: plain text to LaTeX field values and back, shared by the formats.

:func:`escape` writes plain text as LaTeX that BibTeX, biber, pybtex, bibtexparser v2,
pandoc, pdflatex and LuaLaTeX all accept; :func:`unescape` is its inverse;
:func:`to_unicode` gives readable Unicode for formats where LaTeX means nothing (CSL-JSON,
RIS, feeds, OPML).  Text from any source reads the same: arXiv's API (which writes
``$ω$``), its bulk snapshot and ``.abs`` files (``$\omega$``, ``Petojevi\' c``) and the
digests.

* ``& % $ # _`` become ``\& \% \$ \# \_``; ``\ ~ ^`` become ``\textbackslash{}``,
  ``\textasciitilde{}``, ``\textasciicircum{}``; ``{ }`` become ``\{ \}`` when they
  pair up inside the field, else ``\textbraceleft{}``/``\textbraceright{}`` (BibTeX
  counts ``\{`` as a brace, so an unpaired one would break the file).
* Math is ``$...$``, ``$$...$$``, ``\(...\)`` and ``\[...\]``, kept when it is safe to
  keep: non-empty, no unescaped ``% # &``, not ending in a backslash, and its braces
  balanced however they are counted: by TeX (a brace after an odd run of backslashes
  is escaped), by BibTeX and pybtex (every brace counts) and by bibtexparser v2 (a
  brace right after a backslash does not count, so ``\\{`` is one backslash pair and
  an uncounted brace); ``$$``, ``\(`` and ``\[`` bodies hold no ``$`` and no second
  opener.  Unicode letters and symbols inside math are written as their macros
  (``$ω$`` is ``$\omega$``, ``ℝ`` is ``\mathbb{R}``, ``≤`` is ``\leq``; a macro before
  a letter gets a space, ``$ωt$`` is ``$\omega t$``, and arXiv's ``$\mathbfθ$`` is
  ``$\mathbf\theta$``), so every spelling gives the same TeX, which pdflatex and
  LuaLaTeX typeset; :func:`tex_math` is that rewriting alone.  Math is otherwise TeX
  as the authors wrote it: macros from packages (``\mathbb`` and ``\lesssim`` need
  ``amssymb``) need those packages when typeset.
* Dollars pair up in order or not at all: when one ``$`` opens no valid math (an odd
  number of dollars, as in a source that lost one, or a pair whose body is not math),
  every ``$`` of the text is a dollar sign (``\$``) and the would-be math is text, so
  prose is never typeset as math.  :func:`math_balanced` tells callers, which should
  warn: the fix is in the source.
* Text that is already LaTeX is never escaped twice, but only for a closed set of
  commands that are unambiguous and typeset everywhere: accents (``\"o``, ``\'{e}``,
  ``\c{c}``, and the forms TeX reads alike: ``\" o``, ``\' {e}``, ``\c c``, ``\'\i``,
  ``\'{\i}``), letters (``\ss``, ``\o``, ``\aa``, ...) and escaped specials (``\%``,
  ``\&``, ``\#``, ``\_``, ``\$``).  Those are kept as written inside a brace group
  (``Schr{\"o}dinger``, ``Petojevi{\' c}``), which is also what marks them as source
  LaTeX for the reader; a group that holds one alone (``{\"o}``) is kept as a group
  (``{{\"o}}``).  Every other command (``\emph{x}``) is text:
  ``\textbackslash{}emph\{x\}``.
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

Round trip: ``unescape(escape(t)) == tex_math(t)``, which is ``t`` itself unless its
math holds Unicode letters or symbols.

Every function is one left-to-right pass over its input, with no backtracking pattern:
runs of characters that need nothing are found by one compiled pattern and copied whole,
and output is joined in bounded pieces, so time and memory are linear in the text.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from array import array

_WS = r"[ \t\n]*+"
#: an accent's argument: a letter, or a dotless i or j
_ARG = r"(?:[A-Za-z]|\\[ij](?![A-Za-z]))"
#: accent commands, letter commands and escaped specials kept as source LaTeX (without
#: the braces), spaced as TeX allows: ``\"o``, ``\" o``, ``\'{e}``, ``\' {e}``, ``\'\i``,
#: ``\c{c}``, ``\c c``, ``\ss{}``, ``\o``, ``\%``
_SOURCE_TEX = (
    r"\\(?:"
    r"""['"`^~=.]""" + _WS + r"(?:" + _ARG + r"|\{" + _WS + _ARG + _WS + r"\})"
    r"|[cuvHk](?:" + _WS + r"\{" + _WS + _ARG + _WS + r"\}|[ \t\n]++[A-Za-z])"
    r"|[dbr]" + _WS + r"\{" + _WS + _ARG + _WS + r"\}"
    r"|(?:ss|ae|AE|oe|OE|aa|AA|[oOlLij])(?![A-Za-z])(?:\{\}|" + _WS + r")"
    r"|[%&#_$])"
)
_SOURCE_RE = re.compile(_SOURCE_TEX)
#: source LaTeX in a brace group: ``{\"o}``
_SOURCE_BRACED = re.compile(r"\{(" + _SOURCE_TEX + r")\}")
#: how :func:`escape` writes a braced source group, ``{{\"o}}``
_SOURCE_DOUBLE = re.compile(r"\{\{(" + _SOURCE_TEX + r")\}\}")
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
#: letters written as commands in source LaTeX (``\ss``, ``{\o}``, ``\aa``)
_LETTER_SOURCE = {cmd: ch for ch, cmd in _LETTERS.items()} | {
    "i": "ı", "j": "ȷ", "aa": "å", "AA": "Å",
}  # fmt: skip

#: TeX for the Unicode letters and symbols found in math (arXiv's API turns ``\omega``
#: into ``ω`` inside ``$...$``; pdflatex and LuaLaTeX without ``unicode-math`` typeset
#: neither).  ``\mathbb`` and the ``\lesssim`` family need ``amssymb``.
_MATH_SYMBOLS = (
    {ch: "\\" + name for ch, name in _GREEK.items()}
    | {ch: "\\mathrm{" + latin + "}" for ch, latin in _GREEK_LATIN.items()}
    | {
        "µ": r"\mu", "ο": "o", "ϐ": r"\beta", "ϰ": r"\varkappa",
        "∈": r"\in", "∉": r"\notin", "∋": r"\ni", "≤": r"\leq", "≥": r"\geq",
        "⩽": r"\leqslant", "⩾": r"\geqslant", "≠": r"\neq", "∞": r"\infty", "∑": r"\sum",
        "∏": r"\prod", "∐": r"\coprod", "∫": r"\int", "∬": r"\iint", "∮": r"\oint",
        "∂": r"\partial", "∇": r"\nabla", "→": r"\to", "←": r"\leftarrow",
        "↔": r"\leftrightarrow", "⇒": r"\Rightarrow", "⇐": r"\Leftarrow",
        "⇔": r"\Leftrightarrow", "↦": r"\mapsto", "⟶": r"\longrightarrow",
        "⟵": r"\longleftarrow", "⟹": r"\Longrightarrow", "⟸": r"\Longleftarrow",
        "⟺": r"\Longleftrightarrow", "↑": r"\uparrow", "↓": r"\downarrow",
        "⇑": r"\Uparrow", "⇓": r"\Downarrow", "↪": r"\hookrightarrow", "⇝": r"\leadsto",
        "×": r"\times", "·": r"\cdot", "⋅": r"\cdot", "∙": r"\bullet", "±": r"\pm",
        "∓": r"\mp", "∘": r"\circ", "÷": r"\div", "∗": r"\ast", "⋆": r"\star",
        "†": r"\dagger", "‡": r"\ddagger", "⊂": r"\subset", "⊆": r"\subseteq",
        "⊊": r"\subsetneq", "⊃": r"\supset", "⊇": r"\supseteq", "⊋": r"\supsetneq",
        "∪": r"\cup", "∩": r"\cap", "⋃": r"\bigcup", "⋂": r"\bigcap", "∖": r"\setminus",
        "∅": r"\emptyset", "⊕": r"\oplus", "⊖": r"\ominus", "⊗": r"\otimes",
        "⊙": r"\odot", "⨁": r"\bigoplus", "⨂": r"\bigotimes", "⊎": r"\uplus",
        "⊔": r"\sqcup", "⊓": r"\sqcap", "∀": r"\forall", "∃": r"\exists",
        "∄": r"\nexists", "¬": r"\neg", "∧": r"\wedge", "∨": r"\vee", "⊤": r"\top",
        "⊥": r"\perp", "⊢": r"\vdash", "⊨": r"\models", "≈": r"\approx", "≡": r"\equiv",
        "∼": r"\sim", "≃": r"\simeq", "≅": r"\cong", "≍": r"\asymp", "∝": r"\propto",
        "≪": r"\ll", "≫": r"\gg", "≲": r"\lesssim", "≳": r"\gtrsim", "≺": r"\prec",
        "≻": r"\succ", "⪯": r"\preceq", "⪰": r"\succeq", "≼": r"\preccurlyeq",
        "≽": r"\succcurlyeq", "≜": r"\triangleq", "≐": r"\doteq", "∥": r"\parallel",
        "∦": r"\nparallel", "∣": r"\mid", "∤": r"\nmid", "≀": r"\wr", "ℓ": r"\ell",
        "ℏ": r"\hbar", "℘": r"\wp", "ℜ": r"\Re", "ℑ": r"\Im", "ℵ": r"\aleph",
        "ℝ": r"\mathbb{R}", "ℕ": r"\mathbb{N}", "ℤ": r"\mathbb{Z}", "ℚ": r"\mathbb{Q}",
        "ℂ": r"\mathbb{C}", "ℙ": r"\mathbb{P}", "𝔼": r"\mathbb{E}",
        "\u2032": "'", "\u2033": "''", "\u2034": "'''", "\u2212": "-", "\u2236": ":",
        "…": r"\ldots", "⋯": r"\cdots", "⋮": r"\vdots", "⋱": r"\ddots",
        "⟨": r"\langle", "⟩": r"\rangle", "‖": r"\|", "⌊": r"\lfloor", "⌋": r"\rfloor",
        "⌈": r"\lceil", "⌉": r"\rceil", "√": r"\surd", "∠": r"\angle", "△": r"\triangle",
        "°": r"{}^{\circ}", "∆": r"\Delta", "ı": r"\imath", "ȷ": r"\jmath",
    }
)  # fmt: skip
#: the Unicode character of a math span that is one symbol (``$\alpha$``, ``$\sim$``)
_SYMBOL_OF = (
    {tex: ch for ch, tex in reversed(_MATH_SYMBOLS.items()) if tex.startswith("\\")}
    | {"\\" + name: ch for ch, name in _GREEK.items()}
    | {
        r"\le": "≤", r"\ge": "≥", r"\ne": "≠", r"\rightarrow": "→", r"\gets": "←",
        r"\lnot": "¬", r"\land": "∧", r"\lor": "∨", r"\dots": "…", r"\bot": "⊥",
        r"\Vert": "‖", r"\mathbb R": "ℝ", r"\mathbb N": "ℕ", r"\mathbb Z": "ℤ",
        r"\mathbb Q": "ℚ", r"\mathbb C": "ℂ", r"\mathbb E": "𝔼", r"\mathbb P": "ℙ",
        r"\cdot": "·", r"\circ": "∘", r"\Delta": "Δ", r"\mu": "μ",
        r"^\circ": "°", r"^{\circ}": "°", r"{}^{\circ}": "°",
    }
)  # fmt: skip

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
    return "$" not in text or _scan_spans(text, dollars=True) is not None


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
_TIE_AFTER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.,;:)]")


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
    * TeX's ligatures: ``--`` is an en dash and ``---`` an em dash, except before a
      word at the start of a word (``--enrich`` is an option); ````` ``x'' ````` is
      ``“x”``; a tie ``~`` after a letter or punctuation (``Fig.~1``) is a no-break
      space, and any other ``~`` (``1~10``, ``~5%``) is kept.
    """
    scan = _TEXT_SCAN.search
    if scan(text) is None:
        return text
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
    if span.startswith("$$"):
        body = span[2:-2]
    elif span.startswith("$"):
        body = span[1:-1]
    else:
        body = span[2:-2]
    body = body.strip()
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
