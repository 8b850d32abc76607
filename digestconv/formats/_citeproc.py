"""Rendering CSL items as bibliography entries with citeproc-py.

Items are the CSL-JSON items of :func:`digestconv.formats.csljson.item`, adapted
for the engine by :func:`engine_item` the way citeproc-js (Zotero's engine) reads
them, so that both engines print the same reference:

* name particles are split off as citeproc-js and Zotero do (``given`` "Willem-Jan van
  den" gives the dropping particle "van den"; ``family`` "van der Schaar" the
  non-dropping particle "van der"); citeproc-py reads no particle from a name;
* "arXiv" in ``publisher`` and ``number`` is marked ``nocase``, so that no style
  capitalises it to "ArXiv";
* an apostrophe after a letter becomes ``’``, as citeproc-js prints it.

and gaps of citeproc-py are filled when rendering: the first field of a style with
``second-field-align`` is followed by a space (citeproc-js's text output); a comma or
period after a closing quote moves inside it when the locale asks for
``punctuation-in-quote``; sort keys compare letters and digits first, ignoring accents
and case, as citeproc-js's collation does; entries of the same authors and year get
year suffixes; and :func:`digestconv.formats._enginefix.patch_engine` fixes the
engine's ``cs:substitute`` and ``initialize="false"``.  An item whose ``status`` the
style does not print (a withdrawn paper in GB/T 7714) gets its status mark after the
entry (:func:`status_mark`).  citeproc-py passes item text
through unescaped, so HTML and Markdown entries are rendered with formatting marks
and escaped whole (:func:`_finish`).

A style whose bibliography has a ``cs:sort`` is rendered in two passes: the first
computes each entry's sort keys and spills its item to a temporary file, keeping
only the keys and file offsets in memory; the second renders in sorted order.
Other styles render each entry as it comes (nothing is held).
"""

from __future__ import annotations

import json
import re
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator
from functools import cmp_to_key
from typing import Any

from ._enginefix import YEAR_SUFFIX, patch_engine
from ._styles import CSL_NS, StyleError, _engine, choose_locale, find_style

OUTPUTS = ("text", "html", "markdown")

__all__ = ["Renderer", "engine_item", "markdown_escape", "status_mark"]


# -------------------------------------------------------------------- item adaptation

_APOSTROPHE = re.compile(r"(?<=\w)'")
_NOCASE = '<span class="nocase">arXiv</span>'


def _lower_initial(word: str) -> bool:
    """Whether a name word starts (after apostrophes and hyphens) with a lower-case letter."""
    for ch in word:
        if ch in "-'\u02bb\u2019":
            continue
        return ch.upper() != ch
    return False


def _split_given(given: str) -> tuple[str, str | None]:
    """``(given, dropping particle)``: trailing lower-case words of ``given``, as
    citeproc-js reads them (at least one word stays)."""
    words = given.split(" ")
    cut = len(words)
    while cut > 1 and words[cut - 1] and _lower_initial(words[cut - 1]):
        cut -= 1
    if cut == len(words):
        return given, None
    return " ".join(words[:cut]).strip(), " ".join(words[cut:]).strip() or None


def _split_family(family: str) -> tuple[str | None, str]:
    """``(non-dropping particle, family)``: leading lower-case words of ``family`` that
    end in a space, hyphen or apostrophe, as citeproc-js reads them."""
    at = 0
    n = len(family)
    while at < n:
        stop = at
        while stop < n and family[stop] not in " -'\u02bb\u2019":
            stop += 1
        if stop >= n:
            break
        end = stop + 1
        while end < n and family[end] == " ":
            end += 1
        if end >= n or not _lower_initial(family[at:end]):
            break
        at = end
    if at == 0:
        return None, family
    return family[:at].strip() or None, family[at:]


def _name(name: dict[str, str]) -> dict[str, str]:
    if "literal" in name or "family" not in name or "given" not in name:
        return name
    if any(k in name for k in ("dropping-particle", "non-dropping-particle")):
        return name
    out = dict(name)
    given, dropping = _split_given(name["given"])
    particle, family = _split_family(name["family"])
    if dropping:
        out["given"], out["dropping-particle"] = given, dropping
    if particle and family:
        out["family"], out["non-dropping-particle"] = family, particle
    return out


def _unmarked(value: Any) -> Any:
    """``value`` without the formatting marks of the renderer (noncharacters)."""
    if isinstance(value, str):
        return value.translate(_MARKS) if _OPEN in value or _CLOSE in value else value
    if isinstance(value, list):
        return [_unmarked(v) for v in value]
    if isinstance(value, dict):
        return {k: _unmarked(v) for k, v in value.items()}
    return value


