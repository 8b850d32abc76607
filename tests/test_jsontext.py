"""Indented JSON text that leaves no garbage cycle: ``json.dumps(indent=2)``'s bytes."""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digestconv.jsontext import dumps

ROOT = Path(__file__).resolve().parent.parent

_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
_keys = st.text() | st.integers() | st.booleans() | st.none() | st.floats(allow_nan=False)
values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(_keys, inner, max_size=4)
    ),
    max_leaves=20,
)


@given(values, st.booleans(), st.integers(0, 4))
def test_the_text_of_json_dumps_with_an_indent(value: Any, ensure_ascii: bool, indent: int) -> None:
    expected = json.dumps(value, ensure_ascii=ensure_ascii, indent=indent)
    assert dumps(value, ensure_ascii=ensure_ascii, indent=indent) == expected


def test_a_key_json_cannot_write_is_refused_as_json_refuses_it() -> None:
    with pytest.raises(TypeError):
        json.dumps({(1, 2): 3}, indent=2)
    with pytest.raises(TypeError):
        dumps({(1, 2): 3})


def test_no_garbage_cycle_where_json_dumps_leaves_one() -> None:
    """What made ``to csl-json`` hold 261 MB over the history-shaped corpus: an item
    rendered as each paper is merged, while the collector is held off the models."""
    from digestconv.conversion import convert
    from digestconv.formats import find

    item = json.loads(convert([ROOT / "seeds"], find("csl-json"), env={}, jobs=1).output)[0]
    was = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        for _ in range(50):
            json.dumps(item, indent=2)
        assert gc.collect() > 0  # the cycles this module exists to avoid
        for _ in range(50):
            dumps(item, ensure_ascii=False)
        assert gc.collect() == 0
    finally:
        if was:
            gc.enable()
