"""DC005 schema: the parsed form violates the published JSON Schema.

Violations are produced through the real reader, and each diagnostic must point
at the source of the offending field, not at the top of the file.
"""

from __future__ import annotations

from digestconv import schema as json_schema
from digestconv.settings import Settings

from .conftest import (
    SEED_000,
    SEED_001,
    SEED_004,
    assert_diagnostic,
    assert_ignorable,
    assert_registered,
    fired,
    only,
    parse,
    position,
    run,
    seed,
)

NAME = "schema"


def _without(*rules: str) -> Settings:
    """Settings with the rules that own a defect turned off, so only the schema reports it."""
    return Settings(ignore=rules)


def test_registered() -> None:
    assert_registered(NAME, "DC005", "error")


def test_reference_zero_in_table_points_at_the_row_reference() -> None:
    text = seed(SEED_000).replace("| [^1] |", "| [^0] |", 1)
    [diag] = fired(text, NAME, settings=_without("ref-order", "ref-missing-detail"))
    line, col = position(text, "[^0]")
    assert_diagnostic(diag, NAME, line, col, says=["entries/0/ref", "minimum of 1"])
    assert (line, col) == (5, 3)


def test_reference_zero_everywhere_points_at_the_block_marker() -> None:
    text = seed(SEED_000).replace("| [^1] |", "| [^0] |", 1).replace("[^1]: ", "[^0]: ", 1)
    [diag] = fired(text, NAME, settings=_without("ref-order"))
    line, col = position(text, "[^0]: ")
    assert_diagnostic(diag, NAME, line, col, says=["entries/0/ref", "0"])
    assert line == 10


def test_upper_case_category_points_at_the_title() -> None:
    text = seed(SEED_001).replace("[cs.LG])\n", "[CS.LG])\n", 1)
    [diag] = fired(text, NAME, settings=_without("unknown-category"))
    line, col = position(text, "Recurrent Linear Transformers. (arXiv")
    assert_diagnostic(diag, NAME, line, col, says=["primary_category", "CS.LG"])
    assert diag.line != 1


def test_non_http_url_points_at_the_url() -> None:
    old = "https://arxiv.org/abs/2402.04177"
    text = seed(SEED_000).replace(old, "ftp://arxiv.org/abs/2402.04177")
    [diag] = fired(text, NAME, settings=_without("url-not-arxiv"))
    line, col = position(text, "ftp://", occurrence=3)
    assert_diagnostic(diag, NAME, line, col, says=["entries/1/url", "ftp://"])
    assert diag.end_column == col + len("ftp://arxiv.org/abs/2402.04177")


def test_unknown_announce_type_points_at_the_abstract_prefix() -> None:
    text = seed(SEED_000).replace("Announce Type: new ", "Announce Type: newest ", 1)
    [diag] = fired(text, NAME)
    assert "announce_type" in diag.message
    assert diag.line == position(text, "Announce Type: newest")[0]


def test_every_real_digest_and_abstract_page_is_valid(real_diagnostics: tuple) -> None:
    assert not [d for d in real_diagnostics if d.rule == NAME]
    assert not fired(seed(SEED_004), NAME)
    assert list(json_schema.errors(parse(seed(SEED_004)).to_dict())) == []


def test_versioned_urls_are_valid() -> None:
    text = seed(SEED_000).replace("abs/2402.04177", "abs/2402.04177v3")
    assert not fired(text, NAME)
    assert parse(text).papers[1].version == 3


def test_ignore() -> None:
    assert_ignorable(
        seed(SEED_000).replace("Announce Type: new ", "Announce Type: newest ", 1), NAME
    )


def test_one_defect_one_diagnostic() -> None:
    """A violation that an enabled rule already reports is left to that rule."""
    cases = {
        "ref-order": seed(SEED_000).replace("| [^1] |", "| [^0] |", 1),
        "unknown-category": seed(SEED_001).replace("[cs.LG])\n", "[CS.LG])\n", 1),
        "url-not-arxiv": seed(SEED_000).replace(
            "https://arxiv.org/abs/2402.04177", "ftp://arxiv.org/abs/2402.04177"
        ),
    }
    both = seed(SEED_000).replace("| [^1] |", "| [^0] |", 1).replace("[^1]: ", "[^0]: ", 1)
    cases["ref-order "] = both
    for owner, text in cases.items():
        found = run(text)
        assert only(found, owner.strip()), owner
        assert not only(found, NAME), (owner, only(found, NAME))
        # without the owning rule, the schema still reports the defect
        assert only(run(text, settings=_without(owner.strip(), "ref-missing-detail")), NAME)
