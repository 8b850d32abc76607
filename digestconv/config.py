"""Configuration: ``[tool.digestconv]`` in a ``pyproject.toml``, or a ``digestconv.toml``.

Each input is governed by the configuration nearest to it, as ruff finds its
own: from the input's folder as named (made absolute, symbolic links not
followed) upwards, the first folder holding a
``digestconv.toml`` or a ``pyproject.toml`` with a ``[tool.digestconv]`` table
(``digestconv.toml`` first when a folder has both), stopping at the
repository root (the first folder holding ``.git``).  Files under different
projects are checked with their own settings in one run.  The settings of the
run itself (``jobs``, the ``enrich`` table, standard input) come from the
configuration nearest to the current folder.  ``--config FILE`` governs every
input instead, and nothing is searched.  Keys::

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

A ``digestconv.toml`` holds the same keys at its top level.  Flags on the
command line override every configuration.  Invalid configuration raises
:class:`ConfigError` with a message naming the file and key.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .settings import Settings


def _tomllib() -> Any:
    """The TOML parser, imported when a file is to be parsed (most runs parse none)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    return tomllib


def _may_name_digestconv(text: str) -> bool:
    """Whether TOML ``text`` can hold a ``digestconv`` key: the word is in it, or an
    escape a quoted key could spell it with (``\\u``, ``\\U``).  Without either, a
    ``pyproject.toml`` does not configure digestconv, whatever the rest of it holds."""
    return "digestconv" in text or "\\u" in text or "\\U" in text


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


def _configures(candidate: Path) -> bool:
    """Whether ``candidate`` configures digestconv: a ``digestconv.toml``, or a
    ``pyproject.toml`` with a ``[tool.digestconv]`` table (or broken TOML naming it)."""
    if not candidate.is_file():
        return False
    if candidate.name == CONFIG_NAME:
        return True
    try:
        text = candidate.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if not _may_name_digestconv(text):
        return False
    tomllib = _tomllib()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        # broken TOML that seems to configure digestconv: report it, never ignore it
        return "tool.digestconv" in text
    tool = data.get("tool", {})
    return isinstance(tool, dict) and "digestconv" in tool


#: the file name of a configuration of its own (same keys as [tool.digestconv], top level)
CONFIG_NAME = "digestconv.toml"


def _own_config(folder: Path) -> Path | None:
    """The configuration file in ``folder`` itself, if any (``digestconv.toml`` first)."""
    for name in (CONFIG_NAME, "pyproject.toml"):
        if _configures(folder / name):
            return folder / name
    return None


def _nearest(here: Path, known: dict[str, Path | None]) -> Path | None:
    """The configuration nearest to the absolute folder ``here``, up to the repository
    root; ``known`` holds the answers of folders already walked, and gets these."""
    walked: list[str] = []
    found: Path | None = None
    for place in (here, *here.parents):
        key = str(place)
        if key in known:
            found = known[key]
            break
        walked.append(key)
        found = _own_config(place)
        if found is not None or (place / ".git").exists():
            break
    for key in walked:
        known[key] = found
    return found


def find_config(start: Path) -> Path | None:
    """The configuration nearest to folder ``start``: ``digestconv.toml`` or a
    ``pyproject.toml`` with ``[tool.digestconv]``, up to the repository root.

    The folders walked are those of ``start`` as named, made absolute
    (:func:`os.path.abspath`): symbolic links are not followed, so a folder
    reached through a link is governed by the configuration above the link, as
    :class:`Resolver` finds it for the inputs of a run.
    """
    return _nearest(Path(os.path.abspath(start)), {})


def find_pyproject(start: Path) -> Path | None:
    """The nearest configuration file from ``start`` (see :func:`find_config`)."""
    return find_config(start)


