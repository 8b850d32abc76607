"""Atom 1.0: round trips, RFC 4287 RELAX NG and Schematron validity, feedparser's reading."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import time
from functools import cache
from pathlib import Path

import feedparser
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree, isoschematron

from digestconv.formats._xml import readable
from digestconv.formats.atom import Atom
from digestconv.formats.base import Batch, FormatError, Source
from digestconv.model import Paper
from digestconv.reader import read
from tests.formats.feedutil import FILES, ROOT, UTC, WHEN, expected
from tests.strategies import HOSTILE, papers, unique_papers

RNG = ROOT / "tests" / "data" / "atom.rng"
A = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


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


@cache
def relaxng() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(RNG)))


@cache
def schematron() -> isoschematron.Schematron:
    """The Schematron rules embedded in the RFC 4287 schema, as ISO Schematron."""
    iso = "http://purl.oclc.org/dsdl/schematron"
    s = f"{{{iso}}}"
    schema = etree.Element(s + "schema", nsmap={"sch": iso})
    etree.SubElement(schema, s + "ns", prefix="atom", uri="http://www.w3.org/2005/Atom")
    count = 0
    for rule in etree.parse(str(RNG)).iter("{http://www.ascc.net/xml/schematron}rule"):
        pattern = etree.SubElement(schema, s + "pattern")
        new = etree.SubElement(pattern, s + "rule", context=rule.get("context"))
        for check in rule.iter("{http://www.ascc.net/xml/schematron}assert"):
            etree.SubElement(new, s + "assert", test=check.get("test")).text = check.text
            count += 1
    assert count == 3
    return isoschematron.Schematron(schema)


def check_valid(text: str) -> etree._Element:
    """Well-formed, valid against atom.rng, the RFC's Schematron rules and date rules."""
    root = etree.fromstring(text.encode("utf-8"))
    assert relaxng().validate(root), relaxng().error_log
    assert schematron().validate(root)
    for tag in ("updated", "published"):
        for element in root.iter(A + tag):
            assert RFC3339.fullmatch(element.text), element.text
    ids = [e.text for e in root.iterfind(f"{A}entry/{A}id")]
    assert len(set(ids)) == len(ids)
    return root


def parsed(text: str) -> feedparser.FeedParserDict:
    result = feedparser.parse(text.encode("utf-8"))
    assert not result.bozo, result.get("bozo_exception")
    assert result.version == "atom10"
    return result


def check_consumers(batch: Batch, text: str) -> None:
    """RELAX NG + Schematron valid; feedparser reads every entry's title, link, id, summary."""
    check_valid(text)
    feed = parsed(text)
    assert len(feed.entries) == len(batch.papers)
    assert time.struct_time(feed.feed.updated_parsed)[:6] == batch.updated.utctimetuple()[:6]
    for paper, entry in zip(batch.papers, feed.entries, strict=True):
        want = expected(paper)
        if want.title is None:  # nothing left after cleaning: a substitute is shown
            assert entry.title
        else:
            assert entry.title == as_feedparser_shows(readable(want.title))
        assert entry.link == want.url
        assert entry.id == f"https://arxiv.org/abs/{paper.arxiv_id}"
        if want.abstract and want.abstract.strip():  # (feedparser fills a missing one from content)
            shown = readable(want.abstract) + (" […]" if want.abstract_truncated else "")
            assert entry.summary == as_feedparser_shows(shown)
        assert entry.updated_parsed is not None
        # a digest gives no day of submission, and none is made up
        assert "published_parsed" not in entry


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_real_digest_round_trip(path: Path) -> None:
    batch = batch_of([path])
    text = Atom().write(batch)
    assert Atom().read(text) == [expected(p) for p in batch.papers]
    check_consumers(batch, text)


def test_whole_corpus_one_feed() -> None:
    batch = batch_of(FILES)
    assert len(batch.papers) > 600
    text = Atom().write(batch)
    assert Atom().read(text) == [expected(p) for p in batch.papers]
    check_consumers(batch, text)


