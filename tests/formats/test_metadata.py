"""Every writer with arXiv metadata, read back by the real consumers.

Records are built by hand (names with particles, suffixes, collaborations, CJK,
accents and letters pdflatex cannot print) and by Hypothesis (real arXiv author
names and hostile text).  Without records the output is pinned byte for byte by
``test_golden.py``.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import bibtexparser
import feedparser
import listparser
import pybtex.database
import pybtex.errors
import pytest
import rispy
from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts
from hypothesis import given, settings
from jsonschema import Draft7Validator
from lxml import etree

from digestconv.enrich.merge import merge
from digestconv.enrich.record import ArxivRecord, Author
from digestconv.formats import find
from digestconv.formats.base import Batch
from digestconv.formats.ris import plain, ris_name
from digestconv.latex import unescape
from digestconv.model import Paper
from digestconv.text import strip_illegal
from tests.formats.citeutil import ROOT, expected, expected_bibtex, merged
from tests.strategies import HARD_AUTHORS, REAL_NAMES, enriched_batches, split_name

SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
CSL_SCHEMA = Draft7Validator(json.loads((ROOT / "tests/data/csl-data.json").read_text("utf-8")))
ATOM_RNG = etree.RelaxNG(etree.parse(str(ROOT / "tests/data/atom.rng")))


def record_of(paper: Paper, authors: tuple[Author, ...], n: int = 0) -> ArxivRecord:
    """arXiv's record of a real paper: its title, its abstract continued, a v1 date."""
    assert paper.arxiv_id is not None
    return ArxivRecord(
        arxiv_id=paper.arxiv_id,
        version=(paper.version or 1) + n % 2,
        title=paper.title or "",
        abstract=(paper.abstract or "") + " and the end of the abstract.",
        authors=authors,
        published=f"20{paper.arxiv_id[:2]}-{paper.arxiv_id[2:4]}-{n % 27 + 1:02d}T17:59:59Z",
        updated=None,
        categories=(paper.primary_category or "cs.LG", "stat.ML"),
        comment="12 pages, 4 figures" if n % 3 == 0 else None,
        journal_ref="Phys. Rev. D 110, 012345 (2024)" if n % 4 == 0 else None,
        doi="10.1103/PhysRevD.110.012345" if n % 4 == 0 else None,
    )


@pytest.fixture(scope="module")
def seed_batch() -> Batch:
    """The papers of the seeds, each with a record: hard names first, then real ones."""
    papers = merged(SEEDS)
    names = list(HARD_AUTHORS) + [split_name(n) for n in REAL_NAMES]
    records = {}
    for n, paper in enumerate(papers):
        assert paper.arxiv_id is not None
        authors = tuple(names[(n * 3 + k) % len(names)] for k in range(3 + n % 4))
        records[paper.arxiv_id] = record_of(paper, authors, n)
    return Batch(papers=papers, records=records, title="Seeds", link="https://example.org/")


def write(name: str, batch: Batch) -> str:
    fmt = find(name)
    assert fmt is not None
    return fmt.write(batch)


def folded(text: str) -> str:
    """``text`` as the writers put it: invisible and control characters dropped, spaces folded."""
    return " ".join(strip_illegal(text).split())


# ---------------------------------------------------------------- BibTeX


def bibtex_people(text: str) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    """Authors per entry as bibtexparser v2 (SplitNameParts) and pybtex (strict) read them."""
    library = bibtexparser.parse_string(
        text, append_middleware=[SeparateCoAuthors(), SplitNameParts()]
    )
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    ours = {e.key: e.fields_dict["author"].value for e in library.entries if "author" in e}
    pybtex.errors.set_strict_mode(True)
    data = pybtex.database.parse_string(text, "bibtex")
    theirs = {k: list(e.persons.get("author", [])) for k, e in data.entries.items()}
    return ours, theirs


def expected_parts(author: Author) -> tuple[str, str, str]:
    """(family, given, suffix) as a BibTeX reader gives them back, whitespace folded."""
    literal, family = folded(author.literal or ""), folded(author.family or "")
    if literal:
        return literal, "", ""
    if not family:
        return folded(author.given or ""), "", ""
    return family, folded(author.given or ""), folded(author.suffix or "")


