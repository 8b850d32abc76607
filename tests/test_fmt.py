"""``digestconv.fmt``: safe fixes, refusals, and the two laws (idempotent, content kept)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from digestconv.api import check
from digestconv.fmt import format_digest
from digestconv.layout import render
from digestconv.model import ENTRY_FIELDS, Digest, Paper
from digestconv.reader import read
from tests.strategies import papers

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
CORPUS = ROOT / "tests" / "fixtures" / "corpus"
SEED_000 = SEEDS / "000_20f5c0d8057fc2ad.txt"
SEED_001 = SEEDS / "001_47dd8e642f9add4b.txt"
SEED_003 = SEEDS / "003_025763420b998cbe.txt"
SEED_004 = SEEDS / "004_6a7442de060cbd81.txt"

#: every contract field except where a paper sits
CONTENT = tuple(f for f in ENTRY_FIELDS if f not in ("ref", "line", "end_line"))
#: what a fix may never introduce
STRUCTURE_RULES = {
    "syntax", "encoding", "ref-missing-detail", "ref-missing-row", "ref-duplicate", "ref-order",
    "title-mismatch", "url-mismatch", "summary-mismatch", "link-text-mismatch",
}  # fmt: skip


def content(papers: tuple[Paper, ...] | list[Paper]) -> list[tuple[object, ...]]:
    """The content fields of each paper, in order."""
    return [tuple(getattr(p, f) for f in CONTENT) for p in papers]


def corpus_paths() -> list[Path]:
    """Every real corpus digest."""
    return sorted(p for p in CORPUS.glob("*.md") if p.stem.isdigit())


@cache
def _bytes(path: Path) -> bytes:
    return path.read_bytes()


def formatted(data: bytes | str, path: str = "x.md") -> str:
    """Format and insist that fmt accepted the file."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    result = format_digest(raw, path)
    assert result.text is not None, result.reason
    return result.text


def structure_problems(digest: Digest) -> list[str]:
    """Diagnostics about layout, references or agreement of table and blocks."""
    return [f"{d.line}: {d.rule}" for d in check([digest]) if d.rule in STRUCTURE_RULES]


def delete_paper(text: str, ref: int) -> str:
    """Delete paper ``ref``: its table row and its detail block (spans from the reader)."""
    digest = read(text, "x.md")
    paper = next(p for p in digest.papers if p.ref == ref)
    assert paper.source.row is not None and paper.line and paper.end_line
    drop = {paper.source.row.line, *range(paper.line, paper.end_line + 1)}
    lines = text.split("\n")
    return "\n".join(line for n, line in enumerate(lines, 1) if n not in drop)


# --- safe fixes -------------------------------------------------------------------------


def test_bom_crlf_and_trailing_whitespace_are_fixed() -> None:
    original = SEED_000.read_text("utf-8")
    canonical = formatted(original)
    hostile = "\ufeff" + "\r\n".join(line + " \t " for line in original.split("\n"))
    fixed = formatted(hostile.encode("utf-8"))
    assert fixed == canonical
    assert not fixed.startswith("\ufeff") and "\r" not in fixed
    digest = read(fixed, "x.md")
    assert structure_problems(digest) == []
    assert content(digest.papers) == content(read(original, "x.md").papers)


@pytest.mark.parametrize("seed", [SEED_000, SEED_001, SEED_003], ids=lambda p: p.name[:3])
def test_refs_renumbered_after_deleting_a_paper(seed: Path) -> None:
    text = seed.read_text("utf-8")
    before = read(text, "x.md")
    gone = before.papers[0].ref
    edited = delete_paper(text, gone)
    edited_digest = read(edited, "x.md")
    assert "ref-order" in {d.rule for d in check([edited_digest])}
    fixed = formatted(edited)
    after = read(fixed, "x.md")
    assert [p.ref for p in after.papers] == list(range(1, len(before.papers)))
    assert [r.ref for r in after.rows] == [p.ref for p in after.papers]
    assert content(after.papers) == content(before.papers[1:])
    assert structure_problems(after) == []