def engine_item(item: dict[str, Any]) -> dict[str, Any]:
    """A CSL-JSON item as the engine should read it (see the module docstring)."""
    out = {k: _unmarked(v) for k, v in item.items() if k != "custom"}
    for name in ("title",):
        if isinstance(out.get(name), str) and "'" in out[name]:
            out[name] = _APOSTROPHE.sub("\u2019", out[name])
    for name in ("publisher", "number"):
        value = out.get(name)
        if isinstance(value, str) and "arXiv" in value and "<" not in value:
            out[name] = value.replace("arXiv", _NOCASE)
    if isinstance(out.get("author"), list):
        out["author"] = [_name(n) for n in out["author"]]
    return out


#: marks around the formatting the engine asks for (noncharacters: never in real text,
#: and removed from the items), turned into tags after the whole entry is escaped
_OPEN, _CLOSE = "\ufdd0", "\ufdd1"
_MARKS = str.maketrans("", "", _OPEN + _CLOSE)
_MARKDOWN_SPECIALS = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|~!&"})
_TAGS: dict[str, dict[str, str]] = {
    "html": {
        "i": "<i>",
        "/i": "</i>",
        "b": "<b>",
        "/b": "</b>",
        "u": "<u>",
        "/u": "</u>",
        "sup": "<sup>",
        "/sup": "</sup>",
        "sub": "<sub>",
        "/sub": "</sub>",
        "sc": '<span style="font-variant:small-caps">',
        "/sc": "</span>",
    },
    "markdown": {
        "i": "*",
        "/i": "*",
        "b": "**",
        "/b": "**",
        "u": "",
        "/u": "",
        "sup": "<sup>",
        "/sup": "</sup>",
        "sub": "<sub>",
        "/sub": "</sub>",
        "sc": "",
        "/sc": "",
    },
}


def markdown_escape(text: str) -> str:
    """``text`` with every character Markdown could read as markup backslash-escaped."""
    return text.translate(_MARKDOWN_SPECIALS)


def _marking_formatter() -> Any:
    """A citeproc-py formatter that leaves text alone and marks formatting.

    citeproc-py passes item text through unescaped (its HTML formatter escapes only
    the style's own terms), so entries are rendered with marks and escaped whole by
    :func:`_finish`, which turns the marks into HTML tags or Markdown emphasis.
    """
    from types import SimpleNamespace

    def mark(tag: str) -> Callable[[Any], str]:
        return lambda text: f"{_OPEN}{tag}{_CLOSE}{text}{_OPEN}/{tag}{_CLOSE}"

    return SimpleNamespace(
        preformat=str,
        Italic=mark("i"),
        Oblique=mark("i"),
        Bold=mark("b"),
        Light=str,
        Underline=mark("u"),
        Superscript=mark("sup"),
        Subscript=mark("sub"),
        SmallCaps=mark("sc"),
    )


def _finish(text: str, output: str) -> str:
    """A rendered entry as ``output``: text escaped, formatting marks turned into tags."""
    if output == "text":
        return text.translate(_MARKS)
    escape = markdown_escape if output == "markdown" else _html_escape
    tags = _TAGS[output]
    pieces = text.split(_OPEN)
    out = [escape(pieces[0])]
    for piece in pieces[1:]:
        tag, _, rest = piece.partition(_CLOSE)
        rest = escape(rest)
        tag_text = tags.get(tag, "")
        if output == "markdown" and tag_text:
            # emphasis must hug its text: spaces go outside the marks
            if tag.startswith("/"):
                before = out[-1] if out else ""
                stripped = before.rstrip()
                out[-1] = stripped
                rest = before[len(stripped) :] + rest
            else:
                stripped = rest.lstrip()
                out.append(rest[: len(rest) - len(stripped)])
                rest = stripped
        out.append(tag_text)
        out.append(rest)
    return "".join(out)


def _html_escape(text: str) -> str:
    from html import escape

    return escape(text, quote=False)


def status_mark(item: dict[str, Any]) -> str | None:
    """What follows the entry of an item with a ``status`` when the style prints none.

    The CSL-JSON writer gives a withdrawn paper ``status`` ``withdrawn`` and the mark
    as the first line of ``note`` (``Withdrawn: arXiv v2 is a withdrawal notice``):
    that line, else the status itself, as a sentence.  ``None`` without a status.
    """
    status = item.get("status")
    if not isinstance(status, str) or not status.strip():
        return None
    note = item.get("note")
    first = note.split("\n", 1)[0].strip() if isinstance(note, str) else ""
    mark = first if status.strip().lower() in first.lower() else status.strip()
    mark = _unmarked(mark)
    return mark if mark.endswith((".", "!", "?")) else mark + "."


