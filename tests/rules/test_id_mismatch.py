"""DC207 id-mismatch: the URL, title suffix and abstract prefix name different papers."""

from __future__ import annotations

from .conftest import (
    SEED_000,
    SEED_001,
    assert_diagnostic,
    assert_ignorable,
    assert_registered,
    fired,
    position,
    seed,
)

NAME = "id-mismatch"
OLD_LINK = "http://arxiv.org/abs/2310.15719"


def test_registered() -> None:
    assert_registered(NAME, "DC207", "error")


def test_url_digits_swapped_against_title_suffix() -> None:
    # the design's example: the link names 2310.15791, the old title suffix 2310.15719
    text = seed(SEED_001).replace(OLD_LINK, "http://arxiv.org/abs/2310.15791")
    [diag] = fired(text, NAME)
    line, col = position(text, "Recurrent Linear Transformers. (arXiv")
    assert_diagnostic(
        diag,
        NAME,
        line,
        col,
        says=["title suffix names 2310.15719", "URL names 2310.15791", "agree"],
    )
    assert line == 231


def test_title_suffix_edited() -> None:
    text = seed(SEED_001).replace("(arXiv:2310.15719v1 [cs.LG])", "(arXiv:2310.15718v1 [cs.LG])", 1)
    [diag] = fired(text, NAME)
    assert_diagnostic(diag, NAME, 231, 5, says=["title suffix names 2310.15718"])


def test_abstract_prefix_edited() -> None:
    text = seed(SEED_000).replace("arXiv:2403.15711v1 Announce", "arXiv:2403.15712v1 Announce", 1)
    [diag] = fired(text, NAME)
    line, col = position(text, "arXiv:2403.15712v1")
    assert_diagnostic(
        diag, NAME, line, col, says=["abstract prefix names 2403.15712", "URL names 2403.15711"]
    )
    assert (line, col) == (22, 5)


def test_table_url_edited() -> None:
    text = seed(SEED_000).replace(
        "(https://arxiv.org/abs/2402.04177) |", "(https://arxiv.org/abs/2402.04178) |", 1
    )
    [diag] = fired(text, NAME)
    assert_diagnostic(
        diag,
        NAME,
        *position(text, "https://arxiv.org/abs/2402.04178"),
        says=["table URL names 2402.04178"],
    )


def test_same_id_in_other_url_forms_passes() -> None:
    text = seed(SEED_000).replace(
        "https://arxiv.org/abs/2403.15711", "http://export.arxiv.org/abs/2403.15711v1"
    )
    assert not fired(text, NAME)
    text = seed(SEED_001).replace(OLD_LINK, "https://arxiv.org/pdf/2310.15719v1")
    assert not fired(text, NAME)


def test_real_digests_pass(real_diagnostics: tuple) -> None:
    assert not [d for d in real_diagnostics if d.rule == NAME]


def test_ignore() -> None:
    assert_ignorable(seed(SEED_001).replace(OLD_LINK, "http://arxiv.org/abs/2310.15791"), NAME)
