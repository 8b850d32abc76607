"""The ``github`` renderer: GitHub Actions workflow commands, then the text report.

One annotation per diagnostic::

    ::warning file=F,line=L,col=C,endLine=E,endColumn=EC,title=DC301 abstract-truncated::message

``::error`` for errors, ``::warning`` for warnings.  Values are escaped as the
Actions toolkit does: the message (data) turns ``%``, CR and LF into ``%25``,
``%0D`` and ``%0A``; property values also turn ``:`` and ``,`` into ``%3A`` and
``%2C``.  Before that, file names and messages are made printable the way the
text report does it (:func:`digestconv.text.printable`): control characters
(ESC included), bidirectional controls and unpaired surrogates are written as
backslash escapes (``\x1b``, ``\u202e``), so nothing in a file name can drive
the log viewer or reorder what an annotation shows (line breaks in a message
stay ``%0D``/``%0A``).  ``endColumn`` is exclusive, like the diagnostics' own end column.
GitHub accepts ``col``/``endColumn`` only when the annotation spans one line,
so they are left out of multi-line annotations.  ``file`` is relative to
``root`` when the file lies inside it; annotations about standard input carry
no file or position.

GitHub shows only the first few annotations of a step, so the full text
report (see :mod:`digestconv.report.text`) follows the annotations.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..text import printable
from . import text as _text
from .common import STDIN_PATHS, relative_to_root, sorted_diagnostics

if TYPE_CHECKING:
    from ..model import Diagnostic, Report


def escape_data(value: str) -> str:
    """Escape a workflow command's message."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a workflow command's property value."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(diagnostic: Diagnostic, root: Path | None = None) -> str:
    """One diagnostic as a workflow command line (no newline)."""
    d = diagnostic
    props: list[tuple[str, str]] = []
    if d.path not in STDIN_PATHS:
        props.append(("file", printable(relative_to_root(d.path, root) or d.path)))
        props.append(("line", str(d.line)))
        if d.line == d.end_line:
            props.append(("col", str(d.column)))
        props.append(("endLine", str(d.end_line)))
        if d.line == d.end_line:
            props.append(("endColumn", str(d.end_column)))
    props.append(("title", f"{d.code} {d.rule}"))
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{d.severity} {joined}::{escape_data(printable(d.message, lines=True))}"


def render(report: Report, *, color: bool = False, root: Path | None = None) -> str:
    """Annotations, then the uncoloured text report (``color`` is ignored)."""
    lines = [annotation(d, root) for d in sorted_diagnostics(report)]
    for entry in _text.render(report, color=False).rstrip("\n").split("\n"):
        # a report line that began with "::" would be read as a command
        lines.append(" " + entry if entry.startswith("::") else entry)
    return "\n".join(lines) + "\n"
