"""The published JSON Schema of the parsed form, and validation against it.

Validation has two speeds: a compiled validator (fastjsonschema) answers
"valid?" for the common case, and only an invalid document is run through
jsonschema, whose errors carry the JSON path that :func:`locate` maps back to a
source line and column.  The schema ships inside the package, so validation
never touches the network.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import lru_cache
from importlib import resources
from typing import Any

from .model import Digest, Span

SCHEMA_RESOURCE = "digest.schema.json"


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The digest JSON Schema (draft-07) as shipped in the package."""
    text = resources.files("digestconv.data").joinpath(SCHEMA_RESOURCE).read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@lru_cache(maxsize=1)
def _fast() -> Callable[[Any], Any]:
    import fastjsonschema

    return fastjsonschema.compile(schema())


def errors(document: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Yield ``(path, message)`` for every schema violation of ``document``."""
    try:
        _fast()(document)
        return
    except Exception:
        pass
    import jsonschema

    validator = jsonschema.Draft7Validator(schema())
    for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.path))):
        yield tuple(error.absolute_path), error.message


def locate(digest: Digest, path: tuple[str | int, ...]) -> Span:
    """Map a JSON path into ``digest.to_dict()`` to the source span it came from."""
    entry = path[1] if len(path) >= 2 and path[0] == "entries" else None
    if isinstance(entry, int) and entry < len(digest.papers):
        paper = digest.papers[entry]
        if len(path) >= 3 and isinstance(path[2], str):
            return paper.span(path[2])
        return paper.span("block")
    if path and path[0] in digest.landmarks:
        return digest.landmarks[str(path[0])]
    return Span.point(1)
