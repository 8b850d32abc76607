r"""BibTeX: one ``@misc`` entry per paper, after arXiv's own export, readable back.

Entry layout (fields in this order, each written only when the paper has it)::

    @misc{arxiv2403.15711,
      title         = {{Attention} {Is} {All} {You} {Need}},
      key           = {arXiv:2403.15711},
      year          = {2024},
      month         = mar,
      eprint        = {2403.15711},
      archiveprefix = {arXiv},
      primaryclass  = {cs.LG},
      version       = {1},
      doi           = {10.48550/arXiv.2403.15711},
      url           = {https://arxiv.org/abs/2403.15711},
      abstract      = {...},
      usera         = {Chinese title},
      userb         = {Chinese one-line summary},
      userc         = {English one-line summary},
      userd         = {Chinese abstract},
      usere         = {announce type: new, cross, replace or replace-cross},
      userf         = {abstract-truncated, translation-truncated},
      verba         = {the paper's link exactly as the digest wrote it}
    }

* ``year`` and ``month`` come from the identifier (first submission), ``eprint`` is
  the identifier without version and ``version`` the announced version.
  ``archiveprefix``/``primaryclass`` are the names arXiv's export uses; biber maps
  them to biblatex's ``eprinttype``/``eprintclass``.
* Digests name no authors, and none is invented: entries have no ``author``.
  ``key`` (BibTeX's field for sorting and labelling entries without author, which
  biber ignores) holds ``arXiv:ID`` so BibTeX styles sort by identifier without
  warnings.
* The Chinese texts, the English one-line summary, the announce type and the
  truncation flags go to biblatex's ``usera``..``userf``, fields its data model
  accepts for every entry type and its standard styles never print (pdflatex
  cannot typeset CJK with the default fonts).  ``verba`` (a verbatim field of the
  same kind) holds the written link when it differs from the canonical ``url``
  ``https://arxiv.org/abs/ID``.
* A cut English abstract ends with the marker `` [...]`` and ``userf`` says
  ``abstract-truncated``; ``translation-truncated`` flags a cut Chinese abstract
  (which keeps its own marker, if any).

Citation keys: see :func:`digestconv.formats._common.citation_key`:
``arxiv`` + the identifier (``arxiv2403.15711``), old-style identifiers as
``arxiv.hep-th.9901001``; lower case ASCII letters, digits, ``.`` and ``-`` only,
so they are unique ignoring case and safe in BibTeX, biber, pandoc and CSL.

Text is plain text, escaped for LaTeX:

* ``& % $ # _`` become ``\& \% \$ \# \_``; ``\ ~ ^`` become ``\textbackslash{}``,
  ``\textasciitilde{}``, ``\textasciicircum{}``; ``{ }`` become ``\{ \}`` when they
  pair up inside the field, else ``\textbraceleft{}``/``\textbraceright{}`` (BibTeX
  counts ``\{`` as a brace, so an unpaired one would break the file).
* TeX math ``$...$`` is kept exactly when it is safe to keep: non-empty, braces
  balanced, no unescaped ``% # &``, not ending in a backslash.  Any other ``$`` is
  escaped.  Math is TeX as the authors wrote it: macros from packages (``\mathbb``
  needs ``amssymb``) need those packages when typeset.
* Text that is already LaTeX is never escaped twice, but only for a closed set of
  commands that are unambiguous and typeset everywhere: accents (``\"o``, ``\'{e}``,
  ``\c{c}``, ...) and escaped specials (``\%``, ``\&``, ``\#``, ``\_``, ``\$``).
  Those are kept as written inside a brace group (``Schr{\"o}dinger``), which is
  also what marks them as source LaTeX for the reader.  Every other command
  (``\emph{x}``) is text: ``\textbackslash{}emph\{x\}``.
* In titles every word with a capital letter is brace-protected (``{BERT}``,
  ``{Transformers}``) so styles that change case keep it.
* Greek letters in titles become ``{$\alpha$}`` (pdflatex cannot typeset them as
  text); elsewhere they stay UTF-8.
* UTF-8 is kept (CJK survives).  With ``Batch.ascii`` precomposed Latin letters are
  written as accent commands (``\'{e}``, ``\ss{}``), Greek letters as math and the
  no-break space as ``~``; characters with no LaTeX spelling (CJK, emoji, combining
  marks, symbols) stay UTF-8, since dropping or transliterating them would lose text.
  Other characters pdflatex cannot typeset with its default fonts (CJK or emoji in an
  English title) are kept as well: typeset such files with XeLaTeX or LuaLaTeX.

Normalisation before writing (what a round trip gives back): control characters
other than tab (see :func:`~digestconv.formats._common.strip_illegal`) are removed,
line breaks become spaces, empty strings are omitted (read back as ``None``).

Fields carried (write then read gives them back): ``arxiv_id``, ``version``,
``url``, ``title``, ``title_zh``, ``summary_zh``, ``summary_en``, ``abstract``,
``abstract_zh``, ``announce_type``, ``primary_category``, ``abstract_truncated``,
``translation_truncated``.  Not carried: ``ref``, ``line``, ``end_line``; a paper
without ``url`` reads back with the canonical one.
"""

