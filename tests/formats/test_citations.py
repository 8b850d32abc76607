"""Citations from arXiv records with the awkward cases real records have.

Each record below has the shape arXiv gives for a real paper: two DOIs in one
``doi`` field (an article and its erratum, as for 0704.0033), MSC class codes
among the category terms, a withdrawal notice as the latest version (0704.0156).
Every output is read back by the real consumers (bibtexparser, rispy, the CSL
schema, feedparser) and judged there.
"""

from __future__ import annotations

import json
from typing import Any

import bibtexparser
import rispy
from jsonschema import Draft7Validator

from digestconv.enrich.atom import parse_feed
from digestconv.enrich.record import ArxivRecord, Author, split_terms
from digestconv.formats import Batch, find
from digestconv.formats._common import journal_dois, withdrawal
from digestconv.model import Paper
from tests.formats.feedutil import ROOT

CSL_SCHEMA = Draft7Validator(json.loads((ROOT / "tests/data/csl-data.json").read_text("utf-8")))

TWO_DOIS = "10.1364/JOSAA.23.002578 10.1364/JOSAA.32.002407"


def paper(arxiv_id: str, version: int = 1, title: str = "A title") -> Paper:
    return Paper(
        ref=1,
        arxiv_id=arxiv_id,
        version=version,
        url=f"https://arxiv.org/abs/{arxiv_id}",
        title=title,
        title_zh="中文标题",
        abstract="An abstract.",
    )


def record(arxiv_id: str, **kw: Any) -> ArxivRecord:
    values: dict[str, Any] = {
        "arxiv_id": arxiv_id,
        "version": 1,
        "title": "A title",
        "abstract": "An abstract.",
        "authors": (Author(family="Yurkin", given="Maxim A."),),
        "published": "2007-04-02T19:56:34Z",
        "updated": "2007-04-02T19:56:34Z",
        "categories": ("physics.optics", "physics.comp-ph"),
    }
    values.update(kw)
    return ArxivRecord(**values)


def one(arxiv_id: str, **kw: Any) -> Batch:
    return Batch(papers=(paper(arxiv_id),), records={arxiv_id: record(arxiv_id, **kw)})


def write(name: str, batch: Batch) -> str:
    fmt = find(name)
    assert fmt is not None
    return fmt.write(batch)


def bib_fields(text: str) -> dict[str, str]:
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    (entry,) = library.entries
    return {f.key: str(f.value) for f in entry.fields}


def csl_item(batch: Batch) -> dict[str, Any]:
    items = json.loads(write("csl-json", batch))
    assert not list(CSL_SCHEMA.iter_errors(items))
    (item,) = items
    return item


def ris_entry(batch: Batch) -> dict[str, Any]:
    (entry,) = rispy.loads(write("ris", batch))
    return entry


# ---------------------------------------------------------------- DOIs


def test_journal_dois_splits_arxivs_field() -> None:
    assert journal_dois(TWO_DOIS) == ("10.1364/JOSAA.23.002578", "10.1364/JOSAA.32.002407")
    assert journal_dois("https://doi.org/10.1/a;10.1/b, 10.1/a\n 10.1/c") == (
        "10.1/a",
        "10.1/b",
        "10.1/c",
    )
    assert journal_dois(None) == journal_dois("") == journal_dois("not a doi") == ()


def test_every_doi_is_kept_and_the_journal_one_is_printed() -> None:
    batch = one("0704.0033", doi=TWO_DOIS)
    arxiv = "10.48550/arXiv.0704.0033"
    bib = bib_fields(write("bibtex", batch))
    assert bib["doi"] == "10.1364/JOSAA.23.002578"
    assert bib["verbb"].split() == [arxiv, "10.1364/JOSAA.32.002407"]
    assert f"Other DOIs: {arxiv} 10.1364/JOSAA.32.002407" in bib["annote"]
    item = csl_item(batch)
    assert item["DOI"] == "10.1364/JOSAA.23.002578"
    assert f"Other DOIs: {arxiv} 10.1364/JOSAA.32.002407" in item["note"].split("\n")
    entry = ris_entry(batch)
    assert entry["doi"] == "10.1364/JOSAA.23.002578"
    assert f"Other DOIs: {arxiv} 10.1364/JOSAA.32.002407" in entry["notes"]


def test_one_journal_doi_is_printed_and_arxivs_kept() -> None:
    batch = one("0704.0038", doi="10.1016/j.jqsrt.2007.01.034")
    bib = bib_fields(write("bibtex", batch))
    assert bib["doi"] == "10.1016/j.jqsrt.2007.01.034"
    assert bib["verbb"] == "10.48550/arXiv.0704.0038"
    assert csl_item(batch)["DOI"] == ris_entry(batch)["doi"] == "10.1016/j.jqsrt.2007.01.034"


