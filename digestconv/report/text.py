"""The ``text`` renderer: one line per diagnostic, then a summary line.

::

    digests/cs.LG.md:12:5: DC301 abstract-truncated Abstract is cut ...

    4 files, 33 papers: 7 errors, 31 warnings

Lines are ``path:line:column: CODE rule message`` in :meth:`Diagnostic.sort_key`
order (columns count code points).  So that every diagnostic stays on one line
and nothing from a file can drive the terminal, line breaks, other control
characters, bidirectional-override characters and unpaired surrogates in paths
and messages are shown as backslash escapes (``\\n``, ``\\x1b``, ``\\u202e``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..text import printable
from .common import sorted_diagnostics

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ..model import Diagnostic, Report

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_RED = "\x1b[1;31m"
_YELLOW = "\x1b[1;33m"
_GREEN = "\x1b[1;32m"
_CYAN = "\x1b[36m"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def summary(report: Report, *, color: bool = False) -> str:
    """The closing line: ``4 files, 33 papers: 7 errors, 31 warnings``.

    A report with no diagnostics ends in ``no problems``; files without digest
    structure that were skipped while walking folders are counted last
    (``3 non-digest files skipped``).
    """
    head = f"{_plural(report.files, 'file')}, {_plural(report.papers, 'paper')}: "
    parts: list[str] = []
    if report.errors:
        parts.append(_paint(_plural(report.errors, "error"), _RED, color))
    if report.warnings:
        parts.append(_paint(_plural(report.warnings, "warning"), _YELLOW, color))
    if not parts:
        parts.append(_paint("no problems", _GREEN, color))
    skipped = getattr(report, "skipped", 0)
    if skipped:
        parts.append(f"{_plural(skipped, 'non-digest file')} skipped")
    return head + ", ".join(parts)


def _paint(text: str, style: str, color: bool) -> str:
    return f"{style}{text}{_RESET}" if color else text


def line(diagnostic: Diagnostic, *, color: bool = False) -> str:
    """One diagnostic as ``path:line:column: CODE rule message`` (no newline)."""
    d = diagnostic
    path = printable(d.path)
    message = printable(d.message)
    if not color:
        return f"{path}:{d.line}:{d.column}: {d.code} {d.rule} {message}"
    code_style = _RED if d.severity == "error" else _YELLOW
    return (
        f"{_BOLD}{path}{_RESET}{_CYAN}:{d.line}:{d.column}:{_RESET} "
        f"{code_style}{d.code}{_RESET} {_DIM}{d.rule}{_RESET} {message}"
    )


def lines(diagnostics: Iterable[Diagnostic], *, color: bool = False) -> str:
    """The :func:`line` of each diagnostic, each ended by a newline."""
    if color:
        return "".join([line(d, color=True) + "\n" for d in diagnostics])
    out = []
    path = shown = ""
    for d in diagnostics:  # line(), with each path made printable once
        if d.path is not path:
            path = d.path
            shown = printable(path)
        out.append(f"{shown}:{d.line}:{d.column}: {d.code} {d.rule} {printable(d.message)}\n")
    return "".join(out)


def render(report: Report, *, color: bool = False, root: Path | None = None) -> str:
    """The text report: diagnostic lines, a blank line, the summary; newline-terminated.

    ``root`` is accepted for a uniform signature; paths are printed as given.
    """
    lines = [line(d, color=color) for d in sorted_diagnostics(report)]
    if lines:
        lines.append("")
    lines.append(summary(report, color=color))
    return "\n".join(lines) + "\n"
