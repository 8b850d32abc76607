"""RIS writer and reader: round trips, rispy reads every written file, hostile text."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import rispy
from hypothesis import given
from hypothesis import strategies as st

from digestconv.formats import find
from digestconv.formats.base import Batch, FormatError
from digestconv.formats.ris import Ris, plain
from digestconv.model import Paper
from tests.formats.citeutil import FILES, merged, papers_of
from tests.strategies import HOSTILE, one_line, unique_papers


def expected(paper: Paper) -> Paper:
    """What a paper reads back as: one-line plain text, LaTeX accents as characters."""
    text = {
        name: plain(getattr(paper, name))
        for name in ("url", "title", "title_zh", "summary_zh", "summary_en", "abstract")
    }
    text["abstract_zh"] = plain(paper.abstract_zh)
    return dataclasses.replace(
        paper,
        ref=None,
        line=None,
        end_line=None,
        announce_type=plain(paper.announce_type),
        primary_category=plain(paper.primary_category),
        **text,
    )


def read_with_rispy(text: str, n: int) -> list[dict[str, object]]:
    """rispy reads the file: ``n`` records, each with the fields every record has."""
    entries = rispy.loads(text)
    assert len(entries) == n
    for entry in entries:
        assert entry["type_of_reference"] == "UNPB"
        assert entry["publisher"] == "arXiv"
    return entries


@pytest.fixture(scope="module")
def fmt() -> Ris:
    found = find("ris")
    assert isinstance(found, Ris)
    return found


def test_registry() -> None:
    assert isinstance(find("endnote"), Ris)
    assert isinstance(find(filename="refs.ris"), Ris)
    assert find("ris").can_read and find("ris").can_write  # type: ignore[union-attr]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_real_files_round_trip(fmt: Ris, path: Path) -> None:
    papers = papers_of(path)
    text = fmt.write(Batch(papers=papers))
    entries = read_with_rispy(text, len(papers))
    for paper, entry in zip(papers, entries, strict=True):
        assert entry["accession_number"] == paper.arxiv_id
        assert entry["title"] == plain(paper.title)
        if paper.arxiv_id:
            assert entry["doi"] == f"10.48550/arXiv.{paper.arxiv_id}"
            assert entry["urls"] == [f"https://arxiv.org/abs/{paper.arxiv_id}"]
    assert fmt.read(text) == [expected(p) for p in papers]


def test_real_corpus_notes_keep_the_chinese_text(fmt: Ris) -> None:
    papers = merged(FILES)
    entries = read_with_rispy(fmt.write(Batch(papers=papers)), len(papers))
    for paper, entry in zip(papers, entries, strict=True):
        notes = entry.get("notes", [])
        if paper.title_zh:
            assert f"标题: {plain(paper.title_zh)}" in notes
        if paper.abstract_zh:
            assert f"译文: {plain(paper.abstract_zh)}" in notes
        if paper.abstract_truncated:
            assert str(entry["abstract"]).endswith(" [...]")


@given(unique_papers())
def test_hypothesis_round_trip(papers: list[Paper]) -> None:
    fmt = Ris()
    text = fmt.write(Batch(papers=tuple(papers)))
    read_with_rispy(text, len(papers))
    assert fmt.read(text) == [expected(p) for p in papers]


@given(st.lists(st.sampled_from(HOSTILE) | one_line(), max_size=20).map("".join))
def test_every_value_stays_on_one_line(text: str) -> None:
    paper = Paper(arxiv_id="2403.15711", title=text + "\u2028x\ny", abstract=text)
    out = Ris().write(Batch(papers=(paper,)))
    lines = out.split("\n")
    assert all(line == "" or (line[:2].isalnum() and line[2:6] == "  - ") for line in lines[:-1])
    assert rispy.loads(out)[0]["accession_number"] == "2403.15711"


def test_deterministic(fmt: Ris) -> None:
    papers = merged(FILES[:8])
    assert fmt.write(Batch(papers=papers)) == fmt.write(Batch(papers=papers))


@pytest.mark.parametrize(
    "text",
    [
        "AU  - Somebody\nER  - \n",
        "TY  - UNPB\nTI  - no end\n",
        "TY  - UNPB\nTY  - JOUR\nER  - \n",
        "this is not RIS\n",
    ],
)
def test_broken_input_raises(text: str) -> None:
    with pytest.raises(FormatError):
        Ris().read(text)


def test_reads_a_foreign_record_with_wrapped_lines() -> None:
    text = (
        "TY  - JOUR\r\nTI  - A title that an old writer\r\n wrapped\r\nAN  - 2403.15711\r\n"
        "KW  - cs.LG\r\nER  - \r\n"
    )
    [paper] = Ris().read(text)
    assert paper.title == "A title that an old writer wrapped"
    assert paper.arxiv_id == "2403.15711" and paper.primary_category == "cs.LG"
