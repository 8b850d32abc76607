"""Data files shipped with the package (see PROVENANCE.md beside them)."""

from __future__ import annotations

import os


def read_text(name: str) -> str:
    """The UTF-8 text of data file ``name``.

    Read straight from the package folder (``importlib.resources`` costs a few
    milliseconds of start-up, paid on every run); through ``importlib.resources``
    only when the package is not a folder on disk (a zip).
    """
    path = os.path.join(os.path.dirname(__file__), name)
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        from importlib import resources

        return resources.files(__name__).joinpath(name).read_text("utf-8")
