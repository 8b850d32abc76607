"""Effective settings of a run: which rules, at what severity, on which files.

:class:`Settings` is a plain frozen value; :mod:`digestconv.config` builds it
from ``pyproject.toml`` and command-line flags.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from .model import Severity

DEFAULT_INCLUDE: tuple[str, ...] = ("*.md", "*.markdown", "*.txt")


def _matches(selector: str, code: str, name: str) -> bool:
    """``ALL``, a code prefix (``DC2``, ``DC301``) or a rule name selects a rule."""
    selector = selector.strip()
    if selector.upper() == "ALL":
        return True
    if selector.upper().startswith("DC"):
        return code.startswith(selector.upper())
    return selector.lower() == name


@dataclass(frozen=True)
class Settings:
    """Which rules run, at what severity, and how files are found."""

    select: tuple[str, ...] = ("ALL",)
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    #: glob pattern -> rules ignored in matching files
    per_file_ignores: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: rule code or name -> severity that replaces the rule's default
    severity: Mapping[str, Severity] = field(default_factory=dict)
    #: the producer's abstract cut, in characters
    abstract_cut: int = 1000
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = ()
    #: compare papers across files (off for pre-commit batches: ``--per-file``)
    cross_file: bool = True
    #: skip files that are not digests instead of reporting them (pre-commit)
    skip_non_digests: bool = False
    #: worker processes for large inputs (``None``: the CPUs this process may use)
    jobs: int | None = None
    #: an input set with no digest is not an error (``--allow-empty``)
    allow_empty: bool = False
    #: input name -> the settings of that input when a config file nearer to it governs it
    #: (see :func:`digestconv.pipeline.bind`); never shown, never compared
    by_path: Mapping[str, Settings] = field(default_factory=dict, compare=False, repr=False)

    def for_path(self, path: str | None) -> Settings:
        """The settings of input ``path``: its own when a nearer config file governs it."""
        if path is None or not self.by_path:
            return self
        return self.by_path.get(path, self)

    def enabled(self, code: str, name: str, path: str | None = None) -> bool:
        """Whether rule ``code``/``name`` runs (on ``path``, if given)."""
        if (
            self.select == ("ALL",)
            and not self.extend_select
            and not self.ignore
            and not self.per_file_ignores
        ):
            return True  # the default: every rule everywhere
        chosen = any(_matches(s, code, name) for s in self.select + self.extend_select)
        if not chosen or any(_matches(s, code, name) for s in self.ignore):
            return False
        if path is not None:
            for pattern, rules in self.per_file_ignores.items():
                if _path_matches(path, pattern) and any(_matches(s, code, name) for s in rules):
                    return False
        return True

    def severity_of(self, code: str, name: str, default: Severity) -> Severity:
        """The severity rule ``code``/``name`` reports at."""
        return self.severity.get(code, self.severity.get(name, default))


class Resolver(Protocol):
    """Settings per path, as configuration discovery finds them (see :mod:`digestconv.config`).

    ``base`` holds the settings of the run itself (the current folder's
    configuration, or ``--config``); :meth:`settings_for` those that govern a
    file or folder.  The pipeline's discovery asks it for each path it meets.
    """

    @property
    def base(self) -> Settings:
        """The settings of the run (jobs, cross-file checks, standard input)."""
        ...

    def settings_for(self, path: str) -> Settings:
        """The settings that govern the file or folder ``path``."""
        ...


def _path_matches(path: str, pattern: str) -> bool:
    """Match a glob against a path or any of its trailing parts (``seeds/*.txt``)."""
    path = path.replace("\\", "/")
    if fnmatch.fnmatchcase(path, pattern):
        return True
    parts = path.split("/")
    return any(fnmatch.fnmatchcase("/".join(parts[i:]), pattern) for i in range(1, len(parts)))


def default_jobs() -> int:
    """The number of CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)
