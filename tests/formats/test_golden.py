"""Without arXiv metadata every writer writes exactly what it wrote before metadata existed."""

from __future__ import annotations

import gzip
import json

import pytest

from tests.formats.golden import HERE, hashes, load


@pytest.fixture(scope="module")
def golden() -> tuple[dict[str, str], dict[str, str]]:
    data = json.loads(gzip.decompress((HERE / "papers.json.gz").read_bytes()))
    expected = json.loads((HERE / "hashes.json").read_text("utf-8"))
    return expected, hashes(load(data))


def test_outputs_without_metadata_are_byte_identical(
    golden: tuple[dict[str, str], dict[str, str]],
) -> None:
    expected, actual = golden
    assert len(expected) > 1000
    assert set(actual) == set(expected)
    changed = sorted(k for k in expected if expected[k] != actual[k])
    assert not changed, f"{len(changed)} outputs changed, first: {changed[:5]}"
