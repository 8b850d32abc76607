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
from typing import IO, TYPE_CHECKING, Any

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
    from ..spill import Spill

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

    Memory does not grow with the number of diagnostics:

    * ``text`` writes each file's lines at once;
    * ``json`` writes each file's elements of the array at once;
    * ``github`` writes each file's annotations at once, and keeps the text
      lines of the report that follows them in a temporary file;
    * ``sarif`` and ``junit`` begin with what only the whole run knows (the
      rules reported, the counts of failures), so the diagnostics wait in a
      temporary file (:mod:`digestconv.spill`) and the document is written at
      the end, one result or test case at a time.

    Files are reported in input order, each file's diagnostics in report
    order; for files given in path order the output is byte-identical to
    :func:`render` on the whole report.  ``quiet`` (text only) leaves out the
    summary line.
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
        self._held: Spill[tuple[Any, ...]] | None = None
        self._text: IO[str] | None = None
        self._codes: dict[str, str] = {}
        self._tally: Any = None

    def file(self, diagnostics: Sequence[Diagnostic]) -> None:
        """Report one file's diagnostics (already in report order)."""
        if not diagnostics:
            return
        errors = sum([d.severity == "error" for d in diagnostics])
        self.errors += errors
        self.warnings += len(diagnostics) - errors
        if self.name == "text":
            from .text import lines

            self.write(lines(diagnostics, color=self.color))
        elif self.name == "json":
            from .json import element

            self.write(
                ("[\n" if not self._lines else ",\n") + ",\n".join(map(element, diagnostics))
            )
        elif self.name == "github":
            from .github import annotation
            from .text import line

            self.write("".join(annotation(d, self.root) + "\n" for d in diagnostics))
            if self._text is None:
                import tempfile

                self._text = tempfile.TemporaryFile(  # noqa: SIM115 (closed in finish)
                    "w+", encoding="utf-8", errors="surrogatepass"
                )
            self._text.write("".join(line(d) + "\n" for d in diagnostics))
        else:
            if self._held is None:
                from ..spill import Spill

                self._held = Spill()
            for d in diagnostics:
                # as a plain tuple, in constructor order: cheaper to pickle than the object
                self._held.append(tuple(getattr(d, f) for f in type(d).__dataclass_fields__))
                self._codes.setdefault(d.code, d.rule)
            if self.name == "junit":
                from itertools import groupby

                from .junit import Tally

                self._tally = self._tally or Tally()
                for _, group in groupby(diagnostics, key=lambda d: d.path):
                    self._tally.add(group)
        self._lines += len(diagnostics)

    def finish(
        self, files: int, papers: int, skipped: int = 0, *, found: int | None = None
    ) -> None:
        """Write what follows the last file (summary line, the rest of the document).

        ``found`` (papers arXiv metadata was found for) changes nothing here: every
        diagnostic is listed in full.
        """
        counts = _Counts(files, papers, skipped, self.errors, self.warnings)
        if self.name == "text":
            if self.quiet:
                return
            from .text import summary

            self.write(("\n" if self._lines else "") + summary(counts, color=self.color) + "\n")  # type: ignore[arg-type]
        elif self.name == "json":
            self.write("\n]\n" if self._lines else "[]\n")
        elif self.name == "github":
            from .text import summary

            if self._text is not None:
                self._text.seek(0)
                for row in self._text:
                    self.write(" " + row if row.startswith("::") else row)
                self._text.close()
                self._text = None
                self.write("\n")
            self.write(summary(counts) + "\n")  # type: ignore[arg-type]
        else:
            self._finish_held(files, papers)

    def _finish_held(self, files: int, papers: int) -> None:
        from ..model import Diagnostic
        from ..spill import Spill

        held = self._held if self._held is not None else Spill()
        rows = (Diagnostic(*row) for row in held)
        try:
            if self.name == "sarif":
                from .sarif import stream

                chunks = stream(rows, self._codes, self.root)
            else:
                from .junit import Tally
                from .junit import stream as junit_stream

                chunks = junit_stream(
                    rows, self._tally or Tally(), files, papers, self.errors, self.warnings
                )
            block: list[str] = []
            size = 0
            for chunk in chunks:
                block.append(chunk)
                size += len(chunk)
                if size >= 1 << 16:
                    self.write("".join(block))
                    block, size = [], 0
            self.write("".join(block))
        finally:
            held.close()
            self._held = None


@dataclass(frozen=True)
class _Counts:
    """What the summary line needs of a report."""

    files: int
    papers: int
    skipped: int
    errors: int
    warnings: int
