"""The format registry: formats are entry points in the ``digestconv.formats`` group.

Each entry point names a :class:`~digestconv.formats.base.Format` subclass.  A
third-party package adds a format with one entry point and no change here::

    [project.entry-points."digestconv.formats"]
    ris = "mypkg.ris:RIS"

Formats are imported only when looked up, so start-up stays cheap.
"""

from __future__ import annotations

from importlib.metadata import entry_points
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


def all_formats() -> list[Format]:
    """An instance of every registered format, by name."""
    return [cls() for _, cls in sorted(_all().items())]


def find(name: str | None = None, filename: str | None = None) -> Format | None:
    """Find a format by name or alias, or else by the suffix of ``filename``."""
    if name:
        key = name.lower()
        if key in _extra:
            return _extra[key]()
        # the common case, a format's own name, loads only that entry point
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
