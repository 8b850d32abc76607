"""OPML 2.0: round trips through the reader, and the output as listparser reads it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from email.utils import parsedate_to_datetime
from pathlib import Path

import listparser
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from digestconv.formats._xml import readable
from digestconv.formats.base import Batch, FormatError, Source
from digestconv.formats.opml import Opml
from digestconv.model import Paper
from digestconv.reader import read
from tests.formats.feedutil import FILES, ROOT, UTC, WHEN, expected
from tests.strategies import HOSTILE, papers, unique_papers


def first_of_each(sources: list[Source]) -> tuple[Paper, ...]:
    """The papers of ``sources`` deduplicated by identifier, first appearance kept."""
    merged, seen = [], set()
    for source in sources:
        for paper in source.papers:
            if paper.arxiv_id is None or paper.arxiv_id not in seen:
                seen.add(paper.arxiv_id)
                merged.append(paper)
    return tuple(merged)


def batch_of(files: list[Path], updated: dt.datetime = WHEN) -> Batch:
    sources = [Source(str(p), read(p.read_bytes(), str(p)).papers) for p in files]
    return Batch(first_of_each(sources), tuple(sources), updated, "arXiv digest")


def parsed(text: str) -> listparser.common.SuperDict:
    result = listparser.parse(text.encode("utf-8"))
    assert not result.bozo, result.get("bozo_exception")
    assert result.version == "opml2"
    return result


def check_consumer(batch: Batch, text: str) -> None:
    """listparser reads it cleanly with the head dates; lxml sees the documented structure."""
    result = parsed(text)
    assert result.meta.title == (expected(Paper(title=batch.title)).title or "arXiv digest").strip()
    for name in ("created", "modified"):
        assert parsedate_to_datetime(result.meta[name]) == batch.updated.replace(microsecond=0)
    root = etree.fromstring(text.encode("utf-8"))
    body = root.find("body")
    groups = body.findall("outline")
    assert groups and all(g.get("text", "").strip() for g in groups)
    for source, group in zip(batch.sources, groups, strict=False):
        links = group.findall("outline")
        assert len(links) == len(source.papers)
        for paper, link in zip(source.papers, links, strict=True):
            assert link.get("type") == "link"
            assert link.get("url").startswith(("http://", "https://"))
            want = expected(paper)
            if want.title is not None:
                assert link.get("text") == readable(want.title)
                assert link.get("originalTitle") == (
                    want.title if readable(want.title) != want.title else None
                )
            if want.url is not None and want.url.startswith("http"):
                assert link.get("url") == want.url
    # listparser lists every link outline (once per URL)
    assert {x.url for x in result.lists} == {
        o.get("url") for o in body.iter("outline") if len(o) == 0 and o.get("url")
    }


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_real_digest_round_trip(path: Path) -> None:
    batch = batch_of([path])
    text = Opml().write(batch)
    assert Opml().read(text) == [expected(p) for p in batch.papers]
    check_consumer(batch, text)


def test_whole_corpus_one_outline_per_file() -> None:
    batch = batch_of(FILES)
    assert len(batch.papers) > 600
    text = Opml().write(batch)
    assert Opml().read(text) == [expected(p) for p in batch.papers]
    check_consumer(batch, text)
    groups = etree.fromstring(text.encode()).find("body").findall("outline")
    # each file by its path under the folder all inputs share: no local folder shows
    assert [g.get("text") for g in groups] == [str(p.relative_to(ROOT)) for p in FILES]
    assert not any(str(ROOT) in g.get("text") for g in groups)


def test_listparser_sees_titles_and_urls() -> None:
    batch = batch_of(FILES[:2])
    result = parsed(Opml().write(batch))
    papers = [p for s in batch.sources for p in s.papers]
    assert [(x.title, x.url) for x in result.lists] == [(readable(p.title), p.url) for p in papers]


def test_papers_without_sources_get_one_group() -> None:
    batch = batch_of(FILES[:1])
    alone = Batch(batch.papers, (), WHEN, "Just papers")
    text = Opml().write(alone)
    groups = etree.fromstring(text.encode()).find("body").findall("outline")
    assert [g.get("text") for g in groups] == ["Just papers"]
    assert Opml().read(text) == [expected(p) for p in batch.papers]
    parsed(text)


def test_empty_batch_is_still_valid() -> None:
    text = Opml().write(Batch(()))
    assert Opml().read(text) == []
    assert etree.fromstring(text.encode()).find("body").find("outline") is not None
    parsed(text)


@pytest.mark.parametrize(
    "updated",
    [
        dt.datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC),
        dt.datetime(2031, 2, 3, 4, 5, 6, tzinfo=UTC),
    ],
)
def test_head_dates_follow_batch_updated(updated: dt.datetime) -> None:
    parsed_ = parsed(Opml().write(batch_of(FILES[:1], updated)))
    assert parsedate_to_datetime(parsed_.meta.created) == updated
    assert parsedate_to_datetime(parsed_.meta.modified) == updated


def test_deterministic() -> None:
    assert Opml().write(batch_of(FILES[:3])) == Opml().write(batch_of(FILES[:3]))


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
    text = Opml().write(Batch(odd, (Source("x.md", odd),)))
    assert Opml().read(text) == [expected(p) for p in odd]
    parsed(text)
    links = etree.fromstring(text.encode()).find("body/outline").findall("outline")
    assert [x.get("text") for x in links] == ["只有中文标题", "Bad id", "hep-th/9901001", "No id"]
    assert all(x.get("url").startswith("https://") for x in links)


def test_snapshot_of_one_real_outline() -> None:
    batch = batch_of([p for p in FILES if p.name.startswith("000_")])
    root = etree.fromstring(Opml().write_bytes(batch))
    outline = root.find("body/outline/outline")
    for name, value in outline.attrib.items():
        if len(value) > 45:
            outline.set(name, value[:24] + "...")
    outline.tail = None
    assert etree.tostring(outline, encoding="unicode") == SNAPSHOT


SNAPSHOT = (
    '<outline text="Identifiable Latent Neural Causal Models"'
    ' type="link"'
    ' url="https://arxiv.org/abs/2403.15711"'
    ' ref="1"'
    ' arxivId="2403.15711"'
    ' version="1"'
    ' titleZh="可识别的潜在神经因果模型"'
    ' summaryZh="该研究确定了在潜在附加噪声模型背景下导致可识别性..."'
    ' abstract="Causal representation le..."'
    ' abstractZh="因果表征学习旨在从低级观测数据中揭示潜在的高级因..."'
    ' announceType="new"'
    ' abstractTruncated="true"/>'
)


# --- property tests -------------------------------------------------------------------


@st.composite
def batches(draw: st.DrawFn) -> Batch:
    """Papers split over up to three files, later files repeating some earlier papers."""
    items = draw(unique_papers(max_size=6))
    cuts = sorted(draw(st.lists(st.integers(0, len(items)), max_size=2)))
    bounds = [0, *cuts, len(items)]
    sources = []
    for n, (start, end) in enumerate(itertools.pairwise(bounds)):
        chunk = list(items[start:end])
        if n and items[:start] and draw(st.booleans()):
            repeat = draw(st.sampled_from(items[:start]))
            chunk.append(dataclasses.replace(repeat, ref=(repeat.ref or 0) + 1000))
        sources.append(Source(draw(st.sampled_from(HOSTILE)) + f"{n}.md", tuple(chunk)))
    updated = draw(st.datetimes(min_value=dt.datetime(1990, 1, 1), timezones=st.just(UTC)))
    return Batch(first_of_each(sources), tuple(sources), updated.replace(microsecond=0))


@given(batches())
def test_hostile_round_trip(batch: Batch) -> None:
    text = Opml().write(batch)
    assert Opml().read(text) == [expected(p) for p in batch.papers]
    check_consumer(batch, text)


@given(
    papers(),
    st.sampled_from([None, "", "2413.99999", "not an id"]),
    st.sampled_from([None, "arxiv.org/abs/x", "javascript:alert(1)", "https://example.org/a b"]),
)
def test_substituted_fields_round_trip(paper: Paper, arxiv_id: str | None, url: str | None) -> None:
    paper = dataclasses.replace(paper, arxiv_id=arxiv_id or None, url=url, title=None)
    text = Opml().write(Batch((paper,)))
    assert Opml().read(text) == [expected(paper)]
    assert parsed(text).lists[0].url.startswith("https://")


# --- malformed input -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not xml at all",
        "<opml version='2.0'><body><outline",
        "<rss version='2.0'><channel/></rss>",
        "<opml version='2.0'><head/></opml>",
        "<opml version='2.0'><body><outline text='&undefined;'/></body></opml>",
        "<opml version='2.0'><body><outline text='t' type='link' url='https://a.b/' arxivId='1'"
        " ref='-3'/></body></opml>",
        "<opml version='2.0'><body><outline text='t' type='link' url='https://a.b/' arxivId='1'"
        " abstractTruncated='yes'/></body></opml>",
    ],
)
def test_malformed_input_is_a_format_error(text: str) -> None:
    with pytest.raises(FormatError):
        Opml().read(text)


def test_reads_a_foreign_outline() -> None:
    doc = (
        "<opml version='2.0'><head><title>t</title></head><body><outline text='Reading'>"
        "<outline text='A paper' type='link' url='https://arxiv.org/abs/hep-th/9901001v3'/>"
        "<outline text='A feed' type='rss' xmlUrl='https://example.org/feed'/>"
        "</outline></body></opml>"
    )
    assert Opml().read(doc) == [
        Paper(
            arxiv_id="hep-th/9901001",
            version=3,
            title="A paper",
            url="https://arxiv.org/abs/hep-th/9901001v3",
        )
    ]


def test_ascii_output_reads_back_the_same() -> None:
    batch = batch_of(FILES[:2])
    data = Opml().write(dataclasses.replace(batch, ascii=True))
    assert data.isascii()
    parsed(data)
    assert Opml().read(data) == Opml().read(Opml().write(batch))
