"""DC208 version-mismatch: the versions written for one paper disagree."""

from __future__ import annotations

from .conftest import (
    SEED_000,
    SEED_001,
    assert_diagnostic,
    assert_ignorable,
    assert_registered,
    fired,
    parse,
    position,
    seed,
)

NAME = "version-mismatch"


def test_registered() -> None:
    assert_registered(NAME, "DC208", "error")


def test_versioned_url_against_abstract_prefix() -> None:
    text = seed(SEED_000).replace("abs/2403.15711", "abs/2403.15711v2")
    [diag] = fired(text, NAME)
    line, col = position(text, "arXiv:2403.15711v1 Announce")
    assert_diagnostic(
        diag, NAME, line, col, says=["abstract prefix says v1", "URL says v2", "one version"]
    )
    assert (line, col) == (22, 5)


def test_abstract_prefix_edited() -> None:
    text = seed(SEED_001).replace("arXiv:2312.11511v2 Announce", "arXiv:2312.11511v3 Announce", 1)
    assert not fired(text, NAME)  # the URL has no version: nothing to disagree with
    text = text.replace("abs/2312.11511", "abs/2312.11511v2")
    [diag] = fired(text, NAME)
    assert_diagnostic(diag, NAME, *position(text, "arXiv:2312.11511v3"), says=["v3", "v2"])


def test_updated_title_suffix_against_url() -> None:
    text = seed(SEED_001).replace("abs/2310.13833", "abs/2310.13833v1")
    [diag] = fired(text, NAME)
    line, col = position(
        text, "GraphMaker: Can Diffusion Models Generate Large Attributed Graphs?. ("
    )
    assert_diagnostic(diag, NAME, line, col, says=["title suffix says v2", "URL says v1"])


def test_unversioned_url_passes() -> None:
    assert not fired(seed(SEED_000), NAME)
    assert parse(seed(SEED_000)).papers[0].version == 1


def test_agreeing_versions_pass() -> None:
    text = seed(SEED_001).replace("abs/2310.13833", "abs/2310.13833v2")
    assert not fired(text, NAME)


def test_real_digests_pass(real_diagnostics: tuple) -> None:
    assert not [d for d in real_diagnostics if d.rule == NAME]


def test_ignore() -> None:
    assert_ignorable(seed(SEED_000).replace("abs/2403.15711", "abs/2403.15711v2"), NAME)
