"""One real request to arXiv: opt-in only (``pytest -m live``), never in CI.

Sockets outside loopback are forbidden in the suite, so this test enables them
for itself; it is deselected by default (``addopts`` has ``-m 'not live'``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from digestconv.enrich import EnrichOptions, lookup

pytestmark = [
    pytest.mark.live,
    pytest.mark.enable_socket,
    pytest.mark.skipif(bool(os.environ.get("CI")), reason="never against arXiv in CI"),
]


def test_arxiv_answers_two_known_papers(tmp_path: Path) -> None:
    options = EnrichOptions(cache_dir=tmp_path, contact=os.environ.get("DIGESTCONV_CONTACT"))
    result = lookup(["0704.0001", "2403.15711", "0704.99999"], options)
    assert result.failed == {}, result.failed
    record = result.records["0704.0001"]
    assert record.title.startswith("Calculation of prompt diphoton production")
    assert record.published and record.published.startswith("2007-04-02")
    assert [a.family for a in record.authors][:2] == ["Balázs", "Berger"]
    assert "2403.15711" in result.records
    assert "0704.99999" in result.missing
    assert result.requests == 1