def test_without_a_journal_doi_arxivs_is_printed() -> None:
    batch = one("0704.0038")
    bib = bib_fields(write("bibtex", batch))
    assert bib["doi"] == "10.48550/arXiv.0704.0038"
    assert "verbb" not in bib and "Other DOIs" not in bib.get("annote", "")
    assert csl_item(batch)["DOI"] == ris_entry(batch)["doi"] == "10.48550/arXiv.0704.0038"


# ---------------------------------------------------------------- categories and class codes


def test_class_codes_are_told_from_categories() -> None:
    terms = ["cs.LO", "cs.LO", "math.LO", "03B70, 68Q99", "F.4.1; I.2.3", "math-ph", "Primary 05C"]
    categories, classes = split_terms(terms)
    assert categories == ("cs.LO", "math.LO", "math-ph")
    assert classes == ("03B70", "68Q99", "F.4.1", "I.2.3", "05C")
    assert split_terms(["weird class text"]) == ((), ("weird class text",))


def test_the_api_feed_puts_class_codes_apart() -> None:
    """A real recorded entry with an MSC term added as the API writes it."""
    from lxml import etree

    data = (ROOT / "tests/data/arxiv/arxiv-api-sample-classic-2016.xml").read_bytes()
    root = etree.fromstring(data)
    atom = "{http://www.w3.org/2005/Atom}"
    entry = root.find(f"{atom}entry")
    assert entry is not None
    etree.SubElement(
        entry, f"{atom}category", term="03B70, 68Q99", scheme="http://arxiv.org/schemas/atom"
    )
    entry_id = entry.findtext(f"{atom}id") or ""
    key = entry_id.rsplit("/abs/", 1)[1].rsplit("v", 1)[0]
    rec = parse_feed(etree.tostring(root)).records[key]
    assert "03B70" not in " ".join(rec.categories)
    assert rec.classes == ("03B70", "68Q99")
    assert ArxivRecord.from_json(rec.to_json()) == rec


def test_keywords_hold_categories_and_class_codes_their_own_field() -> None:
    # a record cached with the codes among its categories is written the same way
    for rec in (
        record("0704.0041", categories=("cs.LO", "03B70, 68Q99", "math.LO")),
        record("0704.0041", categories=("cs.LO", "math.LO"), classes=("03B70", "68Q99")),
    ):
        batch = Batch(papers=(paper("0704.0041"),), records={"0704.0041": rec})
        bib = bib_fields(write("bibtex", batch))
        assert [k.strip() for k in bib["keywords"].split(",")] == ["cs.LO", "math.LO"]
        assert bib["lista"].split(" and ") == ["MSC 03B70", "MSC 68Q99"]
        assert "Class codes: MSC 03B70, MSC 68Q99" in bib["annote"]
        item = csl_item(batch)
        assert item["keyword"] == "cs.LO, math.LO"
        assert "Class codes: MSC 03B70, MSC 68Q99" in item["note"].split("\n")
        entry = ris_entry(batch)
        assert entry["keywords"] == ["cs.LO", "math.LO"]
        assert "Class codes: MSC 03B70, MSC 68Q99" in entry["notes"]


# ---------------------------------------------------------------- withdrawn papers

WITHDRAWN = {
    "version": 2,
    "comment": "This paper has been withdrawn by the author",
    "abstract": "This paper has been withdrawn by the author.",
}
MARK = "Withdrawn: arXiv v2 is a withdrawal notice"


def test_a_withdrawn_paper_is_marked_in_every_format() -> None:
    import feedparser
    from lxml import etree

    batch = one("0704.0156", **WITHDRAWN)
    assert withdrawal(batch.record(batch.papers[0])) == MARK
    assert bib_fields(write("bibtex", batch))["addendum"] == MARK
    item = csl_item(batch)
    assert item["status"] == "withdrawn"
    assert item["note"].split("\n")[0] == MARK
    assert MARK in ris_entry(batch)["notes"]
    rss = feedparser.parse(write("rss", batch).encode())
    assert rss.bozo == 0 and MARK in rss.entries[0].description
    atom = feedparser.parse(write("atom", batch).encode())
    assert atom.bozo == 0 and MARK in atom.entries[0].content[0].value
    outline = etree.fromstring(write("opml", batch).encode()).find("body/outline/outline")
    assert outline is not None and outline.get("withdrawn") == MARK


def test_a_paper_that_is_not_withdrawn_has_no_mark() -> None:
    batch = one("0704.0156", comment="12 pages; a figure withdrawn in v2 is back")
    assert withdrawal(batch.record(batch.papers[0])) is None
    for name in ("bibtex", "csl-json", "ris", "rss", "atom", "opml"):
        assert "withdrawal notice" not in write(name, batch)
    assert "status" not in csl_item(batch)
