"""RSS 2.0: round trips through the reader, and the output as feedparser reads it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from pathlib import Path

import feedparser
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from digestconv.formats._xml import readable
from digestconv.formats.base import Batch, FormatError, Source
from digestconv.formats.rss import Rss
from digestconv.model import Paper
from digestconv.reader import read
from tests.formats.feedutil import FILES, UTC, WHEN, expected
from tests.strategies import HOSTILE, papers, unique_papers


def as_feedparser_shows(text: str) -> str:
    """feedparser re-decodes text of a UTF-8 feed that is all Latin-1 and valid UTF-8 when
    encoded as Latin-1 (a repair for double-encoded feeds): ``'Â¡'`` is shown as ``'¡'``."""
    text = text.strip()
    try:
        return text.encode("iso-8859-1").decode("utf-8")
    except UnicodeError:
        return text


def batch_of(files: list[Path], updated: dt.datetime = WHEN) -> Batch:
    sources, merged, seen = [], [], set()
    for path in files:
        digest = read(path.read_bytes(), str(path))
        sources.append(Source(str(path), digest.papers))
        for paper in digest.papers:
            if paper.arxiv_id not in seen:
                seen.add(paper.arxiv_id)
                merged.append(paper)
    return Batch(tuple(merged), tuple(sources), updated, "arXiv digest", "https://arxiv.org/")


def parsed(text: str) -> feedparser.FeedParserDict:
    result = feedparser.parse(text.encode("utf-8"))
    assert not result.bozo, result.get("bozo_exception")
    assert result.version == "rss20"
    return result


def canonical(paper: Paper) -> str:
    return f"https://arxiv.org/abs/{paper.arxiv_id}"


def check_consumer(batch: Batch, text: str) -> None:
    """feedparser reads one entry per paper with the paper's title, link and guid."""
    feed = parsed(text)
    assert len(feed.entries) == len(batch.papers)
    assert time.struct_time(feed.feed.updated_parsed)[:6] == batch.updated.utctimetuple()[:6]
    for paper, entry in zip(batch.papers, feed.entries, strict=True):
        want = expected(paper)
        # RSS 2.0 does not say whether a title is text or escaped HTML: feedparser guesses
        # HTML when the text holds a closing tag or an entity reference and then sanitises
        # it, so only a title it reads as plain text can be compared character for character.
        if want.title is None:  # nothing left after cleaning: a substitute is shown
            assert entry.title
        elif entry.title_detail.type == "text/plain":
            assert entry.title == as_feedparser_shows(readable(want.title))
        assert entry.link == want.url
        assert entry.id == canonical(paper)
        # a digest gives no day of submission, and none is made up
        assert "published_parsed" not in entry


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_real_digest_round_trip(path: Path) -> None:
    batch = batch_of([path])
    text = Rss().write(batch)
    assert Rss().read(text) == [expected(p) for p in batch.papers]
    check_consumer(batch, text)


def test_whole_corpus_one_feed() -> None:
    batch = batch_of(FILES)
    assert len(batch.papers) > 600
    text = Rss().write(batch)
    assert Rss().read(text) == [expected(p) for p in batch.papers]
    check_consumer(batch, text)
    channel = etree.fromstring(text.encode()).find("channel")
    guids = [g.text for g in channel.iter("guid")]
    assert len(set(guids)) == len(guids)


def test_items_without_metadata_have_no_made_up_date() -> None:
    batch = batch_of(FILES[:1])
    text = Rss().write(batch)
    feed = parsed(text)
    assert feed.entries and all("published_parsed" not in e for e in feed.entries)
    assert etree.fromstring(text.encode()).find("channel/item/pubDate") is None


