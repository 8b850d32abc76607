"""Writers stream: header, one chunk per entry, footer, from papers they may only iterate.

``Batch.papers`` and ``Source.papers`` are re-iterable and sized but not indexable
(the conversion may keep them on disk), so every writer is run here on papers
that come from a fresh generator on each pass and refuse indexing, and must
write the bytes it writes from tuples.  ``write_to`` must hold one entry, not
the output: a tracemalloc peak far below the output's size.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from lxml import etree

import digestconv.formats as formats_registry
from digestconv.enrich.atom import parse_feed
from digestconv.formats import Batch, Format, Source, find, has_authors, register
from digestconv.model import Paper
from digestconv.reader import read
from tests.formats.feedutil import FILES, ROOT

FORMATS = ("bibtex", "csl-json", "ris", "rss", "atom", "opml", "markdown")
XML_FORMATS = ("rss", "atom", "opml")
RECORDS = parse_feed((ROOT / "tests/data/arxiv/seeds-api.xml").read_bytes()).records


class OnceEach:
    """Papers as a spill file gives them: a new generator per pass, a length, no indexing."""

    def __init__(self, papers: tuple[Paper, ...]) -> None:
        self._papers = papers
        self.passes = 0

    def __iter__(self) -> Iterator[Paper]:
        self.passes += 1
        return (p for p in self._papers)

    def __len__(self) -> int:
        return len(self._papers)

    def __getitem__(self, index: object) -> Paper:
        raise AssertionError("a writer indexed the papers")


def _per_file() -> dict[str, tuple[Paper, ...]]:
    return {path.name: tuple(read(path.read_bytes(), str(path)).papers) for path in FILES}


PER_FILE = _per_file()


def _merged() -> tuple[Paper, ...]:
    seen: set[str | None] = set()
    out = []
    for papers in PER_FILE.values():
        for paper in papers:
            if paper.arxiv_id is None or paper.arxiv_id not in seen:
                seen.add(paper.arxiv_id)
                out.append(paper)
    return tuple(out)


MERGED = _merged()


def _batches() -> dict[str, Batch]:
    sources = tuple(Source(name, papers) for name, papers in PER_FILE.items())
    seeds = tuple(p for name, ps in PER_FILE.items() if name.endswith(".txt") for p in ps)
    partial = (Source("first.md", MERGED[:3]), Source("empty.md", ()))
    return {
        "merged": Batch(papers=MERGED, sources=sources, title="T", link="https://example.org/"),
        "no-sources": Batch(papers=MERGED[:40]),
        "unlisted-rest": Batch(papers=MERGED[:10], sources=partial),
        "empty": Batch(papers=()),
        "empty-sources": Batch(papers=(), sources=(Source("a.md", ()),)),
        "enriched": Batch(papers=seeds, sources=(Source("s", seeds),), records=RECORDS),
        "enriched-part": Batch(papers=MERGED[:60], records=RECORDS),
    }


BATCHES = _batches()


def _streamed(batch: Batch) -> Batch:
    """``batch`` with every paper collection replaced by a :class:`OnceEach`."""
    return dataclasses.replace(
        batch,
        papers=OnceEach(tuple(batch.papers)),
        sources=tuple(Source(s.path, OnceEach(tuple(s.papers))) for s in batch.sources),
    )


@pytest.mark.parametrize("ascii_only", [False, True])
@pytest.mark.parametrize("name", sorted(BATCHES))
@pytest.mark.parametrize("fmt_name", FORMATS)
def test_iterable_papers_write_the_bytes_of_tuples(
    fmt_name: str, name: str, ascii_only: bool
) -> None:
    fmt = find(fmt_name)
    assert fmt is not None
    batch = dataclasses.replace(BATCHES[name], ascii=ascii_only)
    expected = fmt.write_bytes(batch)
    streamed = _streamed(batch)
    sink = io.BytesIO()
    assert fmt.write_to(sink, streamed) == len(expected)
    assert sink.getvalue() == expected
    assert fmt.write(streamed).encode() == expected


@pytest.mark.parametrize("fmt_name", FORMATS)
def test_one_chunk_per_entry_between_header_and_footer(fmt_name: str) -> None:
    fmt = find(fmt_name)
    assert fmt is not None
    papers = MERGED[:25]
    chunks = list(fmt.chunks(Batch(papers=papers, sources=(Source("a.md", papers),))))
    assert "".join(chunks) == fmt.write(Batch(papers=papers, sources=(Source("a.md", papers),)))
    # no chunk holds more than one entry: every format gives at least one chunk per paper
    assert len(chunks) >= len(papers)
    assert max(len(c) for c in chunks) < len("".join(chunks)) / 5


@pytest.mark.parametrize("ascii_only", [False, True])
@pytest.mark.parametrize("fmt_name", XML_FORMATS)
def test_streamed_xml_is_what_lxml_writes_for_the_whole_tree(
    fmt_name: str, ascii_only: bool
) -> None:
    """The entry-by-entry bytes equal lxml's own serialisation of the parsed document."""
    fmt = find(fmt_name)
    assert fmt is not None
    for batch in (BATCHES["merged"], BATCHES["enriched"], BATCHES["unlisted-rest"]):
        data = fmt.write_bytes(dataclasses.replace(batch, ascii=ascii_only))
        parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False)
        root = etree.fromstring(data, parser)
        encoding = "us-ascii" if ascii_only else "utf-8"
        label = "US-ASCII" if ascii_only else "UTF-8"
        whole = etree.tostring(root, encoding=encoding, pretty_print=True)
        assert data == f'<?xml version="1.0" encoding="{label}"?>\n'.encode() + whole