def test_bibtex_names_survive_bibtexparser_and_pybtex(seed_batch: Batch) -> None:
    text = write("bibtex", seed_batch)
    ours, theirs = bibtex_people(text)
    assert len(ours) == len(theirs) == len(seed_batch.papers)
    for paper in seed_batch.papers:
        key = "arxiv" + str(paper.arxiv_id)
        record = seed_batch.record(paper)
        assert record is not None
        want = [expected_parts(a) for a in record.authors]

        def tex(parts: list[str]) -> str:
            return folded(unescape(" ".join(parts)))

        got = [(tex(n.von + n.last), tex(n.first), tex(n.jr)) for n in ours[key]]
        assert got == want, key
        got = [
            (
                tex(p.prelast_names + p.last_names),
                tex(p.first_names + p.middle_names),
                tex(p.lineage_names),
            )
            for p in theirs[key]
        ]
        assert got == want, key


def test_bibtex_fields_with_metadata(seed_batch: Batch) -> None:
    text = write("bibtex", seed_batch)
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    for paper, entry in zip(seed_batch.papers, library.entries, strict=True):
        record = seed_batch.record(paper)
        assert record is not None
        fields = {f.key: f.value for f in entry.fields}
        assert fields["date"] == record.published[:10]
        assert fields["year"] == record.published[:4]
        assert fields["version"] == str(record.version)
        assert fields["eprinttype"] == "arxiv" and "archiveprefix" not in fields
        assert fields["eprintclass"] == record.categories[0]
        assert fields["keywords"] == ", ".join(record.categories)
        assert "usera" not in fields and "userd" not in fields
        assert unescape(fields["abstract"]).endswith("and the end of the abstract.")
        assert (fields.get("note") is not None) == (record.journal_ref is not None)
        if paper.title_zh:
            assert f"标题: {paper.title_zh}" in unescape(fields["annote"]).split("\n")
        if record.comment:
            assert f"arXiv comment: {record.comment}" in fields["annote"]
        if paper.version is not None and paper.version != record.version:
            assert f"Digest version: v{paper.version}" in fields["annote"].split("\n")
    # what the reader gives back: arXiv's facts, the digest's own text
    back = find("bibtex").read(text)  # type: ignore[union-attr]
    for paper, got in zip(seed_batch.papers, back, strict=True):
        m = merge(paper, seed_batch.record(paper))  # type: ignore[arg-type]
        assert got.arxiv_id == paper.arxiv_id and got.version == m.version
        assert (got.title_zh, got.summary_zh, got.abstract_zh) == (
            paper.title_zh,
            paper.summary_zh,
            paper.abstract_zh,
        )
        assert not got.abstract_truncated


@settings(max_examples=60)
@given(enriched_batches(long_abstracts=False))
def test_bibtex_hypothesis_metadata_parses_everywhere(
    data: tuple[tuple[Paper, ...], dict[str, ArxivRecord]],
) -> None:
    papers, records = data
    batch = Batch(papers=papers, records=records)
    text = write("bibtex", batch)
    ours, theirs = bibtex_people(text)
    back = find("bibtex").read(text)  # type: ignore[union-attr]
    assert len(back) == len(papers)
    for paper, key, got in zip(papers, theirs, back, strict=True):
        record = records.get(paper.arxiv_id or "")
        want = expected_bibtex(paper)
        if record is None:
            assert got == want
            continue
        names = [a for a in record.authors if expected_parts(a)[0]]
        assert len(theirs[key]) == len(ours.get(key, [])) == len(names)
        # the digest's own text reads back unchanged
        for name in ("arxiv_id", "title_zh", "summary_zh", "summary_en", "abstract_zh"):
            assert getattr(got, name) == getattr(want, name), name
        assert got.version == record.version


# ---------------------------------------------------------------- CSL-JSON


def test_csl_names_dates_and_chinese_text(seed_batch: Batch) -> None:
    items = json.loads(write("csl-json", seed_batch))
    assert not list(CSL_SCHEMA.iter_errors(items))
    for paper, item in zip(seed_batch.papers, items, strict=True):
        record = seed_batch.record(paper)
        assert record is not None
        want = []
        for a in record.authors:
            family, given, suffix = expected_parts(a)
            if not given and not suffix and not folded(a.family or ""):
                want.append({"literal": family})
            else:
                want.append(
                    {"family": family}
                    | ({"given": given} if given else {})
                    | ({"suffix": suffix} if suffix else {})
                )
        got = [{k: folded(v) for k, v in n.items()} for n in item["author"]]
        assert got == want
        y, m, d = (int(x) for x in record.published[:10].split("-"))
        assert item["issued"] == {"date-parts": [[y, m, d]]}
        assert item["version"] == str(record.version)
        if paper.title_zh:
            assert f"标题: {paper.title_zh}" in item["note"].split("\n")


