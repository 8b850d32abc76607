"""DC900 not-converted: conversion leaves out files that are not digests and broken papers."""

from __future__ import annotations

import pytest

from digestconv.api import check
from digestconv.conversion import SKIPPED_CODE, SKIPPED_RULE, convert, merge
from digestconv.settings import Settings

from .conftest import (
    SEED_000,
    SEED_004,
    SEEDS,
    assert_diagnostic,
    assert_registered,
    only,
    parse,
    position,
    seed,
)

NAME = "not-converted"


def _merge(*digests):  # type: ignore[no-untyped-def]
    return merge(list(digests), check(list(digests), Settings()))


def test_registered() -> None:
    assert_registered(NAME, "DC900", "error")
    assert (SKIPPED_CODE, SKIPPED_RULE) == ("DC900", NAME)


def test_never_reported_by_validation() -> None:
    assert not only(check([parse(seed(SEED_004), SEED_004)]), NAME)


def test_abstract_page_is_not_converted() -> None:
    papers, sources, notes = _merge(parse(seed(SEED_004), SEED_004))
    [diag] = only(notes, NAME)
    assert_diagnostic(diag, NAME, 1, 1, says=["not converted", "not a digest"], path=SEED_004)
    assert papers == [] and sources == []


def test_paper_touched_by_an_error_is_not_converted() -> None:
    text = seed(SEED_000).replace(
        "(https://arxiv.org/abs/2402.04177) |", "(https://arxiv.org/abs/2402.04178) |", 1
    )
    papers, _, notes = _merge(parse(text))
    [diag] = only(notes, NAME)
    assert_diagnostic(
        diag, NAME, *position(text, "[^2]: "), says=["[^2]", "arXiv:2402.04177", "fix the errors"]
    )
    assert [p.arxiv_id for p in papers] == ["2403.15711"]


def test_paper_without_identifier_is_not_converted() -> None:
    text = seed(SEED_000).replace("2402.04177", "2413.04177")
    papers, _, notes = _merge(parse(text))
    [diag] = only(notes, NAME)
    assert_diagnostic(
        diag, NAME, *position(text, "[^2]: "), says=["[^2]", "no valid arXiv identifier"]
    )
    assert [p.arxiv_id for p in papers] == ["2403.15711"]


def test_warnings_do_not_stop_conversion() -> None:
    digest = parse(seed(SEED_000))
    assert only(check([digest]), "abstract-truncated")
    papers, sources, notes = _merge(digest)
    assert not only(notes, NAME)
    assert [p.arxiv_id for p in papers] == ["2403.15711", "2402.04177"]
    assert len(sources) == 1


def test_reported_by_convert() -> None:
    from digestconv import formats

    fmt = formats.find("markdown")
    if fmt is None:
        pytest.skip("no markdown format registered")
    result = convert([SEEDS / SEED_000, SEEDS / SEED_004], fmt, Settings(), env={})
    [diag] = only(result.diagnostics, NAME)
    assert diag.path.endswith(SEED_004)
    assert result.skipped == 1
    assert result.exit_code == 1
    assert len(result.papers) == 2


def test_ignore() -> None:
    from digestconv import formats

    fmt = formats.find("markdown")
    assert fmt is not None
    for key in (NAME, "DC900"):
        result = convert([SEEDS / SEED_004], fmt, Settings(ignore=(key,)), env={})
        assert not only(result.diagnostics, NAME), key