@pytest.mark.parametrize("fmt_name", XML_FORMATS)
def test_marker_like_text_in_titles_is_only_text(fmt_name: str) -> None:
    """The split of a document at its entries is not fooled by text that looks like it."""
    fmt = find(fmt_name)
    assert fmt is not None
    trap = "digestconv-entries-go-here/> <digestconv-entries-go-here/>"
    paper = Paper(ref=1, arxiv_id="2403.15711", version=1, title=trap, title_zh=trap)
    batch = Batch(papers=(paper,), sources=(Source(trap, (paper,)),), title=trap)
    data = fmt.write_bytes(batch)
    root = etree.fromstring(data)
    assert trap in "".join(root.itertext()) or any(trap in v for v in _attributes(root))
    assert fmt.read_bytes(data)[0].title == trap


def _attributes(root: etree._Element) -> Iterator[str]:
    for element in root.iter():
        yield from element.attrib.values()


def test_authored_is_used_when_the_caller_sets_it() -> None:
    """Atom's feed-level author follows ``Batch.authored``; unset, the writer finds it out."""
    atom = find("atom")
    assert atom is not None
    seeds = BATCHES["enriched"]
    assert all(has_authors(seeds.record(p)) for p in seeds.papers)
    ns = {"a": "http://www.w3.org/2005/Atom"}

    def feed_authors(batch: Batch) -> int:
        return len(etree.fromstring(atom.write_bytes(batch)).findall("a:author", ns))

    assert feed_authors(seeds) == 0
    assert feed_authors(dataclasses.replace(seeds, authored=True)) == 0
    assert feed_authors(dataclasses.replace(seeds, authored=False)) == 1
    assert feed_authors(BATCHES["enriched-part"]) == 1
    assert not has_authors(None)


