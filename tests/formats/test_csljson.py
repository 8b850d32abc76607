"""CSL-JSON writer and reader: schema validity, round trips, pandoc, determinism."""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from digestconv.formats import find
from digestconv.formats.base import Batch, FormatError
from digestconv.formats.bibtex import BibTeX
from digestconv.formats.csljson import CslJson
from digestconv.model import Paper
from tests.formats.citeutil import FILES, ROOT, expected, merged, papers_of
from tests.strategies import unique_papers

VALIDATOR = Draft7Validator(json.loads((ROOT / "tests/data/csl-data.json").read_text("utf-8")))


def valid(text: str) -> list[dict[str, Any]]:
    """Parse and validate against the official CSL-data schema."""
    assert text.endswith("\n")
    items = json.loads(text)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(items)]
    assert not errors, errors[:5]
    return items


@pytest.fixture(scope="module")
def fmt() -> CslJson:
    found = find("csl-json")
    assert isinstance(found, CslJson)
    return found


def test_registry() -> None:
    assert isinstance(find("csl"), CslJson)
    assert isinstance(find(filename="refs.csl.json"), CslJson)


@pytest.mark.parametrize("ascii_only", [False, True], ids=["utf8", "ascii"])
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_real_files_round_trip(fmt: CslJson, path: Path, ascii_only: bool) -> None:
    papers = papers_of(path)
    text = fmt.write(Batch(papers=papers, ascii=ascii_only))
    if ascii_only:
        assert text.isascii()
    valid(text)
    assert fmt.read(text) == [expected(p) for p in papers]


def test_real_corpus_items(fmt: CslJson) -> None:
    papers = merged(FILES)
    items = valid(fmt.write(Batch(papers=papers)))
    assert len(items) == len(papers)
    assert len({i["id"].lower() for i in items}) == len(items)
    for paper, csl in zip(papers, items, strict=True):
        assert csl["type"] == "article"
        assert csl["publisher"] == "arXiv"
        assert csl["number"] == f"arXiv:{paper.arxiv_id}"
        assert csl["DOI"] == f"10.48550/arXiv.{paper.arxiv_id}"
        assert csl["URL"] == f"https://arxiv.org/abs/{paper.arxiv_id}"
        assert len(csl["issued"]["date-parts"][0]) == 2


def test_ids_are_the_bibtex_keys(fmt: CslJson) -> None:
    papers = merged(FILES[:4])
    items = json.loads(fmt.write(Batch(papers=papers)))
    library = bibtexparser.parse_string(BibTeX().write(Batch(papers=papers)))
    assert [i["id"] for i in items] == [e.key for e in library.entries]