def load_table(path: Path) -> dict[str, Any]:
    """Read the digestconv table of a config file."""
    tomllib = _tomllib()
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
    """Settings from ``config`` or the configuration nearest to ``start`` (the current
    folder); also the file used."""
    path = config or find_config(start or Path.cwd())
    if path is None:
        return Settings(), None
    if config is not None and not config.is_file():
        raise ConfigError(f"{config}: no such config file")
    return settings_from_table(load_table(path), str(path)), path


class Resolver:
    """The settings of each input, from the configuration nearest to it (see the module).

    ``override`` applies the command line to every configuration's settings.
    With ``config`` (``--config``), that file governs every input and nothing is
    searched.  Each folder's answer and each file's settings are found once.
    Implements :class:`digestconv.settings.Resolver` for the pipeline.
    """

    def __init__(
        self,
        config: Path | None = None,
        override: Callable[[Settings], Settings] | None = None,
        start: Path | None = None,
    ) -> None:
        self._override = override or (lambda settings: settings)
        self._fixed = config is not None
        self._folders: dict[str, Path | None] = {}
        self._settings: dict[Path | None, Settings] = {}
        if config is not None and not config.is_file():
            raise ConfigError(f"{config}: no such config file")
        #: the configuration of the run (``--config``, else the one nearest the current folder)
        self.source = config if config is not None else self.config_for(start or Path.cwd())
        self._base = self._load(self.source)

    @property
    def base(self) -> Settings:
        """The settings of the run: ``jobs``, cross-file checks, standard input."""
        return self._base

    def config_for(self, folder: Path) -> Path | None:
        """The configuration nearest to ``folder`` (up to the repository root), from
        ``folder`` as named, symbolic links not followed (see :func:`find_config`)."""
        return _nearest(Path(os.path.abspath(folder)), self._folders)

    def settings_for(self, path: str) -> Settings:
        """The settings that govern the file or folder ``path``."""
        return self._load(self.source_for(path))

    def source_for(self, path: str) -> Path | None:
        """The configuration file that governs ``path`` (``None``: the built-in defaults)."""
        if self._fixed:
            return self.source
        folder = path if os.path.isdir(path) else os.path.dirname(path) or "."
        return self.config_for(Path(folder))

    def _load(self, source: Path | None) -> Settings:
        settings = self._settings.get(source)
        if settings is None:
            read = (
                Settings()
                if source is None
                else settings_from_table(load_table(source), str(source))
            )
            settings = self._settings[source] = self._override(read)
        return settings


def _toml(value: Any) -> str:
    """``value`` as a TOML value (strings, numbers, booleans, lists, inline tables)."""
    import json

    if isinstance(value, Mapping):
        inner = ", ".join(f"{json.dumps(str(k))} = {_toml(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return json.dumps(str(value), ensure_ascii=False)


def show(settings: Settings, source: Path | None, path: str | None = None) -> str:
    """The effective settings as a ``pyproject.toml`` fragment (``--show-settings``).

    Every key is one :func:`settings_from_table` accepts: pasted into a
    ``pyproject.toml`` (or, without the table headers, a ``digestconv.toml``),
    the text gives the same settings back.  ``jobs``, when unset, is shown as a
    comment (the CPUs this process may use), and the ``enrich`` table of
    ``source`` is repeated as written.
    """
    where = f" for {path}" if path else ""
    lines = [f"# settings{where} from {source or 'built-in defaults'}", "[tool.digestconv]"]
    for f in dataclasses.fields(settings):
        if f.name == "by_path":
            continue
        key = f.name.replace("_", "-")
        value = getattr(settings, f.name)
        if f.name == "jobs" and value is None:
            from .settings import default_jobs

            lines.append(f"# {key} = {default_jobs()}  (unset: every CPU this process may use)")
            continue
        lines.append(f"{key} = {_toml(value)}")
    enrich = load_table(source).get("enrich") if source is not None else None
    if isinstance(enrich, Mapping) and enrich:
        lines += ["", "[tool.digestconv.enrich]"]
        lines += [f"{key} = {_toml(value)}" for key, value in enrich.items()]
    return "\n".join(lines) + "\n"
