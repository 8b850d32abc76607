"""How to look metadata up: :class:`EnrichOptions`, from flags, environment and config.

Precedence: command-line flags, then the environment (``DIGESTCONV_OFFLINE``,
``DIGESTCONV_CACHE_DIR``, ``DIGESTCONV_ARXIV_API``, ``DIGESTCONV_CONTACT``),
then ``[tool.digestconv.enrich]``, then the defaults.  ``DIGESTCONV_OFFLINE=1``
and ``offline = true`` can only turn the network off, never on.

Nothing here can make requests closer than 3 seconds apart: the spacing is not
an option (see :mod:`digestconv.enrich.politeness`).

This module imports nothing heavy: the command line reads it at start-up.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DAY = 86400.0
DEFAULT_API = "https://export.arxiv.org/api/query"
DEFAULT_MAX_AGE = 30 * DAY
DEFAULT_MISS_AGE = 1 * DAY
DEFAULT_BUDGET = 300.0

#: keys of ``[tool.digestconv.enrich]``
CONFIG_KEYS = ("offline", "snapshot", "cache-dir", "max-age", "contact", "budget", "api-url")

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$", re.IGNORECASE)
_UNITS = {"": DAY, "s": 1.0, "m": 60.0, "h": 3600.0, "d": DAY, "w": 7 * DAY}


def parse_duration(text: str | float | int, default_unit: str = "d") -> float:
    """``30d``, ``12h``, ``90m``, ``45s``, ``2w`` (or a bare number of ``default_unit``) in seconds.

    Raises ``ValueError`` with a readable message.
    """
    if isinstance(text, bool):
        raise ValueError(f"{text!r} is not a duration (e.g. 30d, 12h, 90m)")
    if isinstance(text, (int, float)):
        value, unit = float(text), default_unit
    else:
        m = _DURATION.match(text)
        if not m:
            raise ValueError(f"{text!r} is not a duration (e.g. 30d, 12h, 90m)")
        value, unit = float(m[1]), (m[2] or default_unit)
    return value * _UNITS[unit.lower()]


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class EnrichOptions:
    """Where metadata may come from and how fresh it must be.

    ``offline``: cache and snapshot only, never the network.
    ``snapshot``: the bulk ``arxiv-metadata-oai-snapshot.json`` (plain or gzip).
    ``cache_dir``: the cache folder (``None``: ``DIGESTCONV_CACHE_DIR`` or the
    platform's user cache folder); ``use_cache=False`` keeps everything in memory.
    ``max_age``: seconds a cached record stays fresh (30 days); ``miss_age`` the
    same for papers arXiv said it does not have (1 day).
    ``refresh``: ask again for everything (stale records are still used if that fails).
    ``api_url``: the API endpoint (``DIGESTCONV_ARXIV_API``; https, or http on loopback).
    ``contact``: an e-mail address put in the User-Agent, as arXiv asks.
    ``budget``: seconds the network part of one run may take in all (300).
    ``timeout``/``connect_timeout``: per request, whole response / connection (60 s / 10 s).
    """

    offline: bool = False
    snapshot: Path | None = None
    cache_dir: Path | None = None
    use_cache: bool = True
    max_age: float = DEFAULT_MAX_AGE
    miss_age: float = DEFAULT_MISS_AGE
    refresh: bool = False
    api_url: str = DEFAULT_API
    contact: str | None = None
    budget: float = DEFAULT_BUDGET
    timeout: float = 60.0
    connect_timeout: float = 10.0

    def resolved_cache_dir(self, env: Mapping[str, str] | None = None) -> Path:
        """The cache folder this run uses."""
        if self.cache_dir is not None:
            return Path(self.cache_dir).expanduser()
        from .cache import default_dir

        return default_dir(env)


class OptionsError(ValueError):
    """An invalid enrichment option (exit code 2)."""


def from_table(table: Mapping[str, Any], where: str, base: Path | None = None) -> dict[str, Any]:
    """Check ``[tool.digestconv.enrich]`` and turn it into :class:`EnrichOptions` fields.

    Relative paths are resolved against ``base`` (the config file's folder).
    """
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key not in CONFIG_KEYS:
            raise OptionsError(
                f"{where}: unknown key 'enrich.{key}' (known keys: {', '.join(CONFIG_KEYS)})"
            )
        if key == "offline":
            if not isinstance(value, bool):
                raise OptionsError(f"{where}: 'enrich.offline' must be true or false")
            out["offline"] = value
        elif key in ("snapshot", "cache-dir"):
            if not isinstance(value, str) or not value:
                raise OptionsError(f"{where}: 'enrich.{key}' must be a path")
            path = Path(value).expanduser()
            if base is not None and not path.is_absolute():
                path = base / path
            out[key.replace("-", "_")] = path
        elif key in ("max-age", "budget"):
            try:
                seconds = parse_duration(value, "d" if key == "max-age" else "s")
            except ValueError as exc:
                raise OptionsError(f"{where}: 'enrich.{key}': {exc}") from None
            out[key.replace("-", "_")] = seconds
        elif key == "contact":
            if not isinstance(value, str):
                raise OptionsError(f"{where}: 'enrich.contact' must be a string")
            out["contact"] = value.strip() or None
        elif key == "api-url":
            if not isinstance(value, str):
                raise OptionsError(f"{where}: 'enrich.api-url' must be a URL")
            _check_url(value, where)
            out["api_url"] = value
    return out


def _check_url(url: str, where: str) -> None:
    from .transport import check_endpoint

    try:
        check_endpoint(url)
    except ValueError as exc:
        raise OptionsError(f"{where}: {exc}") from None


def resolve(
    *,
    table: Mapping[str, Any] | None = None,
    table_where: str = "configuration",
    table_base: Path | None = None,
    env: Mapping[str, str] | None = None,
    offline: bool | None = None,
    snapshot: Path | None = None,
    cache_dir: Path | None = None,
    max_age: str | float | None = None,
    refresh: bool | None = None,
    contact: str | None = None,
    budget: str | float | None = None,
) -> EnrichOptions:
    """Options from a config table, the environment and flags (in rising precedence)."""
    env = os.environ if env is None else env
    fields: dict[str, Any] = from_table(table or {}, table_where, table_base)
    if env.get("DIGESTCONV_CACHE_DIR", "").strip():
        fields["cache_dir"] = Path(env["DIGESTCONV_CACHE_DIR"].strip()).expanduser()
    if env.get("DIGESTCONV_ARXIV_API", "").strip():
        url = env["DIGESTCONV_ARXIV_API"].strip()
        _check_url(url, "DIGESTCONV_ARXIV_API")
        fields["api_url"] = url
    if env.get("DIGESTCONV_CONTACT", "").strip():
        fields["contact"] = env["DIGESTCONV_CONTACT"].strip()
    if _truthy(env.get("DIGESTCONV_OFFLINE")):
        fields["offline"] = True
    if offline:
        fields["offline"] = True
    if snapshot is not None:
        fields["snapshot"] = Path(snapshot)
    if cache_dir is not None:
        fields["cache_dir"] = Path(cache_dir)
    if max_age is not None:
        try:
            fields["max_age"] = parse_duration(max_age, "d")
        except ValueError as exc:
            raise OptionsError(f"--max-age: {exc}") from None
    if refresh:
        fields["refresh"] = True
    if contact is not None:
        fields["contact"] = contact.strip() or None
    if budget is not None:
        try:
            fields["budget"] = parse_duration(budget, "s")
        except ValueError as exc:
            raise OptionsError(f"--budget: {exc}") from None
    return dataclasses.replace(EnrichOptions(), **fields)