def test_csl_reads_back_the_digest_fields_from_note(seed_batch: Batch) -> None:
    text = write("csl-json", seed_batch)
    items = json.loads(text)
    # Zotero drops custom and citeproc-py warns about it: items with metadata have none
    assert all("custom" not in item and "categories" not in item for item in items)
    back = find("csl-json").read(text)  # type: ignore[union-attr]
    for paper, got in zip(seed_batch.papers, back, strict=True):
        record = seed_batch.record(paper)
        assert record is not None
        want = expected(paper)
        for name in ("arxiv_id", "title_zh", "summary_zh", "summary_en", "abstract_zh"):
            assert getattr(got, name) == getattr(want, name), name
        assert got.announce_type == paper.announce_type
        assert got.url == paper.url
        assert got.primary_category == record.categories[0]
        assert got.version == record.version and not got.abstract_truncated


def test_citeproc_py_renders_every_name(seed_batch: Batch) -> None:
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    items = []
    # one item per author, so "et al." hides no name
    for item in json.loads(write("csl-json", seed_batch)):
        item.pop("custom", None)  # citeproc-py warns about variables it does not know
        item.pop("categories", None)
        for n, name in enumerate(item["author"]):
            items.append(item | {"id": f"{item['id']}-{n}", "author": [name]})
    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bib = CitationStylesBibliography(style, source, formatter.plain)
    for item in items:
        bib.register(Citation([CitationItem(item["id"])]))
    rendered = [str(entry) for entry in bib.bibliography()]
    assert len(rendered) == len(items)
    text = "\n".join(rendered)
    for item in items:
        name = item["author"][0]
        assert folded(name.get("family") or name["literal"]) in text, name


# ---------------------------------------------------------------- RIS


def test_ris_read_by_rispy_with_every_author(seed_batch: Batch) -> None:
    text = write("ris", seed_batch)
    entries = rispy.loads(text)
    assert len(entries) == len(seed_batch.papers)
    for paper, entry in zip(seed_batch.papers, entries, strict=True):
        record = seed_batch.record(paper)
        assert record is not None
        want = []
        for a in record.authors:
            family, given, suffix = expected_parts(a)
            if not given and not suffix and not folded(a.family or ""):
                want.append(family)
            else:
                want.append(
                    f"{family}, {given}, {suffix}"
                    if suffix
                    else (f"{family}, {given}" if given else family)
                )
        assert [folded(x) for x in entry["authors"]] == want
        assert entry["date"] == record.published[:10].replace("-", "/")
        assert entry["accession_number"] == paper.arxiv_id
        # the journal DOI when arXiv gives one, else arXiv's own
        assert entry["doi"] == (record.doi or f"10.48550/arXiv.{paper.arxiv_id}")
        assert entry["keywords"] == list(record.categories)
        if paper.title_zh:
            assert f"标题: {paper.title_zh}" in entry["notes"]


# ---------------------------------------------------------------- feeds


def test_rss_dc_creator_and_v1_pubdate(seed_batch: Batch) -> None:
    text = write("rss", seed_batch)
    feed = feedparser.parse(text.encode())
    assert feed.bozo == 0, feed.get("bozo_exception")
    for paper, entry in zip(seed_batch.papers, feed.entries, strict=True):
        record = seed_batch.record(paper)
        assert record is not None
        names = [a.name for a in record.authors]
        root = etree.fromstring(text.encode())
        item = root.find(f"channel/item[guid='https://arxiv.org/abs/{paper.arxiv_id}']")
        assert item is not None
        creators = [e.text for e in item.iterfind("{http://purl.org/dc/elements/1.1/}creator")]
        assert [folded(c) for c in creators] == [folded(n) for n in names]
        assert entry.get("author")
        when = entry.published_parsed
        assert f"{when.tm_year:04d}-{when.tm_mon:02d}-{when.tm_mday:02d}" == record.published[:10]


def test_atom_entry_authors_replace_the_placeholder(seed_batch: Batch) -> None:
    text = write("atom", seed_batch)
    root = etree.fromstring(text.encode())
    assert ATOM_RNG.validate(root), ATOM_RNG.error_log
    atom = "{http://www.w3.org/2005/Atom}"
    assert root.find(atom + "author") is None  # every entry has its own
    feed = feedparser.parse(text.encode())
    assert feed.bozo == 0
    for paper, entry in zip(seed_batch.papers, feed.entries, strict=True):
        record = seed_batch.record(paper)
        assert record is not None
        assert [folded(a.name) for a in entry.authors] == [folded(a.name) for a in record.authors]
        assert entry.published.startswith(record.published[:10])


def test_atom_keeps_the_placeholder_when_an_entry_has_no_author(seed_batch: Batch) -> None:
    first = seed_batch.papers[0].arxiv_id
    records = {k: v for k, v in seed_batch.records.items() if k != first}
    text = write("atom", dataclasses.replace(seed_batch, records=records))
    root = etree.fromstring(text.encode())
    assert ATOM_RNG.validate(root)
    assert root.find("{http://www.w3.org/2005/Atom}author") is not None


