"""Indented JSON text without the cycles ``json.dumps(indent=...)`` leaves behind.

``json.dumps`` with an indent runs the pure-Python encoder, which builds its
functions from closures that refer to one another: every call leaves a reference
cycle that only the cycle collector frees.  Where many values are written while
the collector is held off (``to`` renders entries while it folds the files, the
workers hold their models out of the collector), those cycles pile up.
:func:`dumps` writes the same text, containers by hand and every scalar through
the C encoder, which leaves nothing behind.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["dumps"]


def dumps(value: Any, *, ensure_ascii: bool = True, indent: int = 2) -> str:
    """``json.dumps(value, ensure_ascii=ensure_ascii, indent=indent)``, character for
    character (dicts, lists and tuples of strings, numbers, booleans and ``None``)."""
    out: list[str] = []
    _write(value, out, ensure_ascii, " " * indent, "\n")
    return "".join(out)


def _scalar(value: Any, ensure_ascii: bool) -> str:
    return json.dumps(value, ensure_ascii=ensure_ascii)


def _key(key: Any, ensure_ascii: bool) -> str:
    """A dict key as ``json.dumps`` writes it: strings as they are, other scalars as text."""
    if isinstance(key, str):
        return _scalar(key, ensure_ascii)
    if key is True or key is False or key is None or isinstance(key, (int, float)):
        return _scalar(_scalar(key, ensure_ascii), ensure_ascii)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _write(value: Any, out: list[str], ensure_ascii: bool, step: str, newline: str) -> None:
    if isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + step
        separator = "{" + inner
        for key, item in value.items():
            out.append(separator)
            out.append(_key(key, ensure_ascii))
            out.append(": ")
            _write(item, out, ensure_ascii, step, inner)
            separator = "," + inner
        out.append(newline + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = newline + step
        separator = "[" + inner
        for item in value:
            out.append(separator)
            _write(item, out, ensure_ascii, step, inner)
            separator = "," + inner
        out.append(newline + "]")
    else:
        out.append(_scalar(value, ensure_ascii))
