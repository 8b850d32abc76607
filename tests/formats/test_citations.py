"""Citations from arXiv records with the awkward cases real records have: the parts the
real records of ``tests/enrich/test_snapshot_replay.py`` do not show.

That replay runs the real snapshot lines of 0704.0033 and 0704.0038 (two DOIs in one
``doi`` field, an article and its erratum), 0704.0156 (withdrawn) and two plain ones
through every format.  Here: how arXiv's ``doi`` field is split (resolver prefixes,
other separators), MSC and ACM class codes among the category terms (from a recorded
API entry and made-up records), and a comment that speaks of a withdrawn figure, which
is no withdrawal.  Every output is read back by the real consumers (bibtexparser, rispy,
the CSL schema).
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

#: arXiv's ``doi`` field of 0704.0033 (tests/data/arxiv/snapshot-0704.0001-0200.jsonl)
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


def test_a_paper_that_is_not_withdrawn_has_no_mark() -> None:
    batch = one("0704.9999", version=2, comment="12 pages; a figure withdrawn in v2 is back")
    assert withdrawal(batch.record(batch.papers[0])) is None
    for name in ("bibtex", "csl-json", "ris", "rss", "atom", "opml"):
        assert "withdrawal notice" not in write(name, batch)
    assert "status" not in csl_item(batch)
