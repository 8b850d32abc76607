"""The LaTeX codec's tables: specials, accents, letters, Greek, math symbols."""

from __future__ import annotations

import re

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
