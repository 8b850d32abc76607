"""``digestconv to``: clean stdout, diagnostics on stderr, atomic writes, determinism."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from digestconv import formats

from .conftest import (
    SEED_000,
    SEED_003,
    SEEDS,
    Invoke,
    assert_no_traceback,
    copy_seed,
    diagnostic_lines,
    files_in,
)


def _need(name: str) -> None:
    if formats.find(name) is None:
        pytest.skip(f"format {name} is not available")


def _bibtex_entries(text: str) -> list[object]:
    import bibtexparser

    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, [b.error for b in library.failed_blocks[:3]]
    return list(library.entries)


def test_bibtex_from_seeds(cli: Invoke) -> None:
    _need("bibtex")
    result = cli("to", "bibtex", SEEDS)
    # the abstract page is not converted: exit 1, said on stderr only
    assert result.exit_code == 1
    entries = _bibtex_entries(result.stdout)
    # 33 rows, arXiv:2402.04177 twice: 32 entries, one per paper
    assert len(entries) == 32
    keys = [e.key for e in entries]  # type: ignore[attr-defined]
    assert len(set(keys)) == 32
    eprints = [e.fields_dict["eprint"].value for e in entries]  # type: ignore[attr-defined]
    assert eprints.count("2402.04177") == 1
    assert diagnostic_lines(result.stdout) == []
    assert "not-a-digest" in result.stderr or "not-converted" in result.stderr
    assert "DC" not in result.stdout.split("@", 1)[0]


def test_stdout_is_clean_end_to_end(run: Invoke) -> None:
    _need("bibtex")
    result = run("to", "bibtex", SEEDS)
    assert result.exit_code == 1
    assert_no_traceback(result.output)
    assert len(_bibtex_entries(result.stdout_bytes.decode("utf-8"))) == 32
    assert diagnostic_lines(result.stderr)


def test_csl_json_stdout_is_pure_json(cli: Invoke) -> None:
    _need("csl-json")
    result = cli("to", "csl-json", SEED_000, SEED_003)
    items = json.loads(result.stdout)
    ids = [item.get("number") for item in items]
    assert len(ids) == len(set(ids)) == 7  # 2 + 6 papers, one shared


def test_output_suffix_picks_the_format_and_writes_atomically(cli: Invoke, in_tmp: Path) -> None:
    _need("bibtex")
    copy_seed(SEED_000, in_tmp, "a.md")
    result = cli("to", "-o", "refs.bib", "a.md")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert len(_bibtex_entries((in_tmp / "refs.bib").read_text("utf-8"))) == 2
    assert files_in(in_tmp) == [".git", "a.md", "refs.bib"]  # no temporary file left


def test_unknown_suffix_without_format_exits_2(cli: Invoke, in_tmp: Path) -> None:
    copy_seed(SEED_000, in_tmp, "a.md")
    result = cli("to", "-o", "refs.xyz", "a.md")
    assert result.exit_code == 2
    assert "refs.xyz" in result.stderr
    assert not (in_tmp / "refs.xyz").exists()


def test_unknown_format_exits_2(cli: Invoke) -> None:
    result = cli("to", "docx", SEED_000)
    assert result.exit_code == 2
    assert "docx" in result.stderr
    assert result.stdout == ""


def test_no_input_exits_2(cli: Invoke) -> None:
    result = cli("to", "bibtex")
    assert result.exit_code == 2


def test_missing_input_exits_2(cli: Invoke) -> None:
    _need("bibtex")
    result = cli("to", "bibtex", "nowhere.md", SEED_000)
    assert result.exit_code == 2
    assert "nowhere.md" in result.stderr
    assert len(_bibtex_entries(result.stdout)) == 2


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes into read-only folders"
)
def test_failed_write_leaves_the_old_file(cli: Invoke, in_tmp: Path) -> None:
    _need("bibtex")
    copy_seed(SEED_000, in_tmp, "a.md")
    out = in_tmp / "out"
    out.mkdir()
    (out / "refs.bib").write_bytes(b"old")
    out.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        result = cli("to", "-o", out / "refs.bib", "a.md")
    finally:
        out.chmod(0o755)
    assert result.exit_code == 2
    assert "cannot write" in result.stderr
    assert (out / "refs.bib").read_bytes() == b"old"
    assert files_in(out) == ["refs.bib"]


def test_failed_write_in_process(
    cli: Invoke, in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The write fails half-way (disk full): the old file stays, no temporary file is left."""
    _need("bibtex")
    copy_seed(SEED_000, in_tmp, "a.md")
    (in_tmp / "refs.bib").write_bytes(b"old")
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", fsync)
    try:
        result = cli("to", "-o", "refs.bib", "a.md")
    finally:
        monkeypatch.setattr(os, "fsync", real_fsync)
    assert result.exit_code == 2
    assert "No space left" in result.stderr
    assert (in_tmp / "refs.bib").read_bytes() == b"old"
    assert files_in(in_tmp) == [".git", "a.md", "refs.bib"]
    assert_no_traceback(result.output)


