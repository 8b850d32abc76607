"""Inline suppressions: ``<!-- digestconv: ignore[rule] -->`` comments.

* ``<!-- digestconv: ignore[abstract-truncated] -->`` on its own line silences
  the named rules (names or codes, comma-separated; none means all rules) for
  the construct that follows: a detail block (to its last line), a table row,
  or else the next line.
* ``<!-- digestconv: ignore-file[encoding] -->`` anywhere silences them in the
  whole file.

HTML comments are invisible when markdown is rendered, so suppressions keep
a digest valid markdown.  A suppression that silences nothing is reported as
``unused-suppression``, so stale ones do not pile up.
"""

from __future__ import annotations

from collections.abc import Sequence

from .model import Diagnostic, Digest, Suppression
from .settings import Settings

UNUSED = "unused-suppression"


def _covers(s: Suppression, d: Diagnostic) -> bool:
    if not s.start <= d.line <= s.end:
        return False
    return not s.rules or any(r.upper() == d.code or r.lower() == d.rule for r in s.rules)


def apply_suppressions(
    digests: Sequence[Digest], diagnostics: list[Diagnostic], settings: Settings
) -> list[Diagnostic]:
    """Drop suppressed diagnostics and add one for every unused suppression."""
    from . import rules as registry

    by_path: dict[str, list[Suppression]] = {
        d.path: list(d.suppressions) for d in digests if d.suppressions
    }
    if not by_path:
        return diagnostics
    used: set[tuple[str, int]] = set()
    kept: list[Diagnostic] = []
    for diag in diagnostics:
        hit = None
        for s in by_path.get(diag.path, ()):
            if diag.rule != UNUSED and _covers(s, diag):
                hit = s
                break
        if hit is None:
            kept.append(diag)
        else:
            used.add((diag.path, hit.span.line))
    unused_rule = registry.get(UNUSED)
    assert unused_rule is not None
    for path, sups in by_path.items():
        if not settings.enabled(unused_rule.code, unused_rule.name, path):
            continue
        severity = settings.severity_of(unused_rule.code, unused_rule.name, unused_rule.severity)
        for s in sups:
            unknown = [r for r in s.rules if registry.get(r) is None]
            if unknown:
                names = ", ".join(unknown)
                message = f"suppression names unknown rule(s) {names}: see 'digestconv rules'"
            elif (path, s.span.line) not in used:
                what = ", ".join(s.rules) or "any rule"
                message = f"suppression of {what} silences nothing here: delete it"
            else:
                continue
            from .rules import Finding

            kept.append(unused_rule.diagnostic(path, Finding(s.span, message), severity))
    return kept
