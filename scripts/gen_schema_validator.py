"""Generate ``digestconv/_schema_validator.py`` from ``schemas/digest.schema.json``.

The generated module is fastjsonschema's compiled validator with its exception
import replaced by a local class, so validation at run time needs neither
fastjsonschema nor a compile step.  ``tests/test_schema.py`` checks that the
committed module matches this script's output.

    python scripts/gen_schema_validator.py          # rewrite the module
    python scripts/gen_schema_validator.py --check  # exit 1 when it is stale
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schemas" / "digest.schema.json"
TARGET = ROOT / "digestconv" / "_schema_validator.py"
_IMPORT = "from fastjsonschema import JsonSchemaValueException, JsonSchemaValuesException\n"
_HEADER = '''"""Compiled validator of ``schemas/digest.schema.json`` (generated: do not edit).

Regenerate with ``python scripts/gen_schema_validator.py``.
"""
# ruff: noqa
# fmt: off
# mypy: ignore-errors


class JsonSchemaValueException(ValueError):
    """The document violates the schema (details come from jsonschema)."""

    def __init__(self, message, value=None, name=None, definition=None, rule=None):
        super().__init__(message)


JsonSchemaValuesException = JsonSchemaValueException

'''


def generate() -> str:
    """The module text for the current schema."""
    import fastjsonschema

    code = fastjsonschema.compile_to_code(json.loads(SCHEMA.read_text("utf-8")))
    if _IMPORT not in code:
        raise SystemExit("fastjsonschema's generated import changed: update this script")
    code = code.replace(_IMPORT, "")
    name = next(
        line.split("(")[0][4:]
        for line in code.splitlines()
        if line.startswith("def validate") and "definitions" not in line
    )
    return _HEADER + code + f"\n\nvalidate = {name}\n"


if __name__ == "__main__":
    text = generate()
    if "--check" in sys.argv:
        sys.exit(0 if TARGET.read_text("utf-8") == text else 1)
    TARGET.write_text(text, "utf-8")
