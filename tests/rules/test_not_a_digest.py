"""DC001 not-a-digest: empty files, abstract pages and other text are not digests."""

from __future__ import annotations

from pathlib import Path

from digestconv.api import validate
from digestconv.settings import Settings

from .conftest import (
    CORPUS,
    SEED_000,
    SEED_004,
    assert_diagnostic,
    assert_ignorable,
    assert_registered,
    fired,
    parse,
    seed,
    seed_bytes,
)

NAME = "not-a-digest"


def test_registered() -> None:
    assert_registered(NAME, "DC001", "error")


def test_readme_like_markdown() -> None:
    text = (CORPUS / "README.md").read_text("utf-8")
    [diag] = fired(text, NAME, "README.md")
    assert_diagnostic(diag, NAME, 1, 1, says=["not a digest", "# 摘要", "[^N]:"])
    assert not parse(text).recognized


def test_digest_with_its_structure_removed() -> None:
    # the real digest's headings, table and block markers turned into plain prose
    text = seed(SEED_000)
    text = text.replace("# ", "").replace("| [^", "| ref ").replace("[^", "ref ")
    [diag] = fired(text, NAME)
    assert_diagnostic(diag, NAME, 1, 1, says=["not a digest"])


def test_empty_file() -> None:
    [diag] = fired(b"", NAME)
    assert_diagnostic(diag, NAME, 1, 1, says=["empty file"])


def test_whitespace_only_file() -> None:
    [diag] = fired(b"  \n\t\n\n", NAME)
    assert_diagnostic(diag, NAME, 1, 1, says=["empty file"])


def test_abstract_page() -> None:
    [diag] = fired(seed_bytes(SEED_004), NAME, SEED_004)
    assert_diagnostic(diag, NAME, 1, 1, says=["abstract page", "翻译:", "cannot be cited"])
    assert parse(seed_bytes(SEED_004)).kind == "abstract-page"


def test_abstract_page_with_full_width_colon() -> None:
    text = seed(SEED_004).replace("翻译:", "翻译：", 1)
    [diag] = fired(text, NAME)
    assert "abstract page" in diag.message


def test_real_digests_are_digests(real_diagnostics: tuple) -> None:
    assert not [d for d in real_diagnostics if d.rule == NAME]


def test_empty_digest_is_a_digest() -> None:
    # headings and table header only: a day without papers
    lines = seed(SEED_000).split("\n")
    text = "\n".join(lines[:4] + lines[6:9]) + "\n"
    assert not fired(text, NAME)
    assert parse(text).recognized


def test_digest_without_table_is_still_a_digest() -> None:
    text = seed(SEED_000)
    text = text[text.index("# 详细") :]
    assert not fired(text, NAME)


def test_binary_file_is_an_encoding_problem_only() -> None:
    data = b"\x00\x01\x02" + seed_bytes(SEED_000)
    assert not fired(data, NAME)
    assert fired(data, "encoding")


def test_skip_non_digests(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_bytes((CORPUS / "README.md").read_bytes())
    (tmp_path / "digest.md").write_bytes(seed_bytes(SEED_000))
    # named explicitly, a file without digest structure is reported ...
    report = validate([readme, tmp_path / "digest.md"])
    assert [d.path for d in report.diagnostics if d.rule == NAME] == [str(readme)]
    # ... found by walking a folder, it is skipped and counted
    report = validate([tmp_path])
    assert not [d for d in report.diagnostics if d.rule == NAME]
    assert (report.files, report.skipped) == (1, 1)
    # skip_non_digests skips it even when named
    report = validate([readme, tmp_path / "digest.md"], Settings(skip_non_digests=True))
    assert not [d for d in report.diagnostics if d.rule == NAME]
    assert report.files == 1


def test_damaged_file_found_by_walking_is_still_reported(tmp_path: Path) -> None:
    (tmp_path / "binary.md").write_bytes(b"\x00\x01\x02" + seed_bytes(SEED_000))
    report = validate([tmp_path])
    assert [d.rule for d in report.diagnostics] == ["encoding"]
    assert (report.files, report.skipped) == (1, 0)


def test_ignore() -> None:
    assert_ignorable(seed_bytes(SEED_004), NAME)
    assert_ignorable(b"", NAME)
