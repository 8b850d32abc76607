"""The json renderer: the contract fields, sorted, parsed back with ``json``."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from digestconv.model import Diagnostic, Report
from digestconv.report.json import render
from tests.strategies import one_line

from .test_snapshots import REPORT

CONTRACT = [
    "path",
    "line",
    "column",
    "end_line",
    "end_column",
    "code",
    "rule",
    "severity",
    "message",
]


def test_fixture_round_trips() -> None:
    out = render(REPORT)
    data = json.loads(out)
    assert isinstance(data, list)
    expected = sorted(REPORT.diagnostics, key=Diagnostic.sort_key)
    assert data == [d.to_dict() for d in expected]
    assert [Diagnostic(**item) for item in data] == expected
    for item in data:
        assert list(item) == CONTRACT


def test_layout() -> None:
    out = render(REPORT)
    assert out.endswith("]\n")
    assert out.startswith('[\n  {\n    "path": ')
    assert "摘要 第1期" in out  # UTF-8 text, not \u escapes
    assert render(Report(())) == "[]\n"


def test_lone_surrogate_path_stays_encodable() -> None:
    path = "bad-\udcff.md"
    d = Diagnostic(path, 1, 1, 1, 2, "DC003", "encoding", "error", "m")
    out = render(Report((d,)))
    out.encode("utf-8")
    assert json.loads(out)[0]["path"] == path


@given(
    st.lists(
        st.builds(
            Diagnostic,
            path=one_line(min_size=1),
            line=st.integers(1, 10**6),
            column=st.integers(1, 10**4),
            end_line=st.integers(1, 10**6),
            end_column=st.integers(1, 10**4),
            code=st.integers(0, 999).map(lambda n: f"DC{n:03d}"),
            rule=st.sampled_from(["syntax", "io-error", "abstract-truncated"]),
            severity=st.sampled_from(["error", "warning"]),
            message=st.lists(one_line(), max_size=3).map("\n".join),
        ),
        max_size=5,
    )
)
def test_any_diagnostics_round_trip(diagnostics: list[Diagnostic]) -> None:
    data = json.loads(render(Report(tuple(diagnostics))))
    assert [Diagnostic(**item) for item in data] == sorted(diagnostics, key=Diagnostic.sort_key)