def collation_key(text: str) -> list[Any]:
    """A sort key close to citeproc-js's locale collation: letters and digits (symbols
    before them, punctuation ignored), accents and case ignored first, then the text as
    written breaks ties.

    Numbers (as whole strings of digits) compare as numbers.
    """
    import unicodedata

    if text.isdigit():
        return [0, int(text)]
    folded = unicodedata.normalize("NFKD", text)
    base = []
    for ch in folded:
        if ch.isalnum() or ch == " ":
            base.append(ch)
        elif unicodedata.category(ch)[0] == "S":
            base.append("\x01")  # symbols ("$") sort before letters; punctuation is ignored
    return [1, " ".join("".join(base).casefold().split()), text.casefold(), text]


def _compare(left: list[Any], right: list[Any], descending: list[bool]) -> int:
    """Compare two entries' sort keys (``cs:sort``): missing keys last."""
    for a, b, desc in zip(left, right, descending, strict=True):
        if a is not None and b is not None:
            result = (a > b) - (a < b)
            if result:
                return -result if desc else result
        elif a is not None:
            return -1
        elif b is not None:
            return 1
    return 0


def _punctuation_in_quote(text: str, close: str) -> str:
    """Move a comma or period after ``close`` inside it, but drop a period after
    ``.?!`` (as citeproc-js does for locales with ``punctuation-in-quote``)."""
    out: list[str] = []
    at = 0
    while True:
        found = text.find(close, at)
        if found < 0:
            out.append(text[at:])
            return "".join(out)
        after = found + len(close)
        mark = text[after : after + 1]
        if mark in (",", ".") and mark:
            inner = text[at:found]
            ends = inner[-1:] if inner else (out[-1][-1:] if out else "")
            out.append(inner if mark == "." and ends in (".", "?", "!") else inner + mark)
            out.append(close)
            at = after + 1
        else:
            out.append(text[at:after])
            at = after


def _year_suffixes(same: list[str | None]) -> list[str]:
    """The year suffix of each entry, in bibliography order: "a", "b"... "z", "aa"...
    for entries that share authors and year, "" for the others."""
    counts: dict[str, int] = {}
    for key in same:
        if key is not None:
            counts[key] = counts.get(key, 0) + 1
    seen: dict[str, int] = {}
    out = []
    for key in same:
        if key is None or counts[key] < 2:
            out.append("")
            continue
        n = seen.get(key, 0)
        seen[key] = n + 1
        letters = ""
        n += 1
        while n:
            n, rest = divmod(n - 1, 26)
            letters = chr(ord("a") + rest) + letters
        out.append(letters)
    return out