def test_feed_author_is_the_digest_and_entries_have_none() -> None:
    root = check_valid(Atom().write(batch_of(FILES[:1])))
    assert root.findtext(f"{A}author/{A}name") == "arXiv digest"
    assert root.find(f"{A}entry/{A}author") is None


def test_dates_without_metadata_are_the_batch_date_and_no_made_up_day() -> None:
    later = dt.datetime(2031, 2, 3, 4, 5, 6, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    batch = batch_of(FILES[:1], later)
    feed = parsed(Atom().write(batch))
    want = later.utctimetuple()[:6]
    assert tuple(feed.feed.updated_parsed[:6]) == want
    for entry in feed.entries:
        assert "published_parsed" not in entry
        assert tuple(entry.updated_parsed[:6]) == want


def test_deterministic_and_feed_id_stable() -> None:
    one, two = Atom().write(batch_of(FILES[:3])), Atom().write(batch_of(FILES[:3]))
    assert one == two
    other = Atom().write(batch_of(FILES[3:5]))
    assert parsed(one).feed.id == parsed(other).feed.id  # same title and link: same feed


def test_truncated_abstract_is_marked() -> None:
    paper = Paper(
        ref=1,
        arxiv_id="2403.15711",
        url="https://arxiv.org/abs/2403.15711",
        title="T",
        abstract="Cut here",
        abstract_truncated=True,
        abstract_zh="截断",
        translation_truncated=True,
    )
    text = Atom().write(Batch((paper,)))
    entry = parsed(text).entries[0]
    assert entry.summary == "Cut here […]"
    assert "Cut here […]" in entry.content[0].value
    assert "截断 […]" in entry.content[0].value
    assert Atom().read(text) == [expected(paper)]


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
    text = Atom().write(Batch(odd))
    assert Atom().read(text) == [expected(p) for p in odd]
    check_valid(text)
    feed = parsed(text)
    assert [e.title for e in feed.entries] == ["只有中文标题", "Bad id", "hep-th/9901001", "No id"]
    assert all(e.link.startswith("https://") for e in feed.entries)


def test_snapshot_of_one_real_entry() -> None:
    batch = batch_of([p for p in FILES if p.name.startswith("000_")])
    root = etree.fromstring(Atom().write_bytes(Batch(batch.papers[:1])))
    entry = root.find(A + "entry")
    for element in entry.iter():
        if element.text and len(element.text) > 60:
            element.text = element.text[:24] + "..."
    entry.tail = None
    etree.indent(entry)
    assert etree.tostring(entry, encoding="unicode") == SNAPSHOT


SNAPSHOT = """\
<entry xmlns="http://www.w3.org/2005/Atom" xmlns:dg="urn:digestconv:digest:1">
  <id>https://arxiv.org/abs/2403.15711</id>
  <title type="text" xml:lang="en">Identifiable Latent Neural Causal Models</title>
  <link rel="alternate" type="text/html" href="https://arxiv.org/abs/2403.15711"/>
  <updated>2000-01-01T00:00:00Z</updated>
  <summary type="text" xml:lang="en">Causal representation le...</summary>
  <content type="xhtml">
    <div xmlns="http://www.w3.org/1999/xhtml">
      <h3 class="title-zh">可识别的潜在神经因果模型</h3>
      <p class="summary-zh">该研究确定了在潜在附加噪声模型背景下导致可识别性...</p>
      <p class="abstract-zh">因果表征学习旨在从低级观测数据中揭示潜在的高级因...</p>
      <p class="abstract" xml:lang="en">Causal representation le...</p>
    </div>
  </content>
  <dg:ref>1</dg:ref>
  <dg:arxiv-id>2403.15711</dg:arxiv-id>
  <dg:version>1</dg:version>
  <dg:title-zh>可识别的潜在神经因果模型</dg:title-zh>
  <dg:summary-zh>该研究确定了在潜在附加噪声模型背景下导致可识别性...</dg:summary-zh>
  <dg:abstract-zh>因果表征学习旨在从低级观测数据中揭示潜在的高级因...</dg:abstract-zh>
  <dg:announce-type>new</dg:announce-type>
  <dg:abstract-truncated>true</dg:abstract-truncated>
  <dg:abstract>Causal representation le...</dg:abstract>
</entry>"""


# --- property tests -------------------------------------------------------------------

when = st.datetimes(
    min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2090, 1, 1), timezones=st.just(UTC)
)


