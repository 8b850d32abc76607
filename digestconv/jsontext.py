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

from json.encoder import (  # the C implementations where the interpreter has them
    encode_basestring,  # type: ignore[attr-defined]
    encode_basestring_ascii,  # type: ignore[attr-defined]
)
from typing import Any

_INFINITY = float("inf")

__all__ = ["dumps"]


def dumps(value: Any, *, ensure_ascii: bool = True, indent: int = 2) -> str:
    """``json.dumps(value, ensure_ascii=ensure_ascii, indent=indent)``, character for
    character (dicts, lists and tuples of strings, numbers, booleans and ``None``)."""
    out: list[str] = []
    _write(value, out, ensure_ascii, " " * indent, "\n")
    return "".join(out)


def _scalar(value: Any, ensure_ascii: bool) -> str:
    """A string, number, boolean or ``None`` as ``json.dumps`` writes it (with its C string
    encoders, without building an encoder per value)."""
    if isinstance(value, str):
        return encode_basestring_ascii(value) if ensure_ascii else encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value in (_INFINITY, -_INFINITY):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


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
