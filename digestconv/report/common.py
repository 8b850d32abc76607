"""What every diagnostic renderer shares: order, colour, rule metadata, paths."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..model import Diagnostic, Report, Severity


#: diagnostic paths that stand for standard input rather than a file
STDIN_PATHS: frozenset[str] = frozenset({"<stdin>", "-"})


class _Stream(Protocol):
    def isatty(self) -> bool: ...


def want_color(stream: _Stream, env: Mapping[str, str] | None = None) -> bool:
    """Whether output written to ``stream`` should be coloured.

    ``NO_COLOR`` set to any non-empty value disables colour; otherwise
    ``FORCE_COLOR`` set to any non-empty value enables it, even when ``stream``
    is not a terminal; otherwise colour is used exactly when ``stream`` is a TTY.
    """
    if env is None:
        env = os.environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # closed or fake streams
        return False


def sorted_diagnostics(report: Report) -> list[Diagnostic]:
    """The report's diagnostics in the order every renderer uses."""
    return sorted(report.diagnostics, key=lambda d: d.sort_key())


@dataclass(frozen=True)
class RuleInfo:
    """What a renderer may say about a rule (a rule's metadata without its check)."""

    code: str
    name: str
    severity: Severity
    summary: str
    explanation: str = ""
    bad: str = ""
    good: str = ""


def rule_metadata(code: str) -> RuleInfo | None:
    """Metadata of rule ``code`` from the rule registry, or ``None`` when unknown.

    The registry lists every code a run can report, ``io-error`` (DC000) and
    ``internal-error`` included.
    """
    from .. import rules

    found = rules.get(code)
    if found is None:
        return None
    return RuleInfo(
        found.code,
        found.name,
        found.severity,
        found.summary,
        found.explanation,
        found.bad,
        found.good,
    )


def relative_to_root(path: str, root: Path | None) -> str | None:
    """``path`` relative to ``root`` with ``/`` separators, or ``None`` when outside it.

    Relative paths are taken relative to the current directory.  Nothing is
    looked up on disk: ``..`` is folded lexically and symbolic links are kept.
    """
    if root is None or path in STDIN_PATHS:
        return None
    base = os.path.abspath(root)
    full = os.path.abspath(path)
    try:
        if os.path.commonpath([base, full]) != base:
            return None
    except ValueError:  # different drives
        return None
    return Path(os.path.relpath(full, base)).as_posix()