class _Sink:
    """A binary stream that only counts what it is given (like /dev/null)."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, data: bytes | memoryview) -> int:
        self.size += len(data)
        return len(data)


class _Synthetic:
    """Papers made on the fly, so none is held between passes."""

    def __init__(self, count: int) -> None:
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[Paper]:
        for n in range(1, self.count + 1):
            words = " ".join(f"word{(n * k) % 997}" for k in range(160))
            yield Paper(
                ref=n,
                arxiv_id=f"2403.{n:05d}",
                version=1,
                url=f"https://arxiv.org/abs/2403.{n:05d}",
                title=f'Paper {n} on Schr\\"odinger bridges',
                title_zh=f"论文 {n}",
                summary_zh="中文总结" * 10,
                summary_en="English summary " * 5,
                abstract=words,
                abstract_zh="中文摘要" * 60,
                announce_type="new",
            )


@pytest.mark.parametrize("fmt_name", FORMATS)
def test_write_to_holds_one_entry_not_the_output(fmt_name: str) -> None:
    fmt = find(fmt_name)
    assert fmt is not None
    papers = _Synthetic(6000)
    batch = Batch(
        papers=papers,
        sources=(Source("one.md", papers),),
        updated=dt.datetime(2024, 3, 1, tzinfo=dt.timezone.utc),
    )
    list(fmt.chunks(Batch(papers=_Synthetic(3))))  # imports and caches out of the measure
    sink = _Sink()
    tracemalloc.start()
    try:
        written = fmt.write_to(sink, batch)  # type: ignore[arg-type]
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert written == sink.size > 5_000_000
    assert peak < written / 10, f"peak {peak} for {written} bytes written"


class _Legacy(Format):
    """A format written against the old contract: ``write`` only."""

    name: ClassVar[str] = "legacy-test-format"
    suffixes: ClassVar[tuple[str, ...]] = (".legacy",)

    def write(self, batch: Batch) -> str:
        return "".join(f"{p.arxiv_id}\n" for p in batch.papers)


class _Nothing(Format):
    name: ClassVar[str] = "nothing-test-format"


def test_a_format_with_only_write_still_works(monkeypatch: pytest.MonkeyPatch) -> None:
    # registered for this test only: the registry is as it was afterwards
    monkeypatch.setattr(formats_registry, "_extra", dict(formats_registry._extra))
    monkeypatch.setattr(formats_registry, "_loaded", None)
    register(_Legacy)
    fmt = find("legacy-test-format")
    assert fmt is not None and fmt.can_write
    batch = Batch(papers=MERGED[:3])
    chunks = list(fmt.chunks(batch))
    assert chunks == [f"{MERGED[0].arxiv_id}\n{MERGED[1].arxiv_id}\n{MERGED[2].arxiv_id}\n"]
    sink = io.BytesIO()
    assert fmt.write_to(sink, batch) == len(chunks[0].encode())
    assert sink.getvalue() == fmt.write_bytes(batch) == chunks[0].encode()
    assert find(filename="x.legacy") is not None


def test_a_format_without_a_writer_says_so() -> None:
    fmt = _Nothing()
    assert not fmt.can_write
    with pytest.raises(NotImplementedError, match="cannot be written"):
        fmt.write(Batch(papers=()))
    with pytest.raises(NotImplementedError, match="cannot be written"):
        fmt.write_to(io.BytesIO(), Batch(papers=()))


def test_write_to_finishes_a_short_write() -> None:
    """A raw stream may take part of a chunk; the rest is written, nothing is lost."""

    class Trickle(io.RawIOBase):
        def __init__(self) -> None:
            self.data = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, b: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
            taken = bytes(b[:7])
            self.data += taken
            return len(taken)

    fmt = find("bibtex")
    assert fmt is not None
    batch = Batch(papers=MERGED[:5])
    stream = Trickle()
    assert fmt.write_to(stream, batch) == len(stream.data)
    assert bytes(stream.data) == fmt.write_bytes(batch)


class NoPapers:
    """Papers a caller does not have yet: any look at them fails the test."""

    def __iter__(self) -> Iterator[Paper]:
        raise AssertionError("an entry stream iterated the batch's papers")

    def __len__(self) -> int:
        raise AssertionError("an entry stream asked how many papers there are")


STREAMED_FORMATS = ("bibtex", "csl-json", "ris")


@pytest.mark.parametrize("ascii_only", [False, True])
@pytest.mark.parametrize("name", ["merged", "empty", "enriched", "enriched-part"])
@pytest.mark.parametrize("fmt_name", STREAMED_FORMATS)
def test_an_entry_stream_needs_only_the_papers_it_is_given(
    fmt_name: str, name: str, ascii_only: bool
) -> None:
    """``to`` renders each paper as it is merged, from a batch with no papers and no date."""
    fmt = find(fmt_name)
    assert fmt is not None
    batch = dataclasses.replace(BATCHES[name], ascii=ascii_only)
    options = dataclasses.replace(
        batch, papers=NoPapers(), sources=(), updated=dt.datetime(1999, 1, 1, tzinfo=dt.UTC)
    )
    stream = fmt.entry_stream(options)
    assert stream is not None
    pieces = [stream.head(), *(stream.entry(p) for p in batch.papers), stream.tail()]
    assert "".join(pieces).encode() == fmt.write_bytes(batch)


@pytest.mark.parametrize("fmt_name", ["rss", "atom", "opml", "markdown"])
def test_formats_whose_entries_need_the_whole_batch_have_no_entry_stream(fmt_name: str) -> None:
    # feed entries without metadata carry the feed's date; OPML lists every file's copies;
    # markdown writes the table before the blocks
    fmt = find(fmt_name)
    assert fmt is not None
    assert fmt.entry_stream(BATCHES["merged"]) is None


@pytest.mark.parametrize("ascii_only", [False, True])
@pytest.mark.parametrize("fmt_name", FORMATS)
def test_rendering_while_merging_writes_the_bytes_of_the_whole_batch(
    fmt_name: str, ascii_only: bool, tmp_path: Path
) -> None:
    """The real files through the command's path (a sink: entries rendered as papers are
    merged) and through the library's (the whole batch at the end): the same bytes."""
    from digestconv.conversion import convert
    from digestconv.output import Sink

    fmt = find(fmt_name)
    assert fmt is not None
    paths = [str(p) for p in FILES]
    whole = convert(paths, fmt, ascii=ascii_only, env={}, jobs=1)
    target = tmp_path / "out"
    with Sink(target) as sink:
        streamed = convert(paths, fmt, ascii=ascii_only, env={}, jobs=1, sink=sink)
        sink.commit()
    assert streamed.paper_count == len(whole.papers) > 100
    assert target.read_bytes() == whole.output


