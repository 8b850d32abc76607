"""The ``digestconv`` command: a thin typer layer over the library.

This package is the only place that knows typer.  :mod:`~digestconv.cli.base`
holds the app and the options commands share; each other module adds its
commands: ``validate``/``parse`` (:mod:`~digestconv.cli.check`),
``to``/``fmt`` (:mod:`~digestconv.cli.convert`), ``formats``/``rules``/``rule``
(:mod:`~digestconv.cli.info`), ``enrich``/``cache`` (:mod:`~digestconv.cli.enrich`).

Exit codes: 0 clean (warnings allowed), 1 findings at error severity (or
warnings with ``--strict``), 2 usage, I/O or internal error.
"""

from __future__ import annotations

import contextlib
import os
import sys

from . import check, convert, info  # noqa: F401  (registration)
from . import enrich as _enrich
from .base import app

_enrich.register(app)  # the enrich and cache commands

__all__ = ["app", "main"]


def main() -> None:
    """Console-script entry point: run the app, never show a traceback."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.stderr.write("digestconv: interrupted\n")
        raise SystemExit(130) from None
    except BrokenPipeError:
        # the reader went away (| head): stop quietly
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        raise SystemExit(0) from None
    except Exception as exc:
        sys.stderr.write(
            f"digestconv: internal error: {type(exc).__name__}: {exc}\n"
            "Please report this with the input that caused it.\n"
        )
        raise SystemExit(2) from None
