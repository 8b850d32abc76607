#!/usr/bin/env python3
"""Build ``tests/data/arxiv/seeds-api.xml``: an arXiv API response for the seeds' papers.

The recorded real API responses (``tests/data/arxiv/arxiv-api-sample-*.xml``)
do not contain the papers of ``seeds/``, so the end-to-end tests need a
response for them.  This script writes one feed, in exactly the layout of the
real 2026 responses (namespaces on ``<feed>``, the same elements in the same
order), with one entry per paper of the seeds:

* identifier, version and title: from the digest (version 1 where the digest
  names none);
* abstract: the digest's English abstract (announce prefix removed); where
  the digest cut it, it is continued with a clearly marked synthetic sentence;
* authors: taken round robin from the author lists of the recorded real
  response ``arxiv-api-sample-100.xml`` (real names, not these papers' authors);
* categories: the digest's primary category (``cs.LG`` where it names none:
  the seeds are cs.LG digests);
* dates: synthetic, derived from the identifier (the 15th of its month, 12:00
  UTC; later versions one week apart).

Run from the repository root: ``python scripts/make_seeds_fixture.py``.
The output is deterministic.
"""

from __future__ import annotations

import sys
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import digestconv  # noqa: E402
from digestconv import arxiv  # noqa: E402

ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
DATA = ROOT / "tests" / "data" / "arxiv"
CONTINUATION = (
    " [SYNTHETIC CONTINUATION FOR TESTS: the digest cut this abstract at 1000 characters; "
    "this sentence stands in for the rest of the real abstract.]"
)


def author_lists() -> list[list[tuple[str, list[str]]]]:
    """The author lists (name, affiliations) of the recorded 100-entry response."""
    tree = etree.parse(str(DATA / "arxiv-api-sample-100.xml"))
    out = []
    for entry in tree.getroot().iterfind(f"{{{ATOM}}}entry"):
        authors = []
        for a in entry.iterfind(f"{{{ATOM}}}author"):
            name = a.findtext(f"{{{ATOM}}}name") or ""
            affils = [x.text or "" for x in a.iterfind(f"{{{ARXIV}}}affiliation")]
            authors.append((name, affils))
        out.append(authors)
    return out


def main() -> int:
    papers = []
    seen: set[str] = set()
    for digest in digestconv.parse([ROOT / "seeds"]):
        for paper in digest.papers:
            if paper.arxiv_id and paper.arxiv_id not in seen:
                seen.add(paper.arxiv_id)
                papers.append(paper)
    lists = author_lists()
    nsmap = {"opensearch": OPENSEARCH, "arxiv": ARXIV, None: ATOM}
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap=nsmap)
    feed.text = "\n  "

    def sub(
        parent: etree._Element, tag: str, text: str | None = None, **attrs: str
    ) -> etree._Element:
        el = etree.SubElement(parent, tag, dict(attrs))
        if text is not None:
            el.text = text
        return el

    ids = ",".join(p.arxiv_id for p in papers)
    sub(feed, f"{{{ATOM}}}id", "https://arxiv.org/api/synthetic-seeds")
    sub(
        feed,
        f"{{{ATOM}}}title",
        f"arXiv Query: search_query=&id_list={ids}&start=0&max_results={len(papers)}",
    )
    sub(feed, f"{{{ATOM}}}updated", "2026-11-29T00:00:00Z")
    sub(
        feed,
        f"{{{ATOM}}}link",
        href=f"https://arxiv.org/api/query?search_query=&start=0&max_results={len(papers)}&id_list={ids}",
        type="application/atom+xml",
    )
    sub(feed, f"{{{OPENSEARCH}}}itemsPerPage", str(len(papers)))
    sub(feed, f"{{{OPENSEARCH}}}totalResults", str(len(papers)))
    sub(feed, f"{{{OPENSEARCH}}}startIndex", "0")
    for n, paper in enumerate(papers):
        ident, _ = arxiv.check_id(paper.arxiv_id)
        assert ident is not None
        version = paper.version or 1
        published = f"{ident.year:04d}-{ident.month:02d}-15T12:00:00Z"
        day = 15 + 7 * (version - 1)
        updated = f"{ident.year:04d}-{ident.month:02d}-{min(day, 28):02d}T12:00:00Z"
        abstract = paper.abstract or ""
        announce = arxiv.parse_announce(abstract)
        if announce is not None:
            abstract = abstract[announce.length :]
        abstract = abstract.strip()
        if paper.abstract_truncated:
            abstract += CONTINUATION
        category = paper.primary_category or "cs.LG"
        entry = sub(feed, f"{{{ATOM}}}entry")
        sub(entry, f"{{{ATOM}}}id", f"http://arxiv.org/abs/{paper.arxiv_id}v{version}")
        sub(entry, f"{{{ATOM}}}title", paper.title or "")
        sub(entry, f"{{{ATOM}}}updated", updated)
        sub(
            entry,
            f"{{{ATOM}}}link",
            href=f"https://arxiv.org/abs/{paper.arxiv_id}v{version}",
            rel="alternate",
            type="text/html",
        )
        sub(
            entry,
            f"{{{ATOM}}}link",
            href=f"https://arxiv.org/pdf/{paper.arxiv_id}v{version}",
            rel="related",
            type="application/pdf",
            title="pdf",
        )
        sub(entry, f"{{{ATOM}}}summary", abstract)
        sub(entry, f"{{{ATOM}}}category", term=category, scheme="http://arxiv.org/schemas/atom")
        sub(entry, f"{{{ATOM}}}published", published)
        sub(entry, f"{{{ARXIV}}}primary_category", term=category)
        for name, affils in lists[n % len(lists)]:
            author = sub(entry, f"{{{ATOM}}}author")
            sub(author, f"{{{ATOM}}}name", name)
            for affil in affils:
                sub(author, f"{{{ARXIV}}}affiliation", affil)
    etree.indent(feed, space="  ")
    data = etree.tostring(feed, xml_declaration=True, encoding="UTF-8").replace(
        b"<?xml version='1.0' encoding='UTF-8'?>", b"<?xml version='1.0' encoding='UTF-8'?>"
    )
    out = DATA / "seeds-api.xml"
    out.write_bytes(data + b"\n")
    print(f"wrote {out.relative_to(ROOT)}: {len(papers)} entries")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
