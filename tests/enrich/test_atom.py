"""Atom parsing against the recorded real API responses and hostile variants."""

from __future__ import annotations

import pytest

from digestconv.enrich.atom import FeedError, match_key, paragraphs, parse_feed, split_entry_id

from .conftest import sample


def test_hundred_entries_matched_by_id() -> None:
    feed = parse_feed(sample("arxiv-api-sample-100.xml"))
    assert len(feed.records) == 100
    assert feed.total == 214881
    record = feed.records["2202.12139"]
    assert record.arxiv_id == "2202.12139" and record.version == 1
    assert record.title.startswith("Testing Deep Learning Models")
    assert record.categories == ("cs.SE", "cs.LG")
    assert record.primary_category == "cs.SE"
    assert record.published == "2022-02-24T15:05:19Z"
    assert record.doi == "10.1109/ICSTW55395.2022.00035"
    assert record.journal_ref and record.journal_ref.startswith("Artificial Intelligence")
    assert [a.family for a in record.authors] == ["Ahuja", "Gotlieb", "Spieker"]
    assert record.authors[0].given == "Mohit Kumar"
    assert record.license is None  # the API has no licence field


def test_utf8_names_survive() -> None:
    record = parse_feed(sample("arxiv-api-sample-10.xml")).records["2405.13786"]
    assert record.authors[0].family == "Ramírez"
    assert record.authors[2].given == "José Raúl"


def test_old_style_id_with_affiliations() -> None:
    feed = parse_feed(sample("arxiv-api-sample-oldid-astro-ph-0601001.xml"))
    record = feed.records["astro-ph/0601001"]
    assert record.arxiv_id == "astro-ph/0601001"
    assert record.authors[0].affiliations == ("Ohio State",)
    assert record.journal_ref == "ActaAstron.56:1-50,2006"
    assert "\n" not in record.abstract and record.abstract.startswith("We derive")


def test_classic_layout_namespaces_per_element_and_folded_titles() -> None:
    feed = parse_feed(sample("arxiv-api-sample-classic-2016.xml"))
    record = feed.records["1111.2011"]
    assert record.version == 2
    assert record.title == (
        "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
    )
    assert record.published == "2011-11-08T18:48:36Z" and record.updated == "2012-04-02T12:38:54Z"
    assert record.primary_category == "cond-mat.str-el"
    assert record.doi == "10.1103/PhysRevB.85.115117"
    assert record.authors[1].family == "Del Maestro"
    assert "cond-mat/0607501" in feed.records


def test_empty_feed() -> None:
    feed = parse_feed(sample("arxiv-api-sample-empty.xml"))
    assert feed.records == {} and feed.errors == () and feed.total == 0


def test_error_feed_names_the_rejected_id() -> None:
    feed = parse_feed(sample("arxiv-api-sample-error-400.xml"))
    assert feed.records == {}
    assert [e.bad_id for e in feed.errors] == ["abc"]
    assert "incorrect id format" in feed.errors[0].message


ENTRY = """<entry><id>http://arxiv.org/abs/2401.00001v3</id><title>{title}</title>
<summary>{summary}</summary><published>2024-01-01T00:00:00Z</published>
<updated>2024-02-01T00:00:00Z</updated><author><name>A B</name></author></entry>"""


def _feed(entry: str, head: str = "") -> bytes:
    return (
        f'<?xml version="1.0"?>{head}<feed xmlns="http://www.w3.org/2005/Atom">{entry}</feed>'
    ).encode()


def test_a_title_of_zero_is_kept() -> None:
    record = parse_feed(_feed(ENTRY.format(title="0", summary="x"))).records["2401.00001"]
    assert record.title == "0" and record.version == 3


def test_paragraph_breaks() -> None:
    text = "  First line\nfolded here.\n  Second paragraph\nalso folded.\n"
    assert paragraphs(text) == "First line folded here.\nSecond paragraph also folded."


@pytest.mark.parametrize(
    "data",
    [
        _feed(
            ENTRY.format(title="&xxe;", summary="x"),
            '<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        ),
        _feed(
            ENTRY.format(title="&a;", summary="x"),
            '<!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa">]>',
        ),
        _feed(ENTRY.format(title="t", summary="x"))[:-20],  # truncated
        b"<html><body><h1>503 Service Unavailable</h1></body></html>",
        b"",
        b"Rate exceeded.",
    ],
    ids=["external-entity", "internal-entity", "truncated", "html", "empty", "text"],
)
def test_hostile_or_broken_bodies_are_refused(data: bytes) -> None:
    with pytest.raises(FeedError):
        parse_feed(data)


def test_entry_ids() -> None:
    assert split_entry_id("http://arxiv.org/abs/2202.12139v1") == ("2202.12139", 1)
    assert split_entry_id("https://arxiv.org/abs/hep-th/9901001v12") == ("hep-th/9901001", 12)
    assert split_entry_id("https://arxiv.org/abs/2202.12139") == ("2202.12139", None)
    assert split_entry_id("https://arxiv.org/api/errors#x") is None
    assert match_key("math.GT/0309136") == "math/0309136"
    assert match_key("2403.15711") == "2403.15711"
