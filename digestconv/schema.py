"""The published JSON Schema of the parsed form, and validation against it.

Validation has three speeds.  :func:`surely_valid` looks at the model itself,
field by field, and says yes only when every constraint of the schema holds
(it never says yes to a document the schema refuses, and a test holds it to
jsonschema's verdict).  Whatever it is unsure of goes to a validator compiled
ahead of time from the schema (:mod:`digestconv._schema_validator`, generated
by fastjsonschema), and only an invalid document is run through jsonschema,
whose errors carry the JSON path that :func:`locate` maps back to a source line
and column.  The schema ships inside the package, so validation
never touches the network.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from .data import read_text
from .model import Digest, Span

SCHEMA_RESOURCE = "digest.schema.json"


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The digest JSON Schema (draft-07) as shipped in the package."""
    text = read_text(SCHEMA_RESOURCE)
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _entry_schema() -> dict[str, Any]:
    return schema()["definitions"]["entry"]["properties"]  # type: ignore[no-any-return]


#: the entry properties :func:`surely_valid` checks, by the kind of check (a test holds
#: each property's schema to its kind)
COUNTS = ("ref", "version", "line", "end_line")  # integer or null, at least 1
TEXTS = ("title", "title_zh", "summary_zh", "summary_en", "abstract", "abstract_zh")
PATTERNS = ("arxiv_id", "url", "primary_category")  # string or null, matching a pattern
FLAGS = ("abstract_truncated", "translation_truncated")  # boolean
ENUMS = ("announce_type",)


@lru_cache(maxsize=1)
def _checks() -> tuple[Any, ...]:
    props = _entry_schema()
    arxiv_id, url, category = (re.compile(props[name]["pattern"]).search for name in PATTERNS)
    return arxiv_id, url, category, frozenset(props["announce_type"]["enum"])


def surely_valid(digest: Digest) -> bool:
    """Whether ``digest.to_dict()`` certainly meets the schema, from the model alone.

    ``False`` means "not sure": the caller then runs the full validation.  The
    common, valid digest is answered without building its JSON form.
    """
    if type(digest.path) is not str or not digest.path:
        return False
    if digest.kind != "digest":
        return False  # abstract pages are rare: the full check
    arxiv_id, url, category, announce = _checks()
    for p in digest.papers:
        for v in (p.ref, p.version, p.line, p.end_line):
            if v is not None and (type(v) is not int or v < 1):
                return False
        for v in (p.title, p.title_zh, p.summary_zh, p.summary_en, p.abstract, p.abstract_zh):
            if v is not None and (type(v) is not str or not v):
                return False
        for v, match in ((p.arxiv_id, arxiv_id), (p.url, url), (p.primary_category, category)):
            if v is not None and (type(v) is not str or match(v) is None):
                return False
        if type(p.abstract_truncated) is not bool or type(p.translation_truncated) is not bool:
            return False
        if p.announce_type is not None and (
            type(p.announce_type) is not str or p.announce_type not in announce
        ):
            return False
    return True


def errors(document: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Yield ``(path, message)`` for every schema violation of ``document``."""
    from ._schema_validator import JsonSchemaValueException, validate

    try:
        validate(document)
        return
    except JsonSchemaValueException:
        pass  # look closer with jsonschema, whose errors carry paths
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
