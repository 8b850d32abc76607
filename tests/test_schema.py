"""The published JSON Schema: shipped in the package, documented, and true to the reader."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from digestconv import schema as json_schema
from digestconv.reader import read

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = ROOT / "schemas" / "digest.schema.json"
FILES = sorted((ROOT / "tests" / "fixtures" / "corpus").glob("[0-9]*.md")) + sorted(
    (ROOT / "seeds").iterdir()
)


def _properties(node: Any, where: str = "#") -> list[tuple[str, dict[str, Any]]]:
    found = []
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            found.append((f"{where}/properties/{name}", sub))
        for key, sub in node.items():
            found.extend(_properties(sub, f"{where}/{key}"))
    return found


def test_package_ships_the_published_schema() -> None:
    assert json.loads(PUBLISHED.read_text("utf-8")) == json_schema.schema()


def test_schema_is_valid_and_documented() -> None:
    schema = json.loads(PUBLISHED.read_text("utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["$id"].endswith("digest.schema.json") and schema["title"]
    props = _properties(schema)
    assert len(props) > 15
    for where, sub in props:
        assert sub.get("description"), f"{where} has no description"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_real_file_validates(path: Path) -> None:
    document = read(path.read_bytes(), str(path)).to_dict()
    validator = jsonschema.Draft7Validator(json.loads(PUBLISHED.read_text("utf-8")))
    assert list(validator.iter_errors(document)) == []
    assert list(json_schema.errors(document)) == []


def test_fast_and_full_validators_agree_on_a_broken_document() -> None:
    document = read((ROOT / "seeds" / "000_20f5c0d8057fc2ad.txt").read_bytes(), "x").to_dict()
    document["entries"][1]["arxiv_id"] = "not an id"
    document["entries"][0]["ref"] = 0
    errors = list(json_schema.errors(document))
    assert [path for path, _ in errors] == [("entries", 0, "ref"), ("entries", 1, "arxiv_id")]


def test_locate_maps_paths_to_source() -> None:
    text = (ROOT / "seeds" / "000_20f5c0d8057fc2ad.txt").read_text("utf-8")
    digest = read(text, "x")
    span = json_schema.locate(digest, ("entries", 1, "url"))
    line = text.split("\n")[span.line - 1]
    assert line[span.column - 1 : span.end_column - 1] == digest.papers[1].url
    assert json_schema.locate(digest, ("entries", 99)).line == 1