from __future__ import annotations

import re
import unicodedata
from typing import ClassVar

from ..arxiv import version_from_text
from ..model import Paper
from ._common import abs_url, doi, issued, paper_keys, strip_illegal
from .base import Batch, Format, FormatError

#: accent commands and escaped specials kept as source LaTeX (without the braces)
_SOURCE_TEX = r"""\\(?:['"`^~=.](?:[A-Za-z]|\{[A-Za-z]\})|[cuvHkdbr]\{[A-Za-z]\}|[%&#_$])"""
_SOURCE_RE = re.compile(_SOURCE_TEX)
_SOURCE_BRACED = re.compile(r"\{(" + _SOURCE_TEX + r")\}")
_GREEK_BRACED = re.compile(r"\{\$\\([A-Za-z]+)\$\}")
_ACCENT_CMD = re.compile(r"""\\(['"`^~=.cuvHkdbr])\{([A-Za-z])\}""")
_LETTER_CMD = re.compile(r"\\(ss|ae|AE|oe|OE|o|O|l|L|i)\{\}")

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
_LETTERS = {
    "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
    "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ı": "i",
}  # fmt: skip
_LETTER_OF = {cmd: ch for ch, cmd in _LETTERS.items()}
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
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

#: marker appended to an English abstract the producer cut
TRUNCATION_MARKER = " [...]"
FLAG_ABSTRACT = "abstract-truncated"
FLAG_TRANSLATION = "translation-truncated"

# token kinds
_PLAIN, _SPACE, _MATH, _ESC = 0, 1, 2, 3


def normalise(text: str | None) -> str | None:
    """What a text field becomes in every writer: controls removed, line breaks as spaces.

    ``None`` for ``None`` and for text that ends up empty.
    """
    if text is None:
        return None
    text = strip_illegal(text).replace("\n", " ")
    return text or None


def _math_ok(body: str) -> bool:
    """Whether ``$body$`` can be written unchanged (linear in ``len(body)``)."""
    if not body:
        return False
    raw = tex = 0
    i, n = 0, len(body)
    while i < n:
        c = body[i]
        if c == "\\":
            if i + 1 >= n:
                return False  # a trailing backslash would escape the closing $
            nxt = body[i + 1]
            if nxt in "{}":
                raw += 1 if nxt == "{" else -1
                if raw < 0:
                    return False
            i += 2
            continue
        if c in "%#&":
            return False
        if c == "{":
            raw += 1
            tex += 1
        elif c == "}":
            raw -= 1
            tex -= 1
            if raw < 0 or tex < 0:
                return False
        i += 1
    return raw == 0 and tex == 0


def _accent(ch: str) -> str | None:
    """The LaTeX accent spelling of a precomposed Latin letter, if it has one."""
    if ch in _LETTERS:
        return "\\" + _LETTERS[ch] + "{}"
    nfd = unicodedata.normalize("NFD", ch)
    if len(nfd) == 2 and nfd[0].isascii() and nfd[0].isalpha() and nfd[1] in _MARKS:
        return "\\" + _MARKS[nfd[1]] + "{" + nfd[0] + "}"
    return None


def _tokens(text: str, greek: bool, ascii_only: bool) -> list[tuple[int, str, str]]:
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
        else:
            out.append((_PLAIN, c, c))
        i += 1
    for k, (kind, src, tex) in enumerate(out):
        if src in _BRACES and kind == _ESC and not tex:
            out[k] = (kind, src, _BRACES[src][0 if k in paired else 1])
    return out


def escape(text: str, title: bool = False, ascii_only: bool = False) -> str:
    """LaTeX for plain ``text`` (see the module docstring); inverse of :func:`unescape`.

    ``title`` protects capitalised words with braces and spells Greek as math.
    """
    toks = _tokens(text, greek=title, ascii_only=ascii_only)
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
    Used where LaTeX means nothing (CSL-JSON).
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


def _flags(paper: Paper) -> str | None:
    flags = [
        name
        for name, on in (
            (FLAG_ABSTRACT, paper.abstract_truncated),
            (FLAG_TRANSLATION, paper.translation_truncated),
        )
        if on
    ]
    return ", ".join(flags) or None