def test_refs_renumbered_after_deleting_a_middle_paper() -> None:
    text = SEED_001.read_text("utf-8")
    before = read(text, "x.md")
    middle = before.papers[len(before.papers) // 2]
    after = read(formatted(delete_paper(text, middle.ref)), "x.md")
    expected = [p for p in before.papers if p.ref != middle.ref]
    assert content(after.papers) == content(expected)
    assert [p.ref for p in after.papers] == list(range(1, len(expected) + 1))


def test_table_cells_differing_only_in_whitespace_are_rederived() -> None:
    text = SEED_000.read_text("utf-8")
    digest = read(text, "x.md")
    row = digest.rows[0]
    lines = text.split("\n")
    old = lines[row.line - 1]
    spaced = old.replace(row.title, "  ".join(row.title.split(" ")), 1)
    spaced = spaced.replace(row.summary, row.summary + "\u3000 ", 1) if row.summary else spaced
    assert spaced != old
    lines[row.line - 1] = spaced
    edited = "\n".join(lines)
    assert "title-mismatch" in {d.rule for d in check([read(edited, "x.md")])}
    fixed = formatted(edited)
    assert fixed == formatted(text)
    assert structure_problems(read(fixed, "x.md")) == []


def test_suppression_comments_survive() -> None:
    text = SEED_000.read_text("utf-8")
    directive_block = "<!-- digestconv: ignore[abstract-truncated] -->"
    directive_row = "<!-- digestconv: ignore[DC201] -->"
    directive_file = "<!-- digestconv: ignore-file[translation-truncated] -->"
    lines = text.split("\n")
    digest = read(text, "x.md")
    block_line = digest.papers[1].line
    row_line = digest.rows[0].line
    assert block_line and row_line
    lines.insert(block_line - 1, directive_block)
    lines.insert(row_line - 1, directive_row)
    edited = directive_file + "\n\n" + "\n".join(line + "  " for line in lines)
    fixed = formatted(edited)
    assert fixed != edited
    for directive in (directive_block, directive_row, directive_file):
        assert fixed.count(directive) == 1
    after = read(fixed, "x.md")
    assert len(after.suppressions) == 3
    targets = {s.start for s in after.suppressions if not s.file_level}
    assert targets == {after.papers[1].line, after.rows[0].line}
    assert formatted(fixed) == fixed


# --- refusals: the bytes are never touched ---------------------------------------------


def _conflicts() -> dict[str, bytes]:
    text = SEED_000.read_text("utf-8")
    digest = read(text, "x.md")
    row = digest.rows[0]
    detail_title = digest.papers[0].title or ""
    return {
        "title text": text.replace(f"[{row.title}]", f"[{row.title} Revisited]", 1).encode(),
        "syntax": text.replace("# 详细\n", "# 详细\n\nloose text between sections\n", 1).encode(),
        "control character": text.replace(
            f"    {detail_title}", f"    {detail_title}\x07", 1
        ).encode(),
        "invalid UTF-8": text.encode().replace(b"Causal", b"Caus\xe9l", 1),
        "missing block": delete_block(text, 2).encode(),
        "html comment": text.replace("# 详细\n", "# 详细\n\n<!-- note -->\n", 1).encode(),
        "malformed directive": text.replace("[^1]:", "<!-- digestconv: ignor -->\n[^1]:").encode(),
        "not a digest": b"# Notes\n\nNothing to see.\n",
        "abstract page": SEED_004.read_bytes(),
        "empty": b"",
        "binary": b"\x00\x01\x02\xff",
    }


def delete_block(text: str, ref: int) -> str:
    """Delete only the detail block of paper ``ref`` (its row stays)."""
    paper = next(p for p in read(text, "x.md").papers if p.ref == ref)
    assert paper.line and paper.end_line
    lines = text.split("\n")
    return "\n".join(
        line for n, line in enumerate(lines, 1) if not paper.line <= n <= paper.end_line
    )


@pytest.mark.parametrize("case", sorted(_conflicts()))
def test_conflicts_are_never_touched(case: str) -> None:
    data = _conflicts()[case]
    result = format_digest(data, "x.md")
    assert result.text is None
    assert result.reason
    assert not result.changed
    assert result.original == data


def test_title_conflict_reason_names_the_line() -> None:
    result = format_digest(_conflicts()["title text"], "x.md")
    row_line = read(SEED_000.read_text("utf-8"), "x.md").rows[0].line
    assert result.reason is not None and f"line {row_line}" in result.reason


# --- the laws ------------------------------------------------------------------------------


def _check_laws(data: bytes) -> None:
    result = format_digest(data, "x.md")
    if result.text is None:
        return
    before = read(data, "x.md")
    after = read(result.text, "x.md")
    # content never changes
    assert content(after.papers) == content(before.papers)
    # idempotent: formatting the output changes nothing
    again = format_digest(result.text.encode("utf-8"), "x.md")
    assert again.text == result.text and not again.changed
    # and the output is structurally clean
    assert structure_problems(after) == []


@pytest.mark.parametrize("path", corpus_paths(), ids=lambda p: p.stem)
def test_laws_on_the_corpus(path: Path) -> None:
    data = _bytes(path)
    result = format_digest(data, str(path))
    assert result.text is not None, result.reason  # every real digest can be formatted
    _check_laws(data)


@pytest.mark.parametrize("path", [SEED_000, SEED_001, SEED_003], ids=lambda p: p.name[:3])
def test_laws_on_the_seeds(path: Path) -> None:
    _check_laws(_bytes(path))


def test_corpus_is_mostly_canonical_already() -> None:
    """The producer writes the canonical layout: most real files need no change."""
    unchanged = sum(not format_digest(_bytes(p), str(p)).changed for p in corpus_paths())
    assert unchanged >= len(corpus_paths()) // 2


_generated = st.lists(
    papers(long_abstracts=False), min_size=0, max_size=5, unique_by=lambda p: p.arxiv_id
)


@given(_generated)
def test_laws_on_rendered_digests(generated: list[Paper]) -> None:
    _check_laws(render(generated).encode("utf-8"))


_formattable = st.lists(
    papers(controls=False, long_abstracts=False),
    min_size=0,
    max_size=5,
    unique_by=lambda p: p.arxiv_id,
)


@given(
    _formattable,
    st.booleans(),
    st.booleans(),
    st.lists(st.sampled_from([" ", "\t", "  \t"]), min_size=1, max_size=3),
    st.data(),
)
def test_safe_damage_is_undone(
    generated: list[Paper], bom: bool, crlf: bool, blanks: list[str], data: st.DataObject
) -> None:
    """Whitespace, BOM and CRLF damage to a canonical file formats back to the same text."""
    clean = render(generated)
    expected = format_digest(clean.encode("utf-8"), "x.md")
    assume(expected.text is not None)
    lines = clean.split("\n")
    for _ in range(len(blanks)):
        where = data.draw(st.integers(0, max(len(lines) - 1, 0)))
        lines[where] = lines[where] + data.draw(st.sampled_from(blanks))
    damaged = ("\r\n" if crlf else "\n").join(lines)
    raw = ("\ufeff" if bom else "") + damaged
    result = format_digest(raw.encode("utf-8"), "x.md")
    assert result.text == expected.text
