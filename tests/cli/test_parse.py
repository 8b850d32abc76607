"""``digestconv parse``: a JSON array, one schema-valid object per input, in argument order."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from .conftest import (
    CORPUS,
    SCHEMA,
    SEED_000,
    SEED_001,
    SEED_003,
    SEED_004,
    SEEDS,
    Invoke,
    assert_no_traceback,
    copy_seed,
)


@lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema

    schema = json.loads(SCHEMA.read_text("utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _check_schema(documents: list[dict[str, Any]]) -> None:
    validator = _validator()
    for doc in documents:
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        assert not errors, (doc.get("path"), [e.message for e in errors[:3]])


def test_parse_in_argument_order(cli: Invoke) -> None:
    order = [SEED_004, SEED_001, SEED_000, SEED_003]
    result = cli("parse", *order)
    assert result.exit_code == 0, result.stderr
    documents = json.loads(result.stdout)
    assert isinstance(documents, list)
    assert [d["path"] for d in documents] == [str(p) for p in order]
    _check_schema(documents)
    kinds = {Path(d["path"]).name: d["kind"] for d in documents}
    assert kinds[SEED_004.name] == "abstract-page"
    assert {kinds[p.name] for p in (SEED_000, SEED_001, SEED_003)} == {"digest"}
    counts = {Path(d["path"]).name: len(d["entries"]) for d in documents}
    assert counts == {SEED_004.name: 0, SEED_001.name: 25, SEED_000.name: 2, SEED_003.name: 6}


def test_parse_folder_is_sorted_and_schema_valid(cli: Invoke) -> None:
    result = cli("parse", SEEDS)
    documents = json.loads(result.stdout)
    names = [Path(d["path"]).name for d in documents]
    assert names == sorted(names) and len(names) == 4
    _check_schema(documents)
    page = documents[-1]
    assert page["kind"] == "abstract-page" and page["abstract"] and page["abstract_zh"]


def test_parse_entry_fields(cli: Invoke) -> None:
    documents = json.loads(cli("parse", SEED_000).stdout)
    first = documents[0]["entries"][0]
    assert first["ref"] == 1
    assert first["arxiv_id"] == "2403.15711"
    assert first["version"] == 1
    assert first["announce_type"] == "new"
    assert first["url"] == "https://arxiv.org/abs/2403.15711"
    assert first["title"] == "Identifiable Latent Neural Causal Models"
    assert first["abstract_truncated"] is True
    assert not first["abstract"].startswith("arXiv:")


def test_parse_corpus_is_schema_valid(cli: Invoke) -> None:
    paths = sorted(p for p in CORPUS.glob("*.md") if p.stem.isdigit())
    result = cli("parse", *paths)
    assert result.exit_code == 0
    documents = json.loads(result.stdout)
    assert len(documents) == len(paths) == 99
    assert sum(len(d["entries"]) for d in documents) == 614
    _check_schema(documents)


def test_parse_stdin(cli: Invoke) -> None:
    result = cli("parse", "-", input=SEED_000.read_bytes())
    documents = json.loads(result.stdout)
    assert [d["path"] for d in documents] == ["<stdin>"]
    assert len(documents[0]["entries"]) == 2


def test_parse_missing_path_exits_2_and_prints_the_rest(cli: Invoke) -> None:
    result = cli("parse", SEED_000, "nowhere.md")
    assert result.exit_code == 2
    assert "nowhere.md" in result.stderr
    documents = json.loads(result.stdout)
    assert [Path(d["path"]).name for d in documents] == [SEED_000.name]
    assert_no_traceback(result.output)


def test_parse_to_file(cli: Invoke, in_tmp: Path) -> None:
    copy_seed(SEED_000, in_tmp, "a.md")
    result = cli("parse", "a.md", "-o", "out.json")
    assert result.exit_code == 0
    assert result.stdout == ""
    documents = json.loads((in_tmp / "out.json").read_text("utf-8"))
    _check_schema(documents)
    assert sorted(p.name for p in in_tmp.iterdir()) == [".git", "a.md", "out.json"]


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"", "DC001 not-a-digest empty file"),
        (b"\xff\xfe\x00binary", "DC003 encoding binary file"),
        (b"# just a heading\n", "DC001 not-a-digest not a digest"),
    ],
)
def test_parse_says_why_a_non_digest_has_no_json_form(cli: Invoke, data: bytes, said: str) -> None:
    result = cli("parse", "-", input=data)
    assert_no_traceback(result.output)
    assert json.loads(result.stdout) == []
    assert result.exit_code == 1
    assert "<stdin>:1:" in result.stderr and said in result.stderr


def test_parse_end_to_end_utf8(run: Invoke) -> None:
    result = run("parse", SEED_001)
    assert result.exit_code == 0
    documents = json.loads(result.stdout_bytes.decode("utf-8"))
    assert any("\u4e00" <= ch <= "\u9fff" for ch in documents[0]["entries"][0]["title_zh"])