def _verbatim_ok(text: str) -> bool:
    """Whether a verbatim field can hold ``text`` (no braces, backslashes or spaces)."""
    return not any(c in "{}\\" or c.isspace() for c in text)


class BibTeX(Format):
    """BibTeX ``@misc`` entries after arXiv's export; readable back with bibtexparser."""

    name: ClassVar[str] = "bibtex"
    suffixes: ClassVar[tuple[str, ...]] = (".bib", ".bibtex")
    aliases: ClassVar[tuple[str, ...]] = ("bib", "biblatex")
    media_type: ClassVar[str] = "application/x-bibtex"
    description: ClassVar[str] = "BibTeX/biblatex @misc entries (arXiv eprint, DOI, URL)"

    def write(self, batch: Batch) -> str:
        """One ``@misc`` entry per paper, in batch order, separated by blank lines."""
        keys = paper_keys(batch.papers)
        entries = [
            self._entry(paper, key, batch.ascii)
            for paper, key in zip(batch.papers, keys, strict=True)
        ]
        return "\n".join(entries)

    def _entry(self, paper: Paper, key: str, ascii_only: bool) -> str:
        fields: list[tuple[str, str]] = []

        def text(name: str, value: str | None, title: bool = False) -> None:
            value = normalise(value)
            if value is not None:
                fields.append((name, "{" + escape(value, title, ascii_only) + "}"))

        def raw(name: str, value: str | None) -> None:
            value = normalise(value)
            if value is not None and _verbatim_ok(value):
                fields.append((name, "{" + value + "}"))

        text("title", paper.title, title=True)
        arxiv_id = normalise(paper.arxiv_id)
        if arxiv_id and _verbatim_ok(arxiv_id):
            fields.append(("key", "{arXiv:" + escape(arxiv_id) + "}"))
        date = issued(paper)
        if date:
            fields.append(("year", f"{{{date[0]}}}"))
            fields.append(("month", _MONTHS[date[1] - 1]))
        if arxiv_id:
            text("eprint", arxiv_id)
            fields.append(("archiveprefix", "{arXiv}"))
        text("primaryclass", paper.primary_category)
        if paper.version is not None:
            fields.append(("version", f"{{{paper.version}}}"))
        raw("doi", doi(paper))
        url = abs_url(paper)
        raw("url", url)
        abstract = normalise(paper.abstract)
        if abstract is not None and paper.abstract_truncated:
            abstract += TRUNCATION_MARKER
        text("abstract", abstract)
        text("usera", paper.title_zh)
        text("userb", paper.summary_zh)
        text("userc", paper.summary_en)
        text("userd", paper.abstract_zh)
        text("usere", paper.announce_type)
        text("userf", _flags(paper))
        written = normalise(paper.url)
        if written is not None and written != url:
            raw("verba", written)
        width = max(len(name) for name, _ in fields) if fields else 0
        body = ",\n".join(f"  {name.ljust(width)} = {value}" for name, value in fields)
        return f"@misc{{{key},\n{body}\n}}\n"

    def read(self, text: str) -> list[Paper]:
        """Papers from BibTeX entries (inverse of :meth:`write`).

        Raises :class:`FormatError` when bibtexparser cannot parse a block.
        """
        import bibtexparser

        library = bibtexparser.parse_string(text)
        if library.failed_blocks:
            block = library.failed_blocks[0]
            line = getattr(block, "start_line", 0) + 1
            raise FormatError(f"BibTeX syntax error in the block starting on line {line}")
        return [self._paper({f.key.lower(): f.value for f in e.fields}) for e in library.entries]

    @staticmethod
    def _paper(f: dict[str, object]) -> Paper:
        def get(name: str) -> str | None:
            value = f.get(name)
            if value is None:
                return None
            value = str(value)
            return value or None

        def txt(name: str) -> str | None:
            value = get(name)
            return unescape(value) or None if value is not None else None

        flags = {x.strip() for x in (get("userf") or "").split(",")}
        abstract = txt("abstract")
        truncated = FLAG_ABSTRACT in flags
        if abstract is not None and truncated and abstract.endswith(TRUNCATION_MARKER):
            abstract = abstract[: -len(TRUNCATION_MARKER)] or None
        number = version_from_text(get("version"))
        return Paper(
            arxiv_id=txt("eprint"),
            version=number,
            url=get("verba") or get("url"),
            title=txt("title"),
            title_zh=txt("usera"),
            summary_zh=txt("userb"),
            summary_en=txt("userc"),
            abstract=abstract,
            abstract_zh=txt("userd"),
            announce_type=txt("usere"),
            primary_category=txt("primaryclass"),
            abstract_truncated=truncated,
            translation_truncated=FLAG_TRANSLATION in flags,
        )
