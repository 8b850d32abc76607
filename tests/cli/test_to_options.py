"""``to`` refuses a bad option before it reads any input or writes any output."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import SEEDS, Invoke, diagnostic_lines, files_in


def _refused(result: object, *words: str) -> None:
    """Exit 2 with one clear line; no diagnostic shows that an input was read."""
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    assert result.stdout == ""  # type: ignore[attr-defined]
    assert diagnostic_lines(result.stderr) == []  # type: ignore[attr-defined]
    assert "Traceback" not in result.stderr  # type: ignore[attr-defined]
    for word in words:
        assert word in result.stderr, result.stderr  # type: ignore[attr-defined]


def test_mistyped_format_with_output_writes_nothing(run: Invoke, in_tmp: Path) -> None:
    result = run("to", "bibtx", SEEDS, "-o", "y.bib", cwd=in_tmp)
    _refused(result, "unknown format 'bibtx'", "did you mean 'bibtex'")
    assert files_in(in_tmp) == [".git"]


def test_mistyped_format_without_output_suggests_the_name(run: Invoke) -> None:
    _refused(run("to", "csl-jsn", SEEDS), "unknown format 'csl-jsn'", "'csl-json'")


def test_format_from_the_suffix_still_works(run: Invoke, in_tmp: Path) -> None:
    result = run("to", SEEDS / "000_20f5c0d8057fc2ad.txt", "-o", "refs.bib", cwd=in_tmp)
    assert result.exit_code == 0, result.stderr
    assert (in_tmp / "refs.bib").read_text("utf-8").count("@misc{") == 2


def test_output_in_a_missing_folder_is_refused_before_reading(run: Invoke, in_tmp: Path) -> None:
    result = run("to", "bibtex", SEEDS, "-o", "no/such/dir/x.bib", cwd=in_tmp)
    _refused(result, "cannot write no/such/dir/x.bib", "does not exist")
    assert files_in(in_tmp) == [".git"]


def test_output_onto_a_folder_is_refused_before_reading(run: Invoke, in_tmp: Path) -> None:
    (in_tmp / "out.bib").mkdir()
    _refused(run("to", "bibtex", SEEDS, "-o", "out.bib", cwd=in_tmp), "is a folder")


def test_parse_and_cache_export_check_their_target_first(run: Invoke, in_tmp: Path) -> None:
    _refused(run("parse", SEEDS, "-o", "gone/x.json", cwd=in_tmp), "does not exist")
    cache = in_tmp / "cache"
    result = run("cache", "export", "-o", "gone/x.jsonl", "--cache-dir", cache, cwd=in_tmp)
    _refused(result, "does not exist")
    assert not cache.exists()


@pytest.mark.parametrize("fmt", ["ris", "markdown"])
def test_ascii_is_refused_where_it_changes_nothing(run: Invoke, fmt: str) -> None:
    _refused(run("to", fmt, "--ascii", SEEDS), f"--ascii does not apply to {fmt}", "bibtex")


@pytest.mark.parametrize(
    ("fmt", "option", "value"),
    [
        ("bibtex", "--feed-title", "Daily"),
        ("csl-json", "--feed-link", "https://example.org/"),
        ("opml", "--feed-link", "https://example.org/"),
    ],
)
def test_feed_options_are_refused_where_they_change_nothing(
    run: Invoke, fmt: str, option: str, value: str
) -> None:
    _refused(run("to", fmt, option, value, SEEDS), f"{option} does not apply to {fmt}")


def test_options_that_apply_are_accepted(run: Invoke) -> None:
    seed = SEEDS / "000_20f5c0d8057fc2ad.txt"
    import feedparser

    result = run(
        "to", "rss", "--feed-title", "Daily", "--feed-link", "https://example.org/d/", seed
    )
    assert result.exit_code == 0, result.stderr
    feed = feedparser.parse(result.stdout_bytes)
    assert feed.feed.title == "Daily" and feed.feed.link == "https://example.org/d/"
    ascii_run = run("to", "bibtex", "--ascii", seed)
    assert ascii_run.exit_code == 0, ascii_run.stderr
    assert "does not apply" not in ascii_run.stderr


@pytest.mark.parametrize("link", ["notaurl", "example.org", "ftp://example.org/", "https://"])
def test_feed_link_must_be_a_web_url(run: Invoke, link: str) -> None:
    _refused(run("to", "atom", "--feed-link", link, SEEDS), "--feed-link", "http or https URL")


@pytest.mark.parametrize("title", ["", "   "])
def test_feed_title_must_not_be_empty(run: Invoke, title: str) -> None:
    _refused(run("to", "rss", "--feed-title", title, SEEDS), "--feed-title is empty")
