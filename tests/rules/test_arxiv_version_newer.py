"""DC505 arxiv-version-newer: the digest names a version arXiv does not have."""

from __future__ import annotations

from .conftest import assert_registered
from .metadata_util import check, real_paper, record_of, silent_on_real_records

NAME = "arxiv-version-newer"


def test_registered() -> None:
    assert_registered(NAME, "DC505", "error", scope="metadata")


def test_version_above_latest() -> None:
    paper = real_paper()
    assert paper.version == 1
    import dataclasses

    paper = dataclasses.replace(paper, version=3)
    [d] = check(NAME, paper, record_of(paper, version=2))
    assert d.severity == "error" and "v3" in d.message and "latest is v2" in d.message


def test_older_or_equal_version_is_fine() -> None:
    paper = real_paper()
    assert check(NAME, paper, record_of(paper, version=4)) == []
    assert check(NAME, paper, record_of(paper, version=1)) == []
    silent_on_real_records(NAME)