@pytest.mark.parametrize("fmt_name", STREAMED_FORMATS)
def test_an_entry_stream_leaves_no_garbage_cycle(fmt_name: str) -> None:
    """``to`` renders entries between files while the collector is held off the results
    (``digestconv._gccontrol``): a cycle made per entry would reach the oldest generation
    and pile up over an archive (json.dumps with an indent once held 261 MB)."""
    import gc

    fmt = find(fmt_name)
    assert fmt is not None
    stream = fmt.entry_stream(Batch(papers=NoPapers()))
    assert stream is not None
    was = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        pieces = [stream.head(), *(stream.entry(p) for p in MERGED), stream.tail()]
        assert gc.collect() == 0
    finally:
        if was:
            gc.enable()
    assert len(pieces) == len(MERGED) + 2


class _Recorder:
    """A sink that notes, for each write, how many files had been reported before it."""

    def __init__(self, reported: list[str]) -> None:
        self.reported = reported
        self.writes: list[tuple[int, bytes]] = []

    def write(self, data: bytes) -> int:
        self.writes.append((len(self.reported), bytes(data)))
        return len(data)


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("fmt_name", STREAMED_FORMATS)
def test_entries_go_out_while_files_are_merged_unless_strict(fmt_name: str, strict: bool) -> None:
    """Without ``--strict`` nothing can stop the output: each entry is written as its paper is
    kept, before the later files are read.  With it, the entries wait for the last file
    (an error there writes nothing), and the bytes are the same either way."""
    from digestconv.conversion import convert

    fmt = find(fmt_name)
    assert fmt is not None
    paths = [str(p) for p in FILES if p.suffix == ".md"]  # the corpus: no errors
    reported: list[str] = []
    sink = _Recorder(reported)

    def report(diagnostics: object) -> None:
        reported.append("file")

    result = convert(paths, fmt, env={}, jobs=1, sink=sink, strict=strict, report=report)
    assert result.written and len(reported) == len(paths) > 2
    whole = convert(paths, fmt, env={}, jobs=1)
    assert b"".join(data for _, data in sink.writes) == whole.output
    first_file = min(n for n, _ in sink.writes)
    if strict:
        assert first_file == len(paths)  # everything after the last file was merged
    else:
        assert first_file < len(paths) - 1  # the first entries before the later files
    if strict:  # an error in the last file: nothing at all is written
        broken = [p for p in FILES if p.name.startswith("004_")]
        reported.clear()
        sink = _Recorder(reported)
        late = convert([*paths, str(broken[0])], fmt, env={}, jobs=1, sink=sink, strict=True,
                       report=report)  # fmt: skip
        assert not late.written and late.errors and sink.writes == []
