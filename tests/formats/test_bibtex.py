"""BibTeX writer and reader: round trips, real parsers, keys, determinism."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from pathlib import Path

import bibtexparser
import pybtex.database
import pybtex.errors
import pytest
from hypothesis import given
from hypothesis import strategies as st

from digestconv.formats import find
from digestconv.formats.base import Batch, FormatError
from digestconv.formats.bibtex import BibTeX, escape, normalise, unescape
from digestconv.latex import tex_math
from digestconv.model import Paper
from tests.formats.citeutil import FILES, ROOT, expected_bibtex, merged, papers_of
from tests.strategies import HOSTILE, one_line, unique_papers

KEY = re.compile(r"arxiv[a-z0-9.\-]+")


def parse_bibtexparser(text: str) -> dict[str, dict[str, str]]:
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    return {e.key: {f.key: f.value for f in e.fields} for e in library.entries}


def parse_pybtex(text: str) -> dict[str, dict[str, str]]:
    pybtex.errors.set_strict_mode(True)
    data = pybtex.database.parse_string(text, "bibtex")
    return {
        key: {k.lower(): str(v) for k, v in e.fields.items()} for key, e in data.entries.items()
    }


def check_with_parsers(text: str, n: int) -> None:
    """bibtexparser and pybtex (strict) read the same entries and the same values."""
    ours = parse_bibtexparser(text)
    theirs = parse_pybtex(text)
    assert len(ours) == len(theirs) == n
    assert list(ours) == list(theirs)
    for key, fields in ours.items():
        assert KEY.fullmatch(key) or key.startswith("paper"), key
        for name, value in fields.items():
            if name == "month":
                continue  # pybtex expands the macro (mar -> March)
            # pybtex collapses white space, bibtexparser keeps it
            assert theirs[key][name] == " ".join(value.split()), (key, name)


@pytest.fixture(scope="module")
def fmt() -> BibTeX:
    found = find("bibtex")
    assert isinstance(found, BibTeX)
    return found


def test_registry() -> None:
    assert isinstance(find("bib"), BibTeX)
    assert isinstance(find(filename="refs.bib"), BibTeX)


@pytest.mark.parametrize("ascii_only", [False, True], ids=["utf8", "ascii"])
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_real_files_round_trip(fmt: BibTeX, path: Path, ascii_only: bool) -> None:
    papers = papers_of(path)
    back = fmt.read(fmt.write(Batch(papers=papers, ascii=ascii_only)))
    assert back == [expected_bibtex(p) for p in papers]


def test_real_corpus_parses_in_real_parsers(fmt: BibTeX) -> None:
    papers = merged(FILES)
    text = fmt.write(Batch(papers=papers))
    check_with_parsers(text, len(papers))
    fields = parse_bibtexparser(text)
    keys = list(fields)
    assert len({k.lower() for k in keys}) == len(keys)
    for paper, key in zip(papers, keys, strict=True):
        entry = fields[key]
        assert entry["eprint"] == paper.arxiv_id
        assert entry["doi"] == f"10.48550/arXiv.{paper.arxiv_id}"
        assert entry["url"] == f"https://arxiv.org/abs/{paper.arxiv_id}"
        assert entry["archiveprefix"] == "arXiv"
        assert "author" not in entry
        assert unescape(entry["title"]) == tex_math(normalise(paper.title) or "")


def test_real_corpus_is_ascii_when_asked(fmt: BibTeX) -> None:
    papers = merged(FILES)
    text = fmt.write(Batch(papers=papers, ascii=True))
    # only what has no LaTeX spelling (CJK and the like) stays non-ASCII
    for line in text.splitlines():
        if line.lstrip().startswith(("title ", "abstract ", "userc ")):
            assert line.isascii(), line


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc not installed")
def test_pandoc_reads_real_output(fmt: BibTeX, tmp_path: Path) -> None:
    papers = merged(FILES[:4])
    bib = tmp_path / "refs.bib"
    bib.write_text(fmt.write(Batch(papers=papers)), encoding="utf-8")
    run = subprocess.run(
        ["pandoc", "-f", "bibtex", "-t", "csljson", str(bib)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stderr.strip() == ""
    items = json.loads(run.stdout)
    assert [i["id"] for i in items] == list(parse_bibtexparser(bib.read_text("utf-8")))
    for paper, csl in zip(papers, items, strict=True):
        assert csl["DOI"] == f"10.48550/arXiv.{paper.arxiv_id}"
        assert csl["URL"] == f"https://arxiv.org/abs/{paper.arxiv_id}"
        assert csl["issued"]["date-parts"][0][0] >= 2000


@given(unique_papers(), st.booleans())
def test_hypothesis_round_trip(papers: list[Paper], ascii_only: bool) -> None:
    fmt = BibTeX()
    back = fmt.read(fmt.write(Batch(papers=tuple(papers), ascii=ascii_only)))
    assert back == [expected_bibtex(p) for p in papers]


@given(unique_papers(long_abstracts=False), st.booleans())
def test_hypothesis_real_parsers(papers: list[Paper], ascii_only: bool) -> None:
    text = BibTeX().write(Batch(papers=tuple(papers), ascii=ascii_only))
    check_with_parsers(text, len(papers))


@given(st.lists(st.sampled_from(HOSTILE) | one_line(), max_size=20).map("".join), st.booleans())
def test_escape_inverts(text: str, title: bool) -> None:
    text = normalise(text) or ""
    for ascii_only in (False, True):
        latex = escape(text, title=title, ascii_only=ascii_only)
        assert unescape(latex) == tex_math(text)
        # raw brace balance, as BibTeX counts it
        depth = 0
        for c in latex:
            depth += {"{": 1, "}": -1}.get(c, 0)
            assert depth >= 0
        assert depth == 0


def test_deterministic(fmt: BibTeX) -> None:
    papers = merged(FILES[:8])
    assert fmt.write(Batch(papers=papers)) == fmt.write(Batch(papers=papers))
    assert fmt.write_bytes(Batch(papers=papers)) == fmt.write(Batch(papers=papers)).encode()


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("50% of A&B cost $5", r"50\% of A\&B cost \$5"),
        ("$O(n^2)$ time", "$O(n^2)$ time"),
        (r"\emph{x}", r"\textbackslash{}emph\{x\}"),
        (r"Schr\"odinger", r"Schr{\"o}dinger"),
        ("{unbalanced", r"\textbraceleft{}unbalanced"),
        ("a_b ~ c^d #1", r"a\_b \textasciitilde{} c\textasciicircum{}d \#1"),
    ],
)
def test_escape_examples(text: str, latex: str) -> None:
    assert escape(text) == latex
    assert unescape(latex) == text


def test_title_protection_and_ascii() -> None:
    assert escape("BERT for Transformers", title=True) == "{BERT} for {Transformers}"
    assert escape("ω-Net", title=True) == "{{$\\omega$}-Net}"
    assert escape("Café Ørsted 深度", ascii_only=True) == r"Caf\'{e} \O{}rsted 深度"


def test_keys() -> None:
    papers = (
        Paper(arxiv_id="2403.15711", title="A"),
        Paper(arxiv_id="hep-th/9901001", title="B"),
        Paper(arxiv_id="math.AG/0601001", title="C"),
    )
    keys = list(parse_bibtexparser(BibTeX().write(Batch(papers=papers))))
    assert keys == ["arxiv2403.15711", "arxiv.hep-th.9901001", "arxiv.math.ag.0601001"]


def test_broken_input_raises() -> None:
    with pytest.raises(FormatError):
        BibTeX().read("@misc{x, title = {unclosed}\n")


SNAPSHOT = r"""@misc{arxiv2304.00917,
  title         = {{Diffusion} {Bridge} {Mixture} {Transports,} {Schr{\"o}dinger} {Bridge} {Problems} and {Generative} {Modeling}},
  key           = {arXiv:2304.00917},
  year          = {2023},
  month         = apr,
  eprint        = {2304.00917},
  archiveprefix = {arXiv},
  primaryclass  = {stat.ML},
  version       = {1},
  doi           = {10.48550/arXiv.2304.00917},
  url           = {https://arxiv.org/abs/2304.00917},
  abstract      = {The dynamic Schr{\"o}dinger bridge problem seeks a stochastic process that defines a transport between two target probabil [...]},
  usera         = {扩散桥混合传输、薛定谔桥问题和生成建模},
  userd         = {动态薛定谔桥问题寻求定义在两个目标概率分布之间的传输的随机过程，同时最优地满足最},
  usere         = {new},
  userf         = {abstract-truncated},
  verba         = {http://arxiv.org/abs/2304.00917}
}
"""  # noqa: E501


def test_snapshot_of_one_real_paper(fmt: BibTeX) -> None:
    corpus = papers_of(ROOT / "tests/fixtures/corpus/009.md")
    paper = next(p for p in corpus if p.arxiv_id == "2304.00917")
    assert paper.abstract is not None and paper.abstract_zh is not None
    paper = dataclasses.replace(
        paper, abstract=paper.abstract[:120], abstract_zh=paper.abstract_zh[:40], summary_zh=None
    )
    text = fmt.write(Batch(papers=(paper,)))
    assert text == SNAPSHOT
    assert fmt.read(text) == [expected_bibtex(paper)]