class Renderer:
    """Renders CSL items as bibliography entries in one style, locale and output.

    ``output`` is ``text`` (plain), ``html`` (escaped, with ``<i>``/``<b>``) or
    ``markdown``.  Raises :class:`StyleError` for a missing engine, an unknown style
    or locale, or a style without bibliography.
    """

    def __init__(
        self, style: str | None = None, locale: str | None = None, output: str = "text"
    ) -> None:
        if output not in OUTPUTS:
            raise ValueError(f"output must be one of {', '.join(OUTPUTS)}")
        _engine()
        self.info = find_style(style)
        self.locale = choose_locale(self.info, locale)
        patch_engine()
        from citeproc import CitationStylesBibliography, CitationStylesStyle, formatter
        from citeproc.source import BibliographySource, CitationItem

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._style = CitationStylesStyle(
                    self.info.path, locale=self.locale, validate=False
                )
        except Exception as exc:  # a broken style file: lxml or citeproc-py errors
            raise StyleError(f"cannot load style '{self.info.name}': {exc}") from None
        if not self._style.has_bibliography():
            raise StyleError(f"style '{self.info.name}' has no bibliography")
        self._output = output
        self._formatter = formatter.plain if output == "text" else _marking_formatter()
        self._source = BibliographySource()
        self._bibliography = CitationStylesBibliography(self._style, self._source, self._formatter)
        bibliography = self._style.root.bibliography
        self._layout = bibliography.layout
        ns = {"cs": CSL_NS}
        sort = bibliography.find("cs:sort", ns)
        self._keys = [] if sort is None else sort.findall("cs:key", ns)
        self._descending = [k.get("sort", "ascending") == "descending" for k in self._keys]
        #: whether entries come out in another order than they go in
        self.sorts = bool(self._keys)
        self._margin = bibliography.get("second-field-align") is not None
        citation = self._style.root.find("cs:citation", ns)
        #: whether entries of the same authors and year get "a", "b"... after the year
        self.year_suffixes = (
            citation is not None
            and citation.get("disambiguate-add-year-suffix", "false").lower() == "true"
        )
        piq = self._layout.get_locale_option("punctuation-in-quote")
        self._close_quote = (
            str(self._layout.get_single_term("close-quote")) if str(piq).lower() == "true" else ""
        )

        class Cite(CitationItem):  # type: ignore[misc, valid-type]
            """A cite whose number is given, not looked up (O(n) per entry in citeproc-py)."""

            def __init__(self, key: str, number: int) -> None:
                super().__init__(key)
                self._number = number

            @property
            def number(self) -> int:
                return self._number

        self._cite_class = Cite

    @property
    def title(self) -> str:
        """The style's title."""
        return self.info.title

    def _cite(self, item: dict[str, Any], number: int) -> Any:
        from citeproc import Citation
        from citeproc.source.json import CiteProcJSON

        prepared = engine_item(item)
        self._source.clear()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self._source.update(CiteProcJSON([prepared]))
        cite = self._cite_class(str(prepared["id"]), number)
        Citation([cite]).bibliography = self._bibliography
        return cite

    def render(self, item: dict[str, Any], number: int = 1, year_suffix: str = "") -> str:
        """One entry: ``item`` (a CSL-JSON item) as entry ``number`` of the bibliography,
        with ``year_suffix`` after its first year.

        An item with a ``status`` the style does not print (GB/T 7714 prints none) gets
        its status mark after the entry (:func:`status_mark`), so no style cites a
        withdrawn paper as if it were not.
        """
        text = self._entry(item, number, year_suffix)
        mark = status_mark(item)
        if mark is not None:
            unmarked = {k: v for k, v in item.items() if k != "status"}
            if text == self._entry(unmarked, number, year_suffix):
                text = f"{text.rstrip()} {mark}" if text.strip() else mark
        return _finish(text, self._output)

    def _entry(self, item: dict[str, Any], number: int, year_suffix: str) -> str:
        """One entry as the engine renders it, with formatting marks (before escaping)."""
        cite = self._cite(item, number)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            YEAR_SUFFIX[:] = [year_suffix] if year_suffix else []
            try:
                entries = self._layout.render_bibliography([cite])
            finally:
                YEAR_SUFFIX.clear()
            text = str(entries[0]) if entries else ""
            if self._margin and text:
                text = self._split_margin(cite, text)
        if self._close_quote and text:
            text = _punctuation_in_quote(text, self._close_quote)
        return text

    def _split_margin(self, cite: Any, text: str) -> str:
        """``text`` with a space after its first field (``second-field-align``)."""
        from citeproc.model import VariableError

        children = [c for c in self._layout.iterchildren() if isinstance(c.tag, str)]
        if not children:
            return text
        self._layout.repressed = {}
        try:
            first = children[0].render(cite)
        except VariableError:
            return text
        first = self._layout.get("prefix", "") + str(first) if first is not None else ""
        if first and text.startswith(first) and not text[len(first) :].startswith(" "):
            return f"{first} {text[len(first) :]}"
        return text

    def sort_key(self, item: dict[str, Any], number: int) -> list[Any]:
        """The values of the style's ``cs:sort`` keys for ``item`` (entry ``number``)."""
        cite = self._cite(item, number)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            keys = [key.sort_keys([cite], self._layout)[0] for key in self._keys]
        return [None if k is None or str(k) == "" else collation_key(str(k)) for k in keys]

    def bibliography(
        self, entries: Iterable[tuple[dict[str, Any], Any]]
    ) -> Iterator[tuple[str, Any]]:
        """``(entry, payload)`` for each ``(item, payload)``, in the style's order.

        Without ``cs:sort`` entries are rendered one by one as they come.  With it,
        items and payloads (JSON-serialisable) are spilled to a temporary file and
        only their sort keys and offsets are held until all are read.
        """
        if not self.sorts:
            for number, (item, payload) in enumerate(entries, 1):
                yield self.render(item, number), payload
            return
        with tempfile.TemporaryFile() as spill:
            index: list[tuple[list[Any], int, int, str | None]] = []
            offset = 0
            for number, (item, payload) in enumerate(entries, 1):
                data = json.dumps([item, payload], ensure_ascii=False).encode("utf-8")
                spill.write(data)
                key = self.sort_key(item, number)
                index.append((key, offset, len(data), self._same_as(key, item)))
                offset += len(data)
            descending = self._descending
            index.sort(key=cmp_to_key(lambda a, b: _compare(a[0], b[0], descending)))
            suffixes = _year_suffixes([entry[3] for entry in index])
            for number, ((_key, start, size, _same), suffix) in enumerate(
                zip(index, suffixes, strict=True), 1
            ):
                spill.seek(start)
                item, payload = json.loads(spill.read(size).decode("utf-8"))
                yield self.render(item, number, suffix), payload

    def _same_as(self, key: list[Any], item: dict[str, Any]) -> str | None:
        """What makes two entries ambiguous: the first sort key (the authors, or what
        stands for them) and the year; ``None`` without year suffixes or year."""
        if not self.year_suffixes:
            return None
        try:
            year = item["issued"]["date-parts"][0][0]
        except (KeyError, IndexError, TypeError):
            return None
        return json.dumps([key[0] if key else None, year], ensure_ascii=False)
