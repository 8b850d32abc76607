"""Configuration: ``[tool.digestconv]`` in the nearest ``pyproject.toml``, or ``--config``.

The search starts in the current folder and walks up, stopping at the
repository root (the first folder holding ``.git``).  Keys::

    [tool.digestconv]
    select = ["ALL"]                  # rule codes, code prefixes or names
    extend-select = []
    ignore = ["translation-truncated"]
    per-file-ignores = { "archive/*.md" = ["abstract-truncated"] }
    severity = { "duplicate-paper" = "error" }
    abstract-cut = 1000               # the producer's abstract length limit
    jobs = 2                          # worker processes for large inputs (default: all CPUs)
    cross-file = true                 # compare papers across files (--per-file: false)
    skip-non-digests = false          # leave files without digest structure alone
    allow-empty = false               # an input set with no digest is an error (exit 2)
    include = ["*.md", "*.markdown", "*.txt"]
    exclude = ["README.md", "CHANGELOG.md"]

A ``--config FILE`` may be a ``pyproject.toml`` (its ``[tool.digestconv]``
table) or a ``digestconv.toml`` whose top level holds the same keys.  Flags on
the command line override the file.  Invalid configuration raises
:class:`ConfigError` with a message naming the file and key.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .settings import Settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


class ConfigError(Exception):
    """Invalid configuration (exit code 2)."""


_LIST_KEYS = {
    "select": "select",
    "extend-select": "extend_select",
    "ignore": "ignore",
    "include": "include",
    "exclude": "exclude",
}
_BOOL_KEYS = {
    "cross-file": "cross_file",
    "skip-non-digests": "skip_non_digests",
    "allow-empty": "allow_empty",
}
KNOWN_KEYS = (
    *_LIST_KEYS,
    "per-file-ignores",
    "severity",
    "abstract-cut",
    "jobs",
    *_BOOL_KEYS,
    "enrich",
)


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` with a ``[tool.digestconv]`` table, up to the repo root."""
    here = start.resolve()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                text = candidate.read_text("utf-8")
            except (OSError, UnicodeDecodeError):
                text = ""
            try:
                data = tomllib.loads(text)
            except tomllib.TOMLDecodeError:
                # broken TOML that seems to configure digestconv: report it, never ignore it
                if "tool.digestconv" in text:
                    return candidate
                data = {}
            if "digestconv" in data.get("tool", {}):
                return candidate
        if (folder / ".git").exists():
            return None
    return None


def load_table(path: Path) -> dict[str, Any]:
    """Read the digestconv table of a config file."""
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("digestconv")
        if table is None:
            raise ConfigError(f"{path}: no [tool.digestconv] table")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.digestconv] must be a table")
        return table
    return data


def _strings(where: str, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def _check_selectors(where: str, key: str, values: tuple[str, ...]) -> None:
    from . import rules

    for v in values:
        if v.upper() == "ALL" or (v.upper().startswith("DC") and v[2:].isdigit()):
            continue
        if rules.get(v) is None:
            raise ConfigError(f"{where}: '{key}' names unknown rule '{v}' (see 'digestconv rules')")


def settings_from_table(
    table: Mapping[str, Any], where: str, base: Settings | None = None
) -> Settings:
    """Build :class:`Settings` from a ``[tool.digestconv]`` table, checking every key."""
    changes: dict[str, Any] = {}
    for key, value in table.items():
        if key not in KNOWN_KEYS:
            known = ", ".join(KNOWN_KEYS)
            raise ConfigError(f"{where}: unknown key '{key}' (known keys: {known})")
        if key in _LIST_KEYS:
            values = _strings(where, key, value)
            if key in ("select", "extend-select", "ignore"):
                _check_selectors(where, key, values)
            changes[_LIST_KEYS[key]] = values
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(
                    f"{where}: 'per-file-ignores' must be a table of pattern = [rules]"
                )
            pfi = {}
            for pattern, rules_ in value.items():
                values = _strings(where, f"per-file-ignores.{pattern}", rules_)
                _check_selectors(where, f"per-file-ignores.{pattern}", values)
                pfi[pattern] = values
            changes["per_file_ignores"] = pfi
        elif key == "severity":
            if not isinstance(value, dict):
                raise ConfigError(
                    f'{where}: \'severity\' must be a table of rule = "error"|"warning"'
                )
            for name, level in value.items():
                if level not in ("error", "warning"):
                    raise ConfigError(f"{where}: severity of '{name}' must be 'error' or 'warning'")
                _check_selectors(where, "severity", (name,))
            changes["severity"] = dict(value)
        elif key == "abstract-cut":
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"{where}: 'abstract-cut' must be a positive integer")
            changes["abstract_cut"] = value
        elif key in _BOOL_KEYS:
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: '{key}' must be true or false")
            changes[_BOOL_KEYS[key]] = value
        elif key == "jobs":
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"{where}: 'jobs' must be a positive integer")
            changes["jobs"] = value
        elif key == "enrich":
            # arXiv metadata options: checked here, read by digestconv.enrich.cli
            from .enrich.options import OptionsError, from_table

            if not isinstance(value, dict):
                raise ConfigError(f"{where}: 'enrich' must be a table")
            try:
                from_table(value, where)
            except OptionsError as exc:
                raise ConfigError(str(exc)) from None
    return dataclasses.replace(base or Settings(), **changes)


def load(config: Path | None = None, start: Path | None = None) -> tuple[Settings, Path | None]:
    """Settings from ``config`` or the nearest ``pyproject.toml``; also the file used."""
    path = config or find_pyproject(start or Path.cwd())
    if path is None:
        return Settings(), None
    if config is not None and not config.is_file():
        raise ConfigError(f"{config}: no such config file")
    return settings_from_table(load_table(path), str(path)), path


def show(settings: Settings, source: Path | None) -> str:
    """The effective settings as TOML (``--show-settings``)."""
    import json

    def toml(value: Any) -> str:
        if isinstance(value, Mapping):
            inner = ", ".join(f"{json.dumps(k)} = {toml(v)}" for k, v in value.items())
            return "{ " + inner + " }" if inner else "{}"
        if isinstance(value, tuple):
            value = list(value)
        return json.dumps(value, ensure_ascii=False)

    lines = [f"# settings from {source or 'built-in defaults'}", "[tool.digestconv]"]
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        if f.name == "jobs" and value is None:
            from .settings import default_jobs

            value = default_jobs()  # the CPUs this process may use
        lines.append(f"{f.name.replace('_', '-')} = {toml(value)}")
    return "\n".join(lines) + "\n"
