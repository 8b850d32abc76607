"""``digestconv fmt``: rewrite in place, ``--check``, ``--diff``, refusals, non-digests."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from digestconv.api import check
from digestconv.reader import read

from .conftest import SEED_000, SEED_003, SEED_004, Invoke, assert_no_traceback, files_in


def _damaged(folder: Path, name: str = "a.md") -> Path:
    """Seed 000 with a BOM, CRLF line ends and trailing blanks."""
    text = SEED_000.read_text("utf-8")
    path = folder / name
    path.write_bytes(("\ufeff" + "\r\n".join(line + " " for line in text.split("\n"))).encode())
    return path


def _conflict(folder: Path, name: str = "conflict.md") -> Path:
    """Seed 000 whose first table title no longer matches its detail title."""
    text = SEED_000.read_text("utf-8")
    path = folder / name
    path.write_text(text.replace("[Identifiable Latent", "[Identifiable Hidden", 1), "utf-8")
    return path


def test_fmt_rewrites_in_place(cli: Invoke, in_tmp: Path) -> None:
    path = _damaged(in_tmp)
    result = cli("fmt", "a.md")
    assert result.exit_code == 0, result.stderr
    assert "reformatted a.md" in result.stderr
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
    digest = read(data, "a.md")
    assert not [d for d in check([digest]) if d.rule == "encoding"]
    assert files_in(in_tmp) == [".git", "a.md"]
    again = cli("fmt", "a.md")
    assert again.exit_code == 0 and path.read_bytes() == data
    assert "1 unchanged" in again.stderr


def test_check_changes_nothing_and_exits_1(cli: Invoke, in_tmp: Path) -> None:
    path = _damaged(in_tmp)
    before = path.read_bytes()
    result = cli("fmt", "--check", "a.md")
    assert result.exit_code == 1
    assert "would reformat a.md" in result.stderr
    assert path.read_bytes() == before
    cli("fmt", "a.md")
    assert cli("fmt", "--check", "a.md").exit_code == 0


def test_diff_prints_a_unified_diff_and_changes_nothing(cli: Invoke, in_tmp: Path) -> None:
    path = in_tmp / "a.md"
    text = SEED_000.read_text("utf-8")
    path.write_text("\n".join(line + "  " for line in text.split("\n")), "utf-8")
    before = path.read_bytes()
    result = cli("fmt", "--diff", "a.md")
    assert result.exit_code == 1
    assert path.read_bytes() == before
    lines = result.stdout.splitlines()
    assert lines[0] == "--- a/a.md" and lines[1] == "+++ b/a.md"
    assert any(line.startswith("@@ -") for line in lines)
    if shutil.which("patch"):
        # the diff applies and gives exactly what fmt writes
        patched = in_tmp / "patched"
        patched.mkdir()
        (patched / "a.md").write_bytes(before)
        subprocess.run(["patch", "-p1", "-s"], input=result.stdout_bytes, cwd=patched, check=True)
        cli("fmt", "a.md")
        assert (patched / "a.md").read_bytes() == path.read_bytes()


def test_conflict_is_reported_and_never_touched(cli: Invoke, in_tmp: Path) -> None:
    conflict = _conflict(in_tmp)
    other = _damaged(in_tmp, "other.md")
    before = conflict.read_bytes()
    result = cli("fmt", "conflict.md", "other.md")
    assert result.exit_code == 1
    assert conflict.read_bytes() == before
    reported = [line for line in result.stderr.splitlines() if line.startswith("conflict.md:")]
    assert len(reported) == 1 and "not formatted" in reported[0] and "title" in reported[0]
    # the other file was still formatted
    assert b"\r" not in other.read_bytes()
    assert_no_traceback(result.output)


def test_non_digests_fail_unless_skipped(cli: Invoke, in_tmp: Path) -> None:
    readme = in_tmp / "README.md"
    readme.write_text("# Project\n\nNotes  \r\n", "utf-8")
    page = in_tmp / "page.txt"
    page.write_bytes(SEED_004.read_bytes())
    good = in_tmp / "good.md"
    good.write_bytes(SEED_003.read_bytes())
    before = {p: p.read_bytes() for p in (readme, page)}
    plain = cli("fmt", "README.md", "page.txt", "good.md")
    assert plain.exit_code == 1
    assert "README.md: not formatted: not a digest" in plain.stderr
    skipping = cli("fmt", "--skip-non-digests", "README.md", "page.txt", "good.md")
    assert skipping.exit_code == 0, skipping.stderr
    assert "README.md" not in skipping.stderr
    assert {p: p.read_bytes() for p in (readme, page)} == before


def test_stdin_to_stdout(cli: Invoke) -> None:
    data = SEED_000.read_bytes().replace(b"\n", b"\r\n")
    result = cli("fmt", "-", input=data)
    assert result.exit_code == 0
    assert "\r" not in result.stdout
    assert read(result.stdout_bytes, "x").papers == read(SEED_000.read_bytes(), "x").papers


def test_missing_file_exits_2(cli: Invoke, in_tmp: Path) -> None:
    _damaged(in_tmp)
    result = cli("fmt", "nowhere.md", "a.md")
    assert result.exit_code == 2
    assert "nowhere.md" in result.stderr
    assert b"\r" not in (in_tmp / "a.md").read_bytes()


def test_fmt_end_to_end(run: Invoke, tmp_path: Path) -> None:
    _damaged(tmp_path)
    _conflict(tmp_path)
    result = run("fmt", ".", cwd=tmp_path)
    assert result.exit_code == 1
    assert_no_traceback(result.output)
    assert "1 file reformatted" in result.stderr and "1 not formatted" in result.stderr


def test_fmt_keeps_the_file_mode(cli: Invoke, in_tmp: Path) -> None:
    path = _damaged(in_tmp)
    path.chmod(0o664)
    cli("fmt", "a.md")
    assert stat.S_IMODE(path.stat().st_mode) == 0o664


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_fmt_writes_through_a_symbolic_link(cli: Invoke, in_tmp: Path) -> None:
    target = _damaged(in_tmp, "target.md")
    link = in_tmp / "link.md"
    link.symlink_to("target.md")
    cli("fmt", "link.md")
    assert link.is_symlink()
    assert b"\r" not in target.read_bytes()


def test_summary_counts_failed_writes_and_unreadable_files(
    cli: Invoke, in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that fails is not 'reformatted', an unreadable file is not 'unchanged'."""
    from digestconv import output

    _damaged(in_tmp, "a.md")
    _damaged(in_tmp, "b.md")
    from digestconv.fmt import format_digest

    canonical = format_digest(SEED_003.read_bytes()).text
    assert canonical is not None
    (in_tmp / "clean.md").write_text(canonical, "utf-8")
    shutil.copy(SEED_003, in_tmp / "locked.md")
    real_write, real_open = output.write_atomic, os.open

    def write_atomic(path: Path, data: bytes) -> None:
        if Path(path).name == "b.md":
            raise OSError(28, "No space left on device")
        real_write(path, data)

    def open_(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        if os.path.basename(os.fspath(path)) == "locked.md":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(output, "write_atomic", write_atomic)
    monkeypatch.setattr(os, "open", open_)
    result = cli("fmt", "a.md", "b.md", "clean.md", "locked.md")
    assert result.exit_code == 2
    summary = result.stderr.strip().split("\n")[-1]
    assert summary == (
        "1 file reformatted, 1 unchanged, 0 not formatted, 1 could not be written, "
        "1 could not be read"
    )
    assert "b.md: cannot write: No space left on device" in result.stderr
    assert "locked.md: cannot read: Permission denied" in result.stderr
    assert b"\r" not in (in_tmp / "a.md").read_bytes()
    assert b"\r" in (in_tmp / "b.md").read_bytes()
