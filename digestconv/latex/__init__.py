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

Both readers take TeX's tokens left to right: a backslash and the non-letter after it
are one token (a control symbol), so the second backslash of ``\\`` (a forced line
break, or a doubled backslash) never starts a command: ``\\textbf{x}`` is text, kept
as written, as are ``\\`` and the other commands the readers do not know.

Round trip: ``unescape(escape(t)) == tex_math(t)``, which is ``t`` itself unless its
math holds Unicode letters or symbols.

Every function is one left-to-right pass over its input, with no backtracking pattern:
runs of characters that need nothing are found by one compiled pattern and copied whole,
and output is joined in bounded pieces, so time and memory are linear in the text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .decode import to_unicode, unescape
    from .encode import escape
    from .mathspans import math_balanced, tex_math
    from .tables import PDFLATEX_PRINTS

__all__ = [
    "PDFLATEX_PRINTS",
    "escape",
    "math_balanced",
    "tex_math",
    "to_unicode",
    "unescape",
]

#: where each public name lives: a module is imported when its first name is asked for,
#: so a run that only checks math (``validate``) never loads the encoder's tables
_LAZY = {
    "PDFLATEX_PRINTS": "tables",
    "escape": "encode",
    "math_balanced": "mathspans",
    "tex_math": "mathspans",
    "to_unicode": "decode",
    "unescape": "decode",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'digestconv.latex' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
