"""digestconv: validate Chinese arXiv digests and convert them to BibTeX, CSL-JSON, RIS,
RSS 2.0, Atom 1.0, OPML 2.0, canonical markdown, and references formatted in any CSL style
(text, markdown-refs, an html reading page).

The library API, imported lazily so that ``import digestconv`` stays cheap::

    import digestconv

    digest = digestconv.read(open("cs.LG.md", "rb").read(), "cs.LG.md")
    report = digestconv.validate(["seeds/"])
    digests = digestconv.parse(["seeds/"])
    result = digestconv.convert(["seeds/"], "bibtex")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._version import __version__

__all__ = [
    "Diagnostic",
    "Digest",
    "Paper",
    "Report",
    "Settings",
    "__version__",
    "check",
    "convert",
    "parse",
    "read",
    "render",
    "validate",
]

if TYPE_CHECKING:
    from .api import check, parse, validate
    from .conversion import Conversion
    from .layout import render
    from .model import Diagnostic, Digest, Paper, Report
    from .reader import read
    from .settings import Settings

_LAZY = {
    "check": "api",
    "parse": "api",
    "validate": "api",
    "read": "reader",
    "render": "layout",
    "Diagnostic": "model",
    "Digest": "model",
    "Paper": "model",
    "Report": "model",
    "Settings": "settings",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'digestconv' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"digestconv.{module}"), name)


def __dir__() -> list[str]:
    """The public names (``__all__``) and the module's dunders; nothing lazy is imported."""
    return sorted({*__all__, *(name for name in globals() if name.startswith("__"))})


def convert(paths: Any, format: str, **options: Any) -> Conversion:
    """Convert the digests under ``paths`` (one path or several) to the format ``format``.

    Options are those of :func:`digestconv.conversion.convert` (``settings``,
    ``strict``, ``title``, ``link``, ``ascii``, ``enrich``).  Returns a
    :class:`~digestconv.conversion.Conversion` with the output bytes and the
    diagnostics.  Without ``settings``, each file is governed by the configuration
    nearest to it, as on the command line (see :mod:`digestconv.api`).
    """
    from . import formats
    from .conversion import convert as run

    fmt = formats.find(format)
    if fmt is None:
        raise ValueError(f"unknown format {format!r}")
    from .api import as_paths, resolve

    paths = as_paths(paths)
    if options.get("inputs") is None:  # each file's own configuration, as the command finds it
        options["inputs"], options["settings"] = resolve(paths, options.get("settings"))
    return run(paths, fmt, **options)