@pytest.mark.parametrize(
    "updated",
    [
        dt.datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC),
        dt.datetime(2031, 2, 3, 4, 5, 6, tzinfo=UTC),
        dt.datetime(2024, 6, 1, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))),
    ],
)
def test_channel_dates_follow_batch_updated(updated: dt.datetime) -> None:
    batch = batch_of(FILES[:1], updated)
    feed = parsed(Rss().write(batch))
    want = updated.utctimetuple()[:6]
    assert tuple(feed.feed.updated_parsed[:6]) == want
    assert tuple(feed.feed.published_parsed[:6]) == want


def test_deterministic() -> None:
    batch = batch_of(FILES[:3])
    assert Rss().write(batch) == Rss().write(batch_of(FILES[:3]))


def test_truncated_abstract_is_marked() -> None:
    paper = Paper(
        ref=1,
        arxiv_id="2403.15711",
        url="https://arxiv.org/abs/2403.15711",
        title="T",
        abstract="Cut here",
        abstract_truncated=True,
    )
    feed = parsed(Rss().write(Batch((paper,))))
    assert "Cut here […]" in feed.entries[0].summary
    assert feed.entries[0]["dg_abstract-truncated"] == "true"
    assert Rss().read(Rss().write(Batch((paper,))))[0].abstract == "Cut here"


def test_missing_and_odd_fields_round_trip() -> None:
    odd = (
        Paper(ref=1, title=None, url=None, arxiv_id=None, title_zh="只有中文标题"),
        Paper(ref=2, arxiv_id="2413.99999", url="arxiv.org/abs/2413.99999", title="Bad id"),
        Paper(ref=3, arxiv_id="hep-th/9901001", url="ftp://example.org/x", title=None),
        Paper(
            ref=4,
            arxiv_id=None,
            url="https://example.org/p",
            title="No id",
            abstract="two\nlines\r\nand\ttab ",
        ),
    )
    text = Rss().write(Batch(odd))
    assert Rss().read(text) == [expected(p) for p in odd]
    feed = parsed(text)
    assert [e.title for e in feed.entries] == ["只有中文标题", "Bad id", "hep-th/9901001", "No id"]
    assert len({e.id for e in feed.entries}) == 4
    assert all(e.link.startswith("https://") for e in feed.entries)


def test_snapshot_of_one_real_item() -> None:
    batch = batch_of([p for p in FILES if p.name.startswith("000_")])
    item = etree.fromstring(Rss().write_bytes(Batch(batch.papers[:1]))).find("channel/item")
    for element in item.iter():
        if element.text and len(element.text) > 60:
            element.text = element.text[:24] + "..."
    item.tail = None
    etree.indent(item)
    assert etree.tostring(item, encoding="unicode") == SNAPSHOT


SNAPSHOT = """\
<item xmlns:dg="urn:digestconv:digest:1" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <title>Identifiable Latent Neural Causal Models</title>
  <link>https://arxiv.org/abs/2403.15711</link>
  <guid isPermaLink="true">https://arxiv.org/abs/2403.15711</guid>
  <description>&lt;div&gt;&lt;h3 class="title-zh...</description>
  <dg:ref>1</dg:ref>
  <dg:arxiv-id>2403.15711</dg:arxiv-id>
  <dg:version>1</dg:version>
  <dg:title-zh>可识别的潜在神经因果模型</dg:title-zh>
  <dg:summary-zh>该研究确定了在潜在附加噪声模型背景下导致可识别性...</dg:summary-zh>
  <dg:abstract>Causal representation le...</dg:abstract>
  <dg:abstract-zh>因果表征学习旨在从低级观测数据中揭示潜在的高级因...</dg:abstract-zh>
  <dg:announce-type>new</dg:announce-type>
  <dg:abstract-truncated>true</dg:abstract-truncated>
</item>"""


# --- property tests -------------------------------------------------------------------

when = st.datetimes(
    min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2090, 1, 1), timezones=st.just(UTC)
)