def test_strict_writes_nothing_on_errors(cli: Invoke, in_tmp: Path) -> None:
    _need("bibtex")
    text = SEED_000.read_text("utf-8").replace("abs/2403.15711", "abs/2403.1571")
    (in_tmp / "bad.md").write_text(text, "utf-8")
    result = cli("to", "--strict", "-o", "refs.bib", "bad.md")
    assert result.exit_code == 1
    assert not (in_tmp / "refs.bib").exists()
    assert "nothing written" in result.stderr
    lenient = cli("to", "-o", "refs.bib", "bad.md")
    assert lenient.exit_code == 1
    # the broken paper is left out, the sound one is written
    assert len(_bibtex_entries((in_tmp / "refs.bib").read_text("utf-8"))) == 1


@pytest.mark.parametrize("name", ["bibtex", "csl-json", "rss", "atom", "opml", "markdown"])
def test_same_input_same_bytes(run: Invoke, name: str) -> None:
    _need(name)
    first = run("to", name, SEEDS, env={"SOURCE_DATE_EPOCH": None})
    second = run("to", name, SEEDS, env={"SOURCE_DATE_EPOCH": None})
    assert first.stdout_bytes and first.stdout_bytes == second.stdout_bytes
    assert first.stderr == second.stderr


@pytest.mark.parametrize("name", ["atom", "rss"])
def test_source_date_epoch_sets_feed_dates(cli: Invoke, name: str) -> None:
    _need(name)
    import feedparser

    default = feedparser.parse(cli("to", name, SEED_000).stdout_bytes)
    pinned = feedparser.parse(
        cli("to", name, SEED_000, env={"SOURCE_DATE_EPOCH": "1700000000"}).stdout_bytes
    )
    assert default.bozo == 0 and pinned.bozo == 0
    stamp = pinned.feed.get("updated_parsed") or pinned.feed.get("published_parsed")
    assert stamp is not None and tuple(stamp[:6]) == (2023, 11, 14, 22, 13, 20)
    before = default.feed.get("updated_parsed") or default.feed.get("published_parsed")
    # without it, the newest paper's month (March 2024), never the clock
    assert before is not None and tuple(before[:3]) == (2024, 3, 1)


def test_bad_source_date_epoch_exits_2(cli: Invoke) -> None:
    _need("atom")
    result = cli("to", "atom", SEED_000, env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert result.exit_code == 2
    assert "SOURCE_DATE_EPOCH" in result.stderr
    assert_no_traceback(result.output)


def test_to_stdin(cli: Invoke) -> None:
    _need("bibtex")
    result = cli("to", "bibtex", "-", input=SEED_000.read_bytes())
    assert result.exit_code == 0
    assert len(_bibtex_entries(result.stdout)) == 2


def test_output_file_gets_the_usual_permissions(cli: Invoke, in_tmp: Path) -> None:
    _need("bibtex")
    copy_seed(SEED_000, in_tmp, "a.md")
    umask = os.umask(0o022)
    try:
        cli("to", "-o", "refs.bib", "a.md")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((in_tmp / "refs.bib").stat().st_mode) == 0o644


def test_a_killed_runs_temporary_file_is_removed_by_the_next_run(
    run: Invoke, tmp_path: Path
) -> None:
    """A run killed while it wrote ``-o`` leaves ``.NAME.PID.*.tmp``; the next run on the
    same target removes it when that process is gone, and never one of a live process."""
    import subprocess
    import sys

    target = tmp_path / "refs.bib"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    stale = tmp_path / f".refs.bib.{dead.stdout.strip()}.k1lled.tmp"
    stale.write_bytes(b"half a file")
    live = tmp_path / f".refs.bib.{os.getpid()}.wr1ting.tmp"
    live.write_bytes(b"another run is writing")
    other = tmp_path / f".other.bib.{dead.stdout.strip()}.k1lled.tmp"
    other.write_bytes(b"not this target's")
    result = run("to", "bibtex", SEEDS / "000_20f5c0d8057fc2ad.txt", "-o", target)
    assert result.exit_code == 0, result.stderr
    assert target.read_text("utf-8").startswith("@")
    assert not stale.exists()
    assert live.exists() and other.exists()
