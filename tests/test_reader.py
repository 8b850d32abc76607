"""The reader on real files: every corpus paper equals its ground-truth record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digestconv import arxiv
from digestconv.model import ENTRY_FIELDS
from digestconv.reader import read

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "corpus"
SEEDS = ROOT / "seeds"
CORPUS_FILES = sorted(CORPUS.glob("[0-9][0-9][0-9].md"))


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip(" \t")
    return value or None


def expected_entry(record: dict[str, str | None]) -> dict[str, object]:
    """What the contract says a record becomes (design notes, section 2)."""
    title = record["title"] or ""
    suffix = arxiv.parse_title_suffix(title)
    clean_title = title[: suffix.start] if suffix else title
    if suffix and clean_title.endswith("."):
        clean_title = clean_title[:-1]
    abstract = record["abstract"] or ""
    announce = arxiv.parse_announce(abstract)
    link = record["link"] or ""
    return {
        "title": _clean(clean_title),
        "url": link,
        "arxiv_id": link.rsplit("/abs/", 1)[1],
        "summary_zh": _clean(record["tldr"]),
        "summary_en": _clean(record["en_tldr"]),
        "title_zh": _clean(record["translated_title"]),
        "abstract_zh": _clean(record["translated_abstract"]),
        "abstract": _clean(abstract[announce.length :] if announce else abstract),
        "announce_type": announce.type if announce else (suffix.announce_type if suffix else None),
        "primary_category": suffix.category if suffix else None,
    }


def test_corpus_is_complete() -> None:
    assert len(CORPUS_FILES) == 99


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_corpus_file_matches_truth(path: Path) -> None:
    digest = read(path.read_bytes(), str(path))
    truth = json.loads(path.with_suffix(".truth.json").read_text("utf-8"))["records"]
    assert digest.kind == "digest"
    assert digest.issues == ()
    assert len(digest.papers) == len(truth)
    for index, (paper, record) in enumerate(zip(digest.papers, truth, strict=True), 1):
        assert paper.ref == index
        for name, value in expected_entry(record).items():
            assert getattr(paper, name) == value, (path.name, index, name)


def test_corpus_field_coverage() -> None:
    """The corpus exercises every layout the notes describe."""
    papers = [p for f in CORPUS_FILES for p in read(f.read_bytes(), str(f)).papers]
    assert len(papers) == 614
    assert {p.announce_type for p in papers} == {
        "new",
        "cross",
        "replace",
        "replace-cross",
        None,
    } - (set() if any(p.announce_type is None for p in papers) else {None})
    assert any(p.summary_en for p in papers)  # English tldr fills the separator line
    assert any(p.primary_category for p in papers)  # old-feed titles
    assert {p.url.split("/abs/")[0] for p in papers if p.url} == {
        "http://arxiv.org",
        "https://arxiv.org",
        "https://rss.arxiv.org",
    }
    assert sum(p.abstract_truncated for p in papers) > 300
    assert all(p.arxiv_id for p in papers)


def test_old_title_suffix_fields() -> None:
    digest = read((SEEDS / "001_47dd8e642f9add4b.txt").read_bytes(), "001")
    paper = next(p for p in digest.papers if p.arxiv_id == "2310.13833")
    assert paper.title == "GraphMaker: Can Diffusion Models Generate Large Attributed Graphs?"
    assert (paper.version, paper.primary_category, paper.announce_type) == (2, "cs.LG", "replace")
    assert paper.source.raw_title is not None
    assert paper.source.raw_title.endswith("(arXiv:2310.13833v2 [cs.LG] UPDATED)")


def test_announce_prefix_fields() -> None:
    digest = read((SEEDS / "003_025763420b998cbe.txt").read_bytes(), "003")
    paper = digest.papers[3]
    assert (paper.arxiv_id, paper.version, paper.announce_type) == (
        "2105.11866",
        4,
        "replace-cross",
    )
    assert paper.abstract is not None and not paper.abstract.startswith("arXiv:")


def test_entry_positions_are_exact() -> None:
    text = (SEEDS / "000_20f5c0d8057fc2ad.txt").read_text("utf-8")
    lines = text.split("\n")
    digest = read(text, "000")
    first = digest.papers[0]
    assert (first.line, first.end_line) == (10, 23)
    for name in ("title", "url", "summary_zh", "abstract_zh", "abstract", "title_zh"):
        span = first.span(name)
        assert span.line == span.end_line
        snippet = lines[span.line - 1][span.column - 1 : span.end_column - 1]
        value = getattr(first, name)
        if name == "abstract":
            assert snippet.endswith(value)
        else:
            assert snippet == value, name
    row = first.source.row
    assert row is not None and row.line == 5
    url_span = row.spans["url"]
    assert lines[4][url_span.column - 1 : url_span.end_column - 1] == first.url


def test_seed_abstract_page() -> None:
    digest = read((SEEDS / "004_6a7442de060cbd81.txt").read_bytes(), "004")
    assert digest.kind == "abstract-page"
    assert digest.papers == ()
    assert digest.abstract is not None and digest.abstract.startswith(
        "A major driver of AI products"
    )
    assert digest.abstract_zh is not None and digest.abstract_zh.startswith("当今人工智能产品")
    assert "下载" not in digest.abstract_zh and "关闭预览" not in digest.abstract_zh
    chrome = [i for i in digest.issues if i.rule == "page-chrome"]
    assert len(chrome) == 1 and (chrome[0].span.line, chrome[0].span.end_line) == (6, 153)
    as_json = digest.to_dict()
    assert as_json["kind"] == "abstract-page" and as_json["entries"] == []


@pytest.mark.parametrize("seed", sorted(SEEDS.glob("00[013]_*.txt")), ids=lambda p: p.name[:3])
def test_seed_digests_parse_cleanly(seed: Path) -> None:
    digest = read(seed.read_bytes(), str(seed))
    assert digest.kind == "digest" and digest.issues == ()
    assert [p.ref for p in digest.papers] == list(range(1, len(digest.papers) + 1))
    assert all(p.arxiv_id and p.title and p.abstract and p.abstract_zh for p in digest.papers)
    assert all(set(p.to_dict()) == set(ENTRY_FIELDS) for p in digest.papers)


EMPTY = "# 摘要\n\n| Ref | Title | Summary |\n| --- | --- | --- |\n\n# 详细\n\n"


def test_empty_digest() -> None:
    digest = read(EMPTY, "empty.md")
    assert (
        digest.kind == "digest"
        and digest.recognized
        and digest.papers == ()
        and digest.issues == ()
    )


def _one_paper(block_fields: list[str], row_summary: str = "总结") -> str:
    row = f"| [^1] | [A Title](https://arxiv.org/abs/2403.15711) | {row_summary} |\n"
    head = "# 摘要\n\n| Ref | Title | Summary |\n| --- | --- | --- |\n" + row + "\n# 详细\n\n"
    body = "[^1]: 中文标题\n" + "".join(f"\n    {f}\n" for f in block_fields) + "    \n"
    return head + body


def test_layout_without_tldr() -> None:
    """Earliest files: no summary and no separator line."""
    text = _one_paper(
        [
            "A Title",
            "[https://arxiv.org/abs/2403.15711](https://arxiv.org/abs/2403.15711)",
            "中文摘要。",
            "English abstract.",
        ]
    )
    paper = read(text, "x").papers[0]
    assert (paper.summary_zh, paper.summary_en) == (None, None)
    assert (paper.abstract_zh, paper.abstract) == ("中文摘要。", "English abstract.")


def test_layout_with_english_tldr_and_empty_tldr() -> None:
    link = "[https://arxiv.org/abs/2403.15711](https://arxiv.org/abs/2403.15711)"
    paper = read(
        _one_paper(["A Title", link, "", "English tldr.", "中文。", "Abstract."], ""), "x"
    ).papers[0]
    assert (paper.summary_zh, paper.summary_en) == (None, "English tldr.")
    assert paper.abstract == "Abstract."


def test_summary_with_pipe_and_control_characters() -> None:
    link = "[https://arxiv.org/abs/2403.15711](https://arxiv.org/abs/2403.15711)"
    text = _one_paper(
        ["A Title", link, "a | b \u0007c", "", "中文。", "Abstract."], "a | b \u0007c"
    )
    digest = read(text, "x")
    assert digest.papers[0].summary_zh == "a | b \u0007c"
    assert digest.rows[0].summary == "a | b \u0007c"
    assert [i.rule for i in digest.issues] == ["encoding", "encoding"]
    assert "U+0007" in digest.issues[0].message


def test_every_non_blank_line_is_placed_or_reported() -> None:
    text = (SEEDS / "000_20f5c0d8057fc2ad.txt").read_text("utf-8")
    text = text.replace("# 详细\n", "# 详细\nstray words\n", 1)
    digest = read(text, "x")
    (issue,) = digest.issues
    assert issue.rule == "syntax" and issue.span.line == 9 and issue.span.end_column == 12


@pytest.mark.parametrize(
    ("data", "rule", "needle"),
    [
        (b"\xef\xbb\xbf" + EMPTY.encode(), "encoding", "byte-order mark"),
        (EMPTY.replace("\n", "\r\n").encode(), "encoding", "CRLF"),
        (EMPTY.encode() + b"\xff\xfe", "encoding", "invalid UTF-8"),
        (b"\x00\x01binary", "encoding", "binary"),
    ],
)
def test_encoding_problems_are_issues(data: bytes, rule: str, needle: str) -> None:
    digest = read(data, "x")
    assert any(i.rule == rule and needle in i.message for i in digest.issues)


def test_invalid_utf8_position() -> None:
    data = EMPTY.encode() + "中文".encode() + b"\xff"
    issues = read(data, "x").issues
    (issue,) = [i for i in issues if i.rule == "encoding"]
    assert (issue.span.line, issue.span.column) == (8, 3)
    assert "ff" in issue.message
    # the decoded line is still placed or reported: here, stray text in the details
    assert [i.rule for i in issues if i.rule != "encoding"] == ["syntax"]