@given(unique_papers(max_size=6), when)
def test_hostile_round_trip(items: list[Paper], updated: dt.datetime) -> None:
    batch = Batch(tuple(items), (Source("a.md", tuple(items)),), updated)
    text = Rss().write(batch)
    assert Rss().read(text) == [expected(p) for p in items]
    check_consumer(batch, text)


@given(st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=20).map("".join))
def test_hostile_fragments_everywhere(junk: str) -> None:
    paper = Paper(
        ref=7,
        arxiv_id="2403.15711",
        url="https://arxiv.org/abs/2403.15711",
        title=f"T {junk}",
        title_zh=junk,
        summary_zh=junk,
        summary_en=junk,
        abstract=junk * 50,
        abstract_zh=junk,
        announce_type=junk,
        primary_category=junk,
    )
    batch = Batch((paper,), title=junk or "t", link="https://arxiv.org/")
    text = Rss().write(batch)
    assert Rss().read(text) == [expected(paper)]
    parsed(text)


@given(
    papers(),
    st.sampled_from([None, "", "2413.99999", "not an id"]),
    st.sampled_from([None, "arxiv.org/abs/x", "javascript:alert(1)", "https://example.org/a b"]),
)
def test_substituted_fields_round_trip(paper: Paper, arxiv_id: str | None, url: str | None) -> None:
    paper = dataclasses.replace(paper, arxiv_id=arxiv_id or None, url=url, title=None)
    text = Rss().write(Batch((paper,)))
    assert Rss().read(text) == [expected(paper)]
    feed = parsed(text)
    assert feed.entries[0].link.startswith("https://")


# --- malformed input -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not xml at all",
        "<rss version='2.0'><channel><item>",
        "<feed xmlns='http://www.w3.org/2005/Atom'/>",
        "<rss version='2.0'/>",
        "<rss><channel><item><title>&undefined;</title></item></channel></rss>",
        "<rss xmlns:dg='urn:digestconv:digest:1'><channel><item><dg:arxiv-id>1</dg:arxiv-id>"
        "<dg:ref>one</dg:ref></item></channel></rss>",
        "<rss xmlns:dg='urn:digestconv:digest:1'><channel><item><dg:arxiv-id>1</dg:arxiv-id>"
        "<dg:abstract-truncated>maybe</dg:abstract-truncated></item></channel></rss>",
    ],
)
def test_malformed_input_is_a_format_error(text: str) -> None:
    with pytest.raises(FormatError):
        Rss().read(text)


def test_invalid_utf8_is_a_format_error() -> None:
    with pytest.raises(FormatError):
        Rss().read_bytes(b"<rss version='2.0'><channel><title>\xff</title></channel></rss>")


def test_entities_are_never_expanded() -> None:
    doc = (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">'
        '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<rss version="2.0"><channel><item><title>&x;&b;</title>'
        "<link>https://arxiv.org/abs/2403.15711</link></item></channel></rss>"
    )
    (paper,) = Rss().read(doc)
    assert "root:" not in (paper.title or "")
    assert "aaaaaaaaaa" not in (paper.title or "")
    assert paper.arxiv_id == "2403.15711"


def test_reads_a_foreign_feed() -> None:
    doc = (
        "<rss version='2.0'><channel><title>arXiv cs.LG</title><item>"
        "<title>A paper</title><link>http://arxiv.org/abs/2403.15711v2</link>"
        "<description>The abstract.</description><category>cs.LG</category>"
        "</item></channel></rss>"
    )
    assert Rss().read(doc) == [
        Paper(
            arxiv_id="2403.15711",
            version=2,
            url="http://arxiv.org/abs/2403.15711v2",
            title="A paper",
            abstract="The abstract.",
            primary_category="cs.LG",
        )
    ]


def test_ascii_output_reads_back_the_same() -> None:
    batch = batch_of(FILES[:2])
    data = Rss().write(dataclasses.replace(batch, ascii=True))
    assert data.isascii()
    parsed(data)
    assert Rss().read(data) == Rss().read(Rss().write(batch))
