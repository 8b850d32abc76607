"""The rules: one small function per check, each with a stable code and name.

The registry (:mod:`digestconv.rules.registry`) holds what a rule is and the
:func:`rule` decorator; each module of this package registers its checks with
it; :mod:`digestconv.rules.engine` resolves settings into the rules that run on
a path and runs them.  Rule modules are imported on the first lookup, so a
command that never asks for a rule pays nothing for them.
"""

from __future__ import annotations

from collections.abc import Iterator

from .registry import _RULES, Finding, Rule, Scope, rule

__all__ = [
    "Finding",
    "Rule",
    "Scope",
    "all_rules",
    "get",
    "iter_corpus_rules",
    "iter_file_rules",
    "iter_lookup_rules",
    "iter_metadata_rules",
    "rule",
]


def _load() -> None:
    if not _RULES:
        from . import (  # noqa: F401  (registration)
            content,
            enrich,
            file,
            identity,
            invisible,
            metadata,
            references,
            texmath,
        )


def all_rules() -> list[Rule]:
    """Every rule, ordered by code."""
    _load()
    return [_RULES[c] for c in sorted(_RULES)]


def get(key: str) -> Rule | None:
    """Look a rule up by code (``DC301``, case-insensitive) or name."""
    _load()
    key = key.strip()
    if key.upper() in _RULES:
        return _RULES[key.upper()]
    return next((r for r in _RULES.values() if r.name == key.lower()), None)


def iter_file_rules() -> Iterator[Rule]:
    """The per-file rules, ordered by code."""
    return (r for r in all_rules() if r.scope == "file")


def iter_corpus_rules() -> Iterator[Rule]:
    """The cross-file rules, ordered by code."""
    return (r for r in all_rules() if r.scope == "corpus")


def iter_metadata_rules() -> Iterator[Rule]:
    """The rules that compare a paper with its arXiv metadata, ordered by code."""
    return (r for r in all_rules() if r.scope == "metadata")


def iter_lookup_rules() -> Iterator[Rule]:
    """The rules that report on the metadata lookup (DC502, DC503), ordered by code."""
    return (r for r in all_rules() if r.scope == "lookup")
