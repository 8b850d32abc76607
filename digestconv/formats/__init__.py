"""The format registry: formats are entry points in the ``digestconv.formats`` group.

Each entry point names a :class:`~digestconv.formats.base.Format` subclass.  A
third-party package adds a format with one entry point and no change here::

    [project.entry-points."digestconv.formats"]
    ris = "mypkg.ris:RIS"

Formats are imported only when looked up, so start-up stays cheap: a format
this package carries is found by name without reading any package's metadata
(:data:`BUILTIN`, the same entry points); any other name, an alias, a suffix or
the whole list reads the entry points of every installed package.
"""

from __future__ import annotations

from pathlib import PurePath

from .base import Batch, EntryStream, Format, FormatError, Papers, Source, has_authors

__all__ = [
    "Batch",
    "EntryStream",
    "Format",
    "FormatError",
    "Papers",
    "Source",
    "all_formats",
    "find",
    "has_authors",
    "register",
]

GROUP = "digestconv.formats"
#: this package's own entry points in :data:`GROUP` (pyproject.toml declares the same)
BUILTIN = {
    "bibtex": "digestconv.formats.bibtex:BibTeX",
    "csl-json": "digestconv.formats.csljson:CslJson",
    "rss": "digestconv.formats.rss:Rss",
    "atom": "digestconv.formats.atom:Atom",
    "opml": "digestconv.formats.opml:Opml",
    "markdown": "digestconv.formats.markdown:Markdown",
    "ris": "digestconv.formats.ris:Ris",
    "text": "digestconv.formats.text:Text",
    "markdown-refs": "digestconv.formats.text:MarkdownRefs",
    "html": "digestconv.formats.html:Html",
}
_extra: dict[str, type[Format]] = {}
_loaded: dict[str, type[Format]] | None = None
#: entry points that failed to load: name -> reason (shown by ``digestconv formats``)
broken: dict[str, str] = {}


def register(cls: type[Format]) -> type[Format]:
    """Register a format class at runtime (what an entry point does at install time)."""
    global _loaded
    _extra[cls.name] = cls
    _loaded = None
    return cls


def _all() -> dict[str, type[Format]]:
    global _loaded
    if _loaded is None:
        from importlib.metadata import entry_points

        found: dict[str, type[Format]] = {}
        for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
            try:
                cls = ep.load()
            except Exception as exc:
                broken[ep.name] = f"{type(exc).__name__}: {exc}"
                continue
            if not (isinstance(cls, type) and issubclass(cls, Format)):
                broken[ep.name] = f"{ep.value} is not a Format subclass"
                continue
            found[cls.name or ep.name] = cls
        found.update(_extra)
        _loaded = found
    return _loaded


def _builtin(name: str) -> type[Format] | None:
    """The class of this package's format ``name``; ``None`` for any other name (or a
    built-in that does not load: the entry points then say why)."""
    target = BUILTIN.get(name)
    if target is None:
        return None
    module, _, attribute = target.partition(":")
    try:
        # as an import statement imports (python -X importtime lists it, import_module not)
        cls = getattr(__import__(module, fromlist=(attribute,)), attribute)
    except Exception:
        return None
    return cls if isinstance(cls, type) and issubclass(cls, Format) else None


def all_formats() -> list[Format]:
    """An instance of every registered format, by name."""
    return [cls() for _, cls in sorted(_all().items())]


def find(name: str | None = None, filename: str | None = None) -> Format | None:
    """Find a format by name or alias, or else by the suffix of ``filename``."""
    if name:
        key = name.lower()
        if key in _extra:
            return _extra[key]()
        builtin = _builtin(key)
        if builtin is not None:
            return builtin()
        from importlib.metadata import entry_points

        # a format's own name loads only that entry point
        for ep in entry_points(group=GROUP, name=key):
            try:
                cls = ep.load()
            except Exception:
                break
            if isinstance(cls, type) and issubclass(cls, Format):
                return cls()
    formats = _all()
    if name:
        for cls in formats.values():
            if key == cls.name or key in cls.aliases:
                return cls()
        return None
    if filename:
        # the longest matching suffix wins: "refs.md" before ".md"
        suffixes = "".join(PurePath(filename).suffixes).lower()
        best: tuple[int, type[Format]] | None = None
        for cls in formats.values():
            for s in cls.suffixes:
                if suffixes.endswith(s) and (best is None or len(s) > best[0]):
                    best = (len(s), cls)
        if best is not None:
            return best[1]()
    return None
