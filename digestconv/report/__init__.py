"""Diagnostic renderers: one module per ``--output-format``.

Each module in this package exposes ``render(report, *, color, root) -> str``.
Modules are imported only when their format is asked for, so the common case
(the ``text`` renderer on a pre-commit run) imports nothing heavy.

``root`` is the folder that relative locations are reported against (the
repository root): the ``github`` and ``sarif`` renderers use it; ``text``,
``json`` and ``junit`` print each path as the diagnostic carries it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from .common import (
    STDIN_PATHS,
    RuleInfo,
    relative_to_root,
    rule_metadata,
    sorted_diagnostics,
    want_color,
)

if TYPE_CHECKING:
    from ..model import Diagnostic, Report

__all__ = [
    "RENDERERS",
    "STDIN_PATHS",
    "RuleInfo",
    "relative_to_root",
    "render",
    "rule_metadata",
    "sorted_diagnostics",
    "want_color",
]

#: every ``--output-format`` name, in the order ``--help`` lists them
RENDERERS: tuple[str, ...] = ("text", "json", "github", "sarif", "junit")


def render(name: str, report: Report, *, color: bool = False, root: Path | None = None) -> str:
    """Render ``report`` in output format ``name`` (one of :data:`RENDERERS`).

    Raises :class:`ValueError` for an unknown name.
    """
    if name not in RENDERERS:
        raise ValueError(f"unknown output format {name!r}: choose one of {', '.join(RENDERERS)}")
    module = import_module(f"{__name__}.{name}")
    out: str = module.render(report, color=color, root=root)
    return out


class StreamWriter:
    """Write a report file by file: :meth:`file` per file in input order, then :meth:`finish`.

    ``text`` writes each file's lines at once; ``github`` writes each file's
    annotations at once and keeps only the text lines for the report that
    follows them; ``json``, ``sarif`` and ``junit`` keep the diagnostics (never
    the models) and write the document at the end.  For files given in path
    order the output is byte-identical to :func:`render` on the whole report.
    ``quiet`` (text only) leaves out the summary line.
    """

    def __init__(
        self,
        name: str,
        write: Callable[[str], object],
        *,
        color: bool = False,
        root: Path | None = None,
        quiet: bool = False,
    ) -> None:
        if name not in RENDERERS:
            raise ValueError(
                f"unknown output format {name!r}: choose one of {', '.join(RENDERERS)}"
            )
        self.name = name
        self.write = write
        self.color = color
        self.root = root
        self.quiet = quiet and name == "text"
        self.errors = 0
        self.warnings = 0
        self._lines = 0
        self._held: list[Diagnostic] = []
        self._text: list[str] = []

    def file(self, diagnostics: Sequence[Diagnostic]) -> None:
        """Report one file's diagnostics (already in report order)."""
        if not diagnostics:
            return
        for d in diagnostics:
            if d.severity == "error":
                self.errors += 1
            else:
                self.warnings += 1
        if self.name == "text":
            from .text import line

            self.write("".join(line(d, color=self.color) + "\n" for d in diagnostics))
            self._lines += len(diagnostics)
        elif self.name == "github":
            from .github import annotation
            from .text import line

            self.write("".join(annotation(d, self.root) + "\n" for d in diagnostics))
            self._text.extend(line(d) for d in diagnostics)
        else:
            self._held.extend(diagnostics)

    def finish(
        self, files: int, papers: int, skipped: int = 0, *, found: int | None = None
    ) -> None:
        """Write what follows the last file (summary line, buffered document).

        ``found`` (papers arXiv metadata was found for) changes nothing here: every
        diagnostic is listed in full.
        """
        from ..model import Report

        if self.name == "text":
            if self.quiet:
                return
            from .text import summary

            counts = _Counts(files, papers, skipped, self.errors, self.warnings)
            self.write(("\n" if self._lines else "") + summary(counts, color=self.color) + "\n")  # type: ignore[arg-type]
        elif self.name == "github":
            from .text import summary

            counts = _Counts(files, papers, skipped, self.errors, self.warnings)
            lines = [" " + t if t.startswith("::") else t for t in self._text]
            if lines:
                lines.append("")
            lines.append(summary(counts))  # type: ignore[arg-type]
            self.write("\n".join(lines) + "\n")
        else:
            report = Report(tuple(self._held), files, papers, skipped)
            self.write(render(self.name, report, color=self.color, root=self.root))


@dataclass(frozen=True)
class _Counts:
    """What the summary line needs of a report."""

    files: int
    papers: int
    skipped: int
    errors: int
    warnings: int