def test_latex_accents_become_characters(fmt: CslJson) -> None:
    paper = Paper(
        arxiv_id="2304.00917",
        url="https://arxiv.org/abs/2304.00917",
        title=r"Schr\"odinger and 50\% of $\alpha$",
    )
    (item,) = json.loads(fmt.write(Batch(papers=(paper,))))
    assert item["title"] == "Schrödinger and 50% of α"
    assert fmt.read(json.dumps([item])) == [expected(paper)]


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc not installed")
def test_pandoc_reads_real_output(fmt: CslJson, tmp_path: Path) -> None:
    papers = merged(FILES[:4])
    path = tmp_path / "refs.json"
    path.write_text(fmt.write(Batch(papers=papers)), encoding="utf-8")
    run = subprocess.run(
        ["pandoc", "-f", "csljson", "-t", "csljson", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stderr.strip() == ""
    items = json.loads(run.stdout)
    assert [i["id"] for i in items] == [i["id"] for i in json.loads(path.read_text("utf-8"))]
    for paper, csl in zip(papers, items, strict=True):
        assert csl["DOI"] == f"10.48550/arXiv.{paper.arxiv_id}"
        assert csl["number"] == f"arXiv:{paper.arxiv_id}"


@given(unique_papers(), st.booleans())
def test_hypothesis_round_trip(papers: list[Paper], ascii_only: bool) -> None:
    fmt = CslJson()
    text = fmt.write(Batch(papers=tuple(papers), ascii=ascii_only))
    valid(text)
    assert fmt.read(text) == [expected(p) for p in papers]


def test_deterministic(fmt: CslJson) -> None:
    papers = merged(FILES[:8])
    assert fmt.write(Batch(papers=papers)) == fmt.write(Batch(papers=papers))


@pytest.mark.parametrize("text", ["{", "{}", '[{"id": "x", "type": "article", "title": 3}]'])
def test_bad_input_raises(text: str) -> None:
    with pytest.raises(FormatError):
        CslJson().read(text)


def test_snapshot_of_one_real_paper(fmt: CslJson) -> None:
    corpus = papers_of(ROOT / "tests/fixtures/corpus/009.md")
    paper = next(p for p in corpus if p.arxiv_id == "2304.00917")
    assert paper.abstract is not None and paper.abstract_zh is not None
    paper = dataclasses.replace(
        paper, abstract=paper.abstract[:64], abstract_zh=paper.abstract_zh[:20], summary_zh=None
    )
    assert json.loads(fmt.write(Batch(papers=(paper,)))) == [
        {
            "id": "arxiv2304.00917",
            "type": "article",
            "genre": "Preprint",
            "title": "Diffusion Bridge Mixture Transports, Schrödinger Bridge Problems and "
            "Generative Modeling",
            "publisher": "arXiv",
            "number": "arXiv:2304.00917",
            "version": "1",
            "issued": {"date-parts": [[2023, 4]]},
            "DOI": "10.48550/arXiv.2304.00917",
            "URL": "https://arxiv.org/abs/2304.00917",
            "abstract": "The dynamic Schrödinger bridge problem seeks a stochastic proc [...]",
            "custom": {
                "arxiv_id": "2304.00917",
                "url": "http://arxiv.org/abs/2304.00917",
                "title_zh": "扩散桥混合传输、薛定谔桥问题和生成建模",
                "abstract_zh": "动态薛定谔桥问题寻求定义在两个目标概率分",
                "announce_type": "new",
                "primary_category": "stat.ML",
                "abstract_truncated": True,
                "translation_truncated": False,
                "original": {
                    "title": r"Diffusion Bridge Mixture Transports, Schr\"odinger Bridge "
                    "Problems and Generative Modeling",
                    "abstract": r"The dynamic Schr\"odinger bridge problem seeks a stochastic proc",
                },
            },
        }
    ]


def test_cli_reads_a_doubled_backslash_as_one_token(tmp_path: Path) -> None:
    """``\\\\`` in a digest's abstract is one TeX token all the way out: its second
    backslash never starts a command, in CSL-JSON (schema-valid) and in RIS (rispy)."""
    import sys

    import rispy

    seed = ROOT / "seeds" / "000_20f5c0d8057fc2ad.txt"
    held = r"a \\textbf{x} b, C:\\\\path and \\\emph{y}"
    shown = r"a \\textbf{x} b, C:\\\\path and \\y"
    text = seed.read_text("utf-8").replace("Causal representation", held + " Causal", 1)
    assert held in text
    digest = tmp_path / "digest.md"
    digest.write_text(text, "utf-8")

    def convert(name: str) -> str:
        run = subprocess.run(
            [sys.executable, "-c", "from digestconv.cli import main; main()", "to", name,
             "-q", str(digest)],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert run.returncode in (0, 1), run.stderr
        assert "Traceback" not in run.stderr
        return run.stdout

    items = valid(convert("csl-json"))
    (item,) = [i for i in items if i["custom"]["arxiv_id"] == "2403.15711"]
    assert item["abstract"].startswith(shown + " Causal")
    assert item["custom"]["original"]["abstract"].startswith(held + " Causal")
    records = rispy.loads(convert("ris"))
    (record,) = [r for r in records if "2403.15711" in str(r.get("url", r.get("urls")))]
    assert record["abstract"].startswith(shown + " Causal")
