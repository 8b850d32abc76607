"""The ``json`` renderer: a JSON array of diagnostics.

Each element has exactly the contract fields of :meth:`Diagnostic.to_dict`
(``path``, ``line``, ``column``, ``end_line``, ``end_column``, ``code``,
``rule``, ``severity``, ``message``), in :meth:`Diagnostic.sort_key` order.
Text is written as UTF-8 characters (not ``\\u`` escapes), indented by two
spaces, with a final newline.  An unpaired surrogate (a path that was not valid
UTF-8) is written as a ``\\udcXX`` escape, so the output always encodes.  The
characters that could drive a terminal or reorder a line when the file is shown
(DEL, C1 controls, bidirectional and zero-width controls, line and paragraph
separators, the byte-order mark) are written as ``\\uXXXX`` escapes too: the
parsed data is exactly the diagnostics' (a path still names its file), the bytes
are inert.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..jsontext import dumps as _indented
from .common import sorted_diagnostics

if TYPE_CHECKING:
    from ..model import Diagnostic, Report

#: written as \uXXXX escapes: unpaired surrogates, and what must not act on a terminal
_ESCAPED = re.compile("[\ud800-\udfff\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def dumps(value: Any) -> str:
    """``value`` as indented UTF-8-safe JSON text with a final newline.

    Lone surrogates and the other escaped characters can only occur inside JSON
    strings, where a ``\\uXXXX`` escape is exactly how JSON spells them.  The text is
    ``json.dumps(value, ensure_ascii=False, indent=2)``'s, written by
    :func:`digestconv.jsontext.dumps`, which leaves no reference cycles behind (the
    SARIF stream calls this once per result).
    """
    return _escape(_indented(value, ensure_ascii=False)) + "\n"


def _escape(text: str) -> str:
    return _ESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def render(report: Report, *, color: bool = False, root: Path | None = None) -> str:
    """The diagnostics as a JSON array (``color`` and ``root`` are ignored)."""
    return dumps([d.to_dict() for d in sorted_diagnostics(report)])


def element(d: Diagnostic) -> str:
    """One diagnostic as an element of :func:`render`'s array: indented, no final newline."""
    return _escape("  " + _indented(d.to_dict(), ensure_ascii=False).replace("\n", "\n  "))
