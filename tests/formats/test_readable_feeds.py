"""Feeds are for people: readable text, languages, real dates only, a stable name, no paths.

The seeds (with and without their arXiv records) are written as RSS, Atom and
OPML and read by feedparser and listparser, the programs feed readers build on.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator

import feedparser
import listparser
import pytest
from lxml import etree

from digestconv.enrich.atom import parse_feed
from digestconv.formats import Batch, Source, find
from digestconv.model import Paper
from digestconv.reader import read
from tests.formats.feedutil import ROOT

SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
RECORDS = parse_feed((ROOT / "tests/data/arxiv/seeds-api.xml").read_bytes()).records
ATOM = "{http://www.w3.org/2005/Atom}"
XHTML = "{http://www.w3.org/1999/xhtml}"
DG = "{urn:digestconv:digest:1}"
LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: a TeX control sequence: a backslash and a letter or an accent character
CONTROL = re.compile(r"\\(?:[A-Za-z]+|[\"'`^~=.])")
MATH = re.compile(r"\$[^$]*\$")
UTC = dt.timezone.utc


def _sources() -> tuple[Source, ...]:
    return tuple(Source(str(p), tuple(read(p.read_bytes(), str(p)).papers)) for p in SEEDS)


SOURCES = _sources()


def _merged() -> tuple[Paper, ...]:
    seen: set[str | None] = set()
    out = []
    for source in SOURCES:
        for paper in source.papers:
            if paper.arxiv_id not in seen:
                seen.add(paper.arxiv_id)
                out.append(paper)
    return tuple(out)


PAPERS = _merged()
PLAIN = Batch(papers=PAPERS, sources=SOURCES)
ENRICHED = dataclasses.replace(PLAIN, records=RECORDS)


def write(name: str, batch: Batch) -> bytes:
    fmt = find(name)
    assert fmt is not None
    return fmt.write_bytes(batch)


def shown_texts(name: str, data: bytes) -> Iterator[str]:
    """Every text of the document a reader shows: not the dg: copies kept for programs."""
    root = etree.fromstring(data)
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag.startswith(DG):
            continue
        if element.text:
            yield element.text
        if name == "opml" and element.tag == "outline":
            yield element.get("text", "")
            yield element.get("withdrawn", "")
    if name == "rss":  # the description is escaped HTML: its text, too
        for description in root.iter("description"):
            html = etree.fromstring(f"<x>{description.text or ''}</x>", etree.HTMLParser())
            yield from html.itertext()


@pytest.mark.parametrize("batch", [PLAIN, ENRICHED], ids=["digest", "enriched"])
@pytest.mark.parametrize("name", ["rss", "atom", "opml"])
def test_no_tex_control_sequence_outside_math(name: str, batch: Batch) -> None:
    data = write(name, batch)
    found = [
        m.group(0) for text in shown_texts(name, data) for m in CONTROL.finditer(MATH.sub("", text))
    ]
    assert not found
    if batch is PLAIN:  # the seeds' \textit{...} is shown as its text
        assert "Sinkhorn distributional RL" in data.decode()


CORPUS_009 = ROOT / "tests/fixtures/corpus/009.md"


@pytest.mark.parametrize("name", ["rss", "atom", "opml"])
def test_accents_are_shown_and_the_exact_title_kept(name: str) -> None:
    papers = tuple(read(CORPUS_009.read_bytes(), str(CORPUS_009)).papers)
    assert any('Schr\\"odinger' in (p.title or "") for p in papers)
    data = write(name, Batch(papers=papers))
    shown = " ".join(shown_texts(name, data))
    assert "Schrödinger" in shown and 'Schr\\"odinger' not in shown
    fmt = find(name)
    assert fmt is not None
    assert [p.title for p in fmt.read_bytes(data)] == [p.title for p in papers]


def test_languages_are_marked() -> None:
    rss = feedparser.parse(write("rss", PLAIN))
    assert rss.bozo == 0 and rss.feed.language == "zh-cn"
    root = etree.fromstring(write("atom", PLAIN))
    assert root.get(LANG) == "zh-CN"
    entry = root.find(f"{ATOM}entry")
    assert entry is not None
    assert entry.find(f"{ATOM}title").get(LANG) == "en"
    assert entry.find(f"{ATOM}summary").get(LANG) == "en"
    paragraphs = {p.get("class"): p.get(LANG) for p in entry.iter(f"{XHTML}p", f"{XHTML}h3")}
    assert paragraphs["abstract"] == "en" and paragraphs["summary-zh"] is None
    h3 = entry.find(f"{ATOM}content/{XHTML}div/{XHTML}h3")
    assert h3 is not None and h3.get(LANG) is None  # Chinese: the feed's language
    atom = feedparser.parse(write("atom", PLAIN))
    assert atom.bozo == 0
    assert atom.entries[0].title_detail.language == "en"
    assert atom.feed.subtitle_detail.language == "en"


def test_no_made_up_dates_and_real_ones_from_metadata() -> None:
    when = dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    plain = dataclasses.replace(PLAIN, updated=when)
    for name in ("rss", "atom"):
        feed = feedparser.parse(write(name, plain))
        assert feed.bozo == 0
        assert all("published_parsed" not in e for e in feed.entries)
    atom = feedparser.parse(write("atom", plain))
    assert {tuple(e.updated_parsed[:6]) for e in atom.entries} == {when.utctimetuple()[:6]}
    enriched = dataclasses.replace(ENRICHED, updated=when)
    rss = feedparser.parse(write("rss", enriched))
    atom = feedparser.parse(write("atom", enriched))
    for paper, item, entry in zip(PAPERS, rss.entries, atom.entries, strict=True):
        record = RECORDS[paper.arxiv_id or ""]
        assert record.published and record.updated
        v1 = dt.datetime.fromisoformat(record.published.replace("Z", "+00:00"))
        latest = dt.datetime.fromisoformat(record.updated.replace("Z", "+00:00"))
        assert tuple(item.published_parsed[:6]) == v1.utctimetuple()[:6]
        assert tuple(entry.published_parsed[:6]) == v1.utctimetuple()[:6]
        assert tuple(entry.updated_parsed[:6]) == latest.utctimetuple()[:6]


def test_feed_title_and_author_are_stable_and_settable() -> None:
    default = {name: write(name, PLAIN) for name in ("rss", "atom", "opml")}
    one = Batch(papers=PAPERS[:2], sources=SOURCES[:1])
    assert write("atom", one).count(b'<title type="text">arXiv digest</title>') == 1
    rss = feedparser.parse(default["rss"])
    assert rss.feed.title == "arXiv digest" and rss.feed.author == "arXiv digest"
    named = dataclasses.replace(PLAIN, title="每日 arXiv", author="Digest team")
    rss = feedparser.parse(write("rss", named))
    assert rss.feed.title == "每日 arXiv" and rss.feed.author == "Digest team"
    atom = feedparser.parse(write("atom", named))
    assert atom.bozo == 0 and atom.feed.author == "Digest team"
    opml = listparser.parse(write("opml", named))
    assert opml.bozo == 0 and opml.meta.title == "每日 arXiv"
    assert etree.fromstring(write("opml", named)).findtext("head/ownerName") == "Digest team"


def test_opml_shows_no_local_path() -> None:
    absolute = tuple(
        Source(str(p.resolve()), s.papers) for p, s in zip(SEEDS, SOURCES, strict=True)
    )
    data = write("opml", dataclasses.replace(PLAIN, sources=absolute))
    groups = [g.get("text") for g in etree.fromstring(data).find("body").findall("outline")]
    assert groups == [p.name for p in SEEDS]
    assert str(ROOT).encode() not in data
    one = dataclasses.replace(PLAIN, sources=absolute[:1])
    group = etree.fromstring(write("opml", one)).find("body/outline")
    assert group is not None and group.get("text") == SEEDS[0].name


def test_atom_summary_of_a_cut_abstract_is_marked() -> None:
    cut = [p for p in PAPERS if p.abstract_truncated]
    assert cut
    feed = feedparser.parse(write("atom", Batch(papers=tuple(cut))))
    assert all(e.summary.endswith(" […]") for e in feed.entries)
    fmt = find("atom")
    assert fmt is not None
    assert [p.abstract for p in fmt.read_bytes(write("atom", Batch(tuple(cut))))] == [
        p.abstract for p in cut
    ]


#: TeX as written -> the text a feed shows: TeX is read once, math is found in the source
#: (an escaped dollar is a dollar sign, not a delimiter), and a backslash sequence that only
#: appears once the text is read is shown, never read a second time
READ_ONCE = {
    r"Costs fell by \$5 while $\textcolor{red}{x} + y$ grew": (
        r"Costs fell by $5 while $\textcolor{red}{x} + y$ grew"
    ),
    r"Typewriter \texttt{\\}textbf{x} as typed": r"Typewriter \\textbf{x} as typed",
    r"Paths like \url{C:\}emph{y} as typed": r"Paths like C:\emph{y} as typed",
    r"A break \\textbf{x}, C:\\\\path and \\\emph{y}": r"A break \\textbf{x}, C:\\\\path and \\y",
    r"Serious fisheye \textcolor{blue}{lens} distortion": "Serious fisheye lens distortion",
    r"Nested \textcolor{red}{\emph{a}} and \emph{\textcolor{red}{b}}": "Nested a and b",
    r"Colour in math \(\textcolor{red}{x}\) stays": r"Colour in math \(\textcolor{red}{x}\) stays",
}


@pytest.mark.parametrize("name", ["rss", "atom", "opml"])
def test_tex_is_read_once(name: str) -> None:
    papers = tuple(
        dataclasses.replace(
            PAPERS[0],
            title=title,
            arxiv_id=f"2401.{i:05d}",
            url=f"https://arxiv.org/abs/2401.{i:05d}",
        )
        for i, title in enumerate(READ_ONCE, 1)
    )
    data = write(name, Batch(papers=papers))
    if name == "opml":
        result = listparser.parse(data)
        assert result.bozo == 0
        shown = [x.title for x in result.lists]
    else:
        feed = feedparser.parse(data)
        assert feed.bozo == 0
        shown = [entry.title for entry in feed.entries]
    assert shown == list(READ_ONCE.values())
    fmt = find(name)
    assert fmt is not None
    assert [p.title for p in fmt.read_bytes(data)] == list(READ_ONCE)