def test_opml_authors_and_created(seed_batch: Batch) -> None:
    text = write("opml", seed_batch)
    result = listparser.parse(text)
    assert result.bozo == 0 and result.version == "opml2"
    root = etree.fromstring(text.encode())
    outlines = [o for o in root.iter("outline") if o.get("type") == "link"]
    assert len(outlines) == len(seed_batch.papers)
    for paper, outline in zip(seed_batch.papers, outlines, strict=True):
        record = seed_batch.record(paper)
        assert record is not None
        assert outline.get("authors") == "; ".join(folded(a.name) for a in record.authors)
        assert outline.get("created", "").endswith("17:59:59 GMT")


@settings(max_examples=40)
@given(enriched_batches(long_abstracts=False))
def test_feeds_hypothesis_metadata(data: tuple[tuple[Paper, ...], dict[str, ArxivRecord]]) -> None:
    papers, records = data
    batch = Batch(papers=papers, records=records)
    for name in ("rss", "atom"):
        feed = feedparser.parse(write(name, batch).encode())
        assert feed.bozo == 0, feed.get("bozo_exception")
        assert len(feed.entries) == len(papers)
    root = etree.fromstring(write("atom", batch).encode())
    assert ATOM_RNG.validate(root), ATOM_RNG.error_log
    assert listparser.parse(write("opml", batch)).bozo == 0
    text = write("csl-json", batch)
    assert not list(CSL_SCHEMA.iter_errors(json.loads(text)))
    for paper, got in zip(papers, find("csl-json").read(text), strict=True):  # type: ignore[union-attr]
        want = expected(paper)
        for name in ("arxiv_id", "title_zh", "summary_zh", "summary_en", "abstract_zh"):
            assert getattr(got, name) == getattr(want, name), name
    text = write("ris", batch)
    entries = rispy.loads(text)
    assert len(entries) == len(papers)
    for paper, entry, got in zip(papers, entries, find("ris").read(text), strict=True):  # type: ignore[union-attr]
        record = records.get(paper.arxiv_id or "")
        names = [a for a in record.authors if ris_name(a)] if record else []
        assert len(entry.get("authors", [])) == len(names)
        for name in ("arxiv_id", "title_zh", "summary_zh", "summary_en", "abstract_zh"):
            assert getattr(got, name) == (
                plain(getattr(paper, name)) if name != "arxiv_id" else paper.arxiv_id
            )


def test_markdown_ignores_metadata(seed_batch: Batch) -> None:
    # the canonical digest is the digest's own text: metadata changes nothing
    plain = dataclasses.replace(seed_batch, records={})
    assert write("markdown", seed_batch) == write("markdown", plain)


def test_only_papers_with_records_change(seed_batch: Batch, tmp_path: Path) -> None:
    first = seed_batch.papers[0].arxiv_id
    records = {k: v for k, v in seed_batch.records.items() if k == first}
    partial = dataclasses.replace(seed_batch, records=records)
    plain = dataclasses.replace(seed_batch, records={})
    entries = write("bibtex", partial).split("\n@")
    assert entries[1:] == write("bibtex", plain).split("\n@")[1:]
    assert entries[0] != write("bibtex", plain).split("\n@")[0]


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc not installed")
def test_pandoc_reads_names_from_bibtex(seed_batch: Batch, tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(write("bibtex", seed_batch), encoding="utf-8")
    run = subprocess.run(
        ["pandoc", "-f", "bibtex", "-t", "csljson", str(bib)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stderr.strip() == ""
    items = json.loads(run.stdout)
    checked = 0
    for paper, item in zip(seed_batch.papers, items, strict=True):
        record = seed_batch.record(paper)
        assert record is not None
        assert len(item["author"]) == len(record.authors)
        for author, name in zip(record.authors, item["author"], strict=True):
            family, given, suffix = expected_parts(author)
            if "$" in family + given or any("\u0370" <= c <= "\u03ff" for c in family + given):
                continue  # math (Greek is written as math): pandoc renders it its own way
            parts = ("dropping-particle", "non-dropping-particle", "family")
            got = folded(" ".join(name[k] for k in parts if k in name)) or name.get("literal")
            # pandoc typesets apostrophes as typographic ones and splits "d'" off as a particle
            got = got.replace("\u2019", "'").replace("' ", "'")
            assert got == family, name
            assert folded(name.get("given", "")) == given and name.get("suffix", "") == suffix
            checked += 1
    assert checked > 100