@given(unique_papers(max_size=6), when)
def test_hostile_round_trip(items: list[Paper], updated: dt.datetime) -> None:
    batch = Batch(tuple(items), (Source("a.md", tuple(items)),), updated)
    text = Atom().write(batch)
    assert Atom().read(text) == [expected(p) for p in items]
    check_consumers(batch, text)


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
    text = Atom().write(batch)
    assert Atom().read(text) == [expected(paper)]
    check_valid(text)
    parsed(text)


@given(
    papers(),
    st.sampled_from([None, "", "2413.99999", "not an id"]),
    st.sampled_from([None, "arxiv.org/abs/x", "javascript:alert(1)", "https://example.org/a b"]),
)
def test_substituted_fields_round_trip(paper: Paper, arxiv_id: str | None, url: str | None) -> None:
    paper = dataclasses.replace(paper, arxiv_id=arxiv_id or None, url=url, title=None)
    text = Atom().write(Batch((paper,)))
    assert Atom().read(text) == [expected(paper)]
    check_valid(text)
    assert parsed(text).entries[0].link.startswith("https://")


# --- malformed input -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not xml at all",
        "<feed xmlns='http://www.w3.org/2005/Atom'><entry>",
        "<feed/>",
        "<rss version='2.0'><channel/></rss>",
        "<feed xmlns='http://www.w3.org/2005/Atom'><title>&undefined;</title></feed>",
        "<feed xmlns='http://www.w3.org/2005/Atom' xmlns:dg='urn:digestconv:digest:1'><entry>"
        "<dg:arxiv-id>1</dg:arxiv-id><dg:version>v2</dg:version></entry></feed>",
    ],
)
def test_malformed_input_is_a_format_error(text: str) -> None:
    with pytest.raises(FormatError):
        Atom().read(text)


def test_entities_are_never_expanded() -> None:
    doc = (
        '<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&x;</title>'
        '<link href="https://arxiv.org/abs/2403.15711"/></entry></feed>'
    )
    (paper,) = Atom().read(doc)
    assert "root:" not in (paper.title or "")


def test_reads_a_foreign_feed() -> None:
    doc = (
        "<feed xmlns='http://www.w3.org/2005/Atom'><entry><id>http://arxiv.org/abs/2403.15711v1</id>"
        "<title>A paper</title><summary>The abstract.</summary>"
        "<link href='http://arxiv.org/abs/2403.15711v1' rel='alternate' type='text/html'/>"
        "<link href='http://arxiv.org/pdf/2403.15711v1' rel='related' type='application/pdf'/>"
        "<category term='cs.LG' scheme='http://arxiv.org/schemas/atom'/></entry></feed>"
    )
    assert Atom().read(doc) == [
        Paper(
            arxiv_id="2403.15711",
            version=1,
            url="http://arxiv.org/abs/2403.15711v1",
            title="A paper",
            abstract="The abstract.",
            primary_category="cs.LG",
        )
    ]


def test_ascii_output_reads_back_the_same() -> None:
    batch = batch_of(FILES[:2])
    data = Atom().write(dataclasses.replace(batch, ascii=True))
    assert data.isascii()
    parsed(data)
    assert Atom().read(data) == Atom().read(Atom().write(batch))
