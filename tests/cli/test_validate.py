"""``digestconv validate``: exit codes, hostile inputs, stdin, output formats."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from .conftest import (
    SEED_000,
    SEED_001,
    SEED_003,
    SEED_004,
    SEEDS,
    Invoke,
    assert_no_traceback,
    copy_seed,
    diagnostic_lines,
)

CONTRACT_FIELDS = {
    "path",
    "line",
    "column",
    "end_line",
    "end_column",
    "code",
    "rule",
    "severity",
    "message",
}
_LINE = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>DC\d{3}) (?P<rule>[a-z-]+) "
)


def _parsed(text: str) -> list[dict[str, str]]:
    return [m.groupdict() for line in text.splitlines() if (m := _LINE.match(line))]


def _clean_digest(folder: Path) -> Path:
    """A real digest whose only findings are its truncated abstracts (warnings)."""
    return copy_seed(SEED_000, folder, "clean.md")


# --- exit codes -----------------------------------------------------------------


def test_clean_file_exits_0(cli: Invoke, in_tmp: Path) -> None:
    path = _clean_digest(in_tmp)
    result = cli("validate", path, "--ignore", "abstract-truncated")
    assert result.exit_code == 0, result.output
    assert diagnostic_lines(result.stdout) == []


def test_warnings_alone_exit_0_and_strict_makes_them_fail(cli: Invoke, in_tmp: Path) -> None:
    path = _clean_digest(in_tmp)
    relaxed = cli("validate", path)
    found = _parsed(relaxed.stdout)
    assert found and {d["rule"] for d in found} == {"abstract-truncated"}
    assert relaxed.exit_code == 0
    assert cli("validate", "--strict", path).exit_code == 1


def test_error_findings_exit_1(cli: Invoke, in_tmp: Path) -> None:
    text = SEED_000.read_text("utf-8").replace("abs/2403.15711", "abs/2403.1571")
    (in_tmp / "bad.md").write_text(text, "utf-8")
    result = cli("validate", "bad.md")
    assert result.exit_code == 1
    rules = {d["rule"] for d in _parsed(result.stdout)}
    assert "id-malformed" in rules


def test_usage_error_exits_2(cli: Invoke) -> None:
    result = cli("validate", "--no-such-option", str(SEED_000))
    assert result.exit_code == 2
    assert "--no-such-option" in result.output
    assert_no_traceback(result.output)


def test_missing_argument_exits_2(cli: Invoke) -> None:
    assert cli("validate").exit_code == 2


def test_missing_path_exits_2_and_other_files_are_checked(cli: Invoke, in_tmp: Path) -> None:
    bad = in_tmp / "bad.md"
    bad.write_text(SEED_000.read_text("utf-8").replace("abs/2403.15711", "abs/2403.1571"), "utf-8")
    result = cli("validate", "nowhere.md", "bad.md")
    assert result.exit_code == 2
    found = _parsed(result.stdout)
    assert {d["path"] for d in found} == {"nowhere.md", "bad.md"}
    assert [d["rule"] for d in found if d["path"] == "nowhere.md"] == ["io-error"]
    assert_no_traceback(result.output)


# --- hostile files: one clear diagnostic each, the rest still checked ------------


def _write_hostile(folder: Path) -> dict[str, str]:
    """Hostile copies of seed 000, each with the reason it is hostile."""
    data = SEED_000.read_bytes()
    abstract = data.index(b"Causal representation")
    (folder / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (folder / "latin1.md").write_bytes(data[:abstract] + b"caf\xe9 " + data[abstract:])
    (folder / "bom.md").write_bytes(b"\xef\xbb\xbf" + data)
    (folder / "crlf.md").write_bytes(data.replace(b"\n", b"\r\n"))
    (folder / "empty.md").write_bytes(b"")
    return {
        "binary.md": "binary",
        "latin1.md": "UTF-8",
        "bom.md": "byte-order mark",
        "crlf.md": "CRLF",
        "empty.md": "empty",
    }


def test_hostile_files_each_get_one_clear_diagnostic(cli: Invoke, in_tmp: Path) -> None:
    hostile = _write_hostile(in_tmp)
    copy_seed(SEED_000, in_tmp, "zz_good.md")
    # per file, so that the copies do not report each other as duplicates
    result = cli("validate", "--per-file", *sorted(hostile), "zz_good.md")
    assert_no_traceback(result.output)
    assert result.exit_code == 1
    found = _parsed(result.stdout)
    for name, word in hostile.items():
        mine = [d for d in found if d["path"] == name and d["rule"] in ("encoding", "not-a-digest")]
        assert len(mine) == 1, (name, mine)
        line = next(
            line
            for line in result.stdout.splitlines()
            if line.startswith(f"{name}:") and mine[0]["code"] in line
        )
        assert word.lower() in line.lower(), line
    # the good file after them was still read and checked
    assert {d["rule"] for d in found if d["path"] == "zz_good.md"} == {"abstract-truncated"}
    assert "5 files" not in result.stdout  # six inputs were counted, not five
    assert re.search(r"\b6 files\b", result.stdout)


def test_encoding_diagnostic_points_at_the_bad_byte(cli: Invoke, in_tmp: Path) -> None:
    data = SEED_000.read_bytes()
    offset = data.index(b"Causal representation")
    (in_tmp / "latin1.md").write_bytes(data[:offset] + b"\xe9" + data[offset:])
    line = data[:offset].count(b"\n") + 1
    column = len(data[:offset].rsplit(b"\n", 1)[1].decode("utf-8")) + 1
    result = cli("validate", "--output-format", "json", "latin1.md")
    diags = [d for d in json.loads(result.stdout) if d["rule"] == "encoding"]
    assert [(d["line"], d["column"]) for d in diags] == [(line, column)]


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads files regardless of mode"
)
def test_unreadable_file_exits_2_and_others_are_checked(run: Invoke, tmp_path: Path) -> None:
    locked = copy_seed(SEED_000, tmp_path, "locked.md")
    locked.chmod(0)
    try:
        copy_seed(SEED_003, tmp_path, "other.md")
        result = run("validate", "locked.md", "other.md", cwd=tmp_path)
    finally:
        locked.chmod(0o644)
    assert result.exit_code == 2
    assert_no_traceback(result.output)
    found = _parsed(result.stdout)
    assert [d["rule"] for d in found if d["path"] == "locked.md"] == ["io-error"]
    assert any(d["path"] == "other.md" for d in found)


def test_unreadable_file_in_process(
    cli: Invoke, in_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same as above for root: reading fails with EACCES."""
    copy_seed(SEED_000, in_tmp, "locked.md")
    copy_seed(SEED_003, in_tmp, "other.md")
    real = os.open

    def open_(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if os.path.basename(os.fspath(path)) == "locked.md":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)
    result = cli("validate", "locked.md", "other.md")
    assert result.exit_code == 2
    lines = [line for line in diagnostic_lines(result.stdout) if line.startswith("locked.md:")]
    assert len(lines) == 1 and "Permission denied" in lines[0]
    assert any(line.startswith("other.md:") for line in diagnostic_lines(result.stdout))


def test_a_folder_named_like_a_file_is_walked(cli: Invoke, in_tmp: Path) -> None:
    (in_tmp / "digests.md").mkdir()
    copy_seed(SEED_000, in_tmp / "digests.md", "a.md")
    result = cli("validate", "digests.md")
    assert result.exit_code == 0
    assert "1 file" in result.stdout


# --- standard input ----------------------------------------------------------------


def test_dash_reads_stdin(cli: Invoke) -> None:
    text = SEED_000.read_text("utf-8").replace("abs/2403.15711", "abs/2403.1571")
    result = cli("validate", "-", input=text.encode("utf-8"))
    assert result.exit_code == 1
    found = _parsed(result.stdout)
    assert found and {d["path"] for d in found} == {"<stdin>"}
    assert "id-malformed" in {d["rule"] for d in found}


def test_stdin_end_to_end(run: Invoke) -> None:
    result = run("validate", "-f", "json", "-", input=SEED_000.read_bytes())
    assert result.exit_code == 0
    diags = json.loads(result.stdout)
    assert {d["path"] for d in diags} == {"<stdin>"}


# --- output formats ------------------------------------------------------------------


def test_json_output_is_an_array_with_the_contract_fields(cli: Invoke) -> None:
    result = cli("validate", "--output-format", "json", str(SEEDS))
    assert result.exit_code == 1
    diags = json.loads(result.stdout)
    assert isinstance(diags, list) and diags
    for d in diags:
        assert set(d) >= CONTRACT_FIELDS
        assert re.fullmatch(r"DC\d{3}", d["code"])
        assert d["severity"] in ("error", "warning")
        assert isinstance(d["line"], int) and isinstance(d["column"], int)
        assert (d["end_line"], d["end_column"]) >= (d["line"], d["column"])


def test_output_format_from_environment(cli: Invoke) -> None:
    result = cli("validate", str(SEED_000), env={"DIGESTCONV_OUTPUT_FORMAT": "json"})
    assert isinstance(json.loads(result.stdout), list)
    github = cli("validate", str(SEED_000), env={"DIGESTCONV_OUTPUT_FORMAT": "github"})
    assert github.stdout.startswith("::")
    # the flag wins over the environment
    flag = cli("validate", "-f", "json", str(SEED_000), env={"DIGESTCONV_OUTPUT_FORMAT": "github"})
    assert isinstance(json.loads(flag.stdout), list)


def test_bad_output_format_in_environment_exits_2(cli: Invoke) -> None:
    result = cli("validate", str(SEED_000), env={"DIGESTCONV_OUTPUT_FORMAT": "yaml"})
    assert result.exit_code == 2
    assert "DIGESTCONV_OUTPUT_FORMAT" in result.stderr


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif", "junit"])
def test_every_output_format_runs(cli: Invoke, fmt: str) -> None:
    result = cli("validate", "-f", fmt, str(SEEDS))
    assert result.exit_code == 1
    assert result.stdout
    assert_no_traceback(result.output)


# --- the seeds -------------------------------------------------------------------------


def test_validate_seeds(cli: Invoke) -> None:
    result = cli("validate", "-f", "json", str(SEEDS))
    assert result.exit_code == 1
    diags = json.loads(result.stdout)
    by_file: dict[str, list[dict[str, object]]] = {}
    for d in diags:
        by_file.setdefault(Path(str(d["path"])).name, []).append(d)
    for seed in (SEED_000, SEED_001, SEED_003):
        rules = {d["rule"] for d in by_file[seed.name]}
        assert "abstract-truncated" in rules
        assert all(d["severity"] == "warning" for d in by_file[seed.name])
    page = by_file[SEED_004.name]
    assert {d["rule"] for d in page} == {"not-a-digest", "missing-field", "page-chrome"}
    chrome = next(d for d in page if d["rule"] == "page-chrome")
    assert (chrome["line"], chrome["end_line"]) == (6, 153)
    assert "6-153" in str(chrome["message"])


def test_validate_seeds_text_end_to_end(run: Invoke) -> None:
    result = run("validate", "seeds/", cwd=SEEDS.parent)
    assert result.exit_code == 1
    assert_no_traceback(result.output)
    found = _parsed(result.stdout)
    truncated = {Path(d["path"]).name for d in found if d["rule"] == "abstract-truncated"}
    assert truncated == {SEED_000.name, SEED_001.name, SEED_003.name}
    page = [d["rule"] for d in found if Path(d["path"]).name == SEED_004.name]
    assert "not-a-digest" in page and "missing-field" in page
    assert "lines 6-153" in result.stdout


def test_skip_non_digests_and_per_file(cli: Invoke, in_tmp: Path) -> None:
    (in_tmp / "README.md").write_text("# Project\n\nSome *notes*.\n", "utf-8")
    copy_seed(SEED_000, in_tmp)
    copy_seed(SEED_003, in_tmp)
    named = cli("validate", "README.md")
    assert {d["rule"] for d in _parsed(named.stdout) if d["path"].endswith("README.md")} == {
        "not-a-digest"
    }
    # found by walking, a file without digest structure is skipped and counted
    plain = cli("validate", ".")
    assert not any(d["path"].endswith("README.md") for d in _parsed(plain.stdout))
    assert plain.exit_code == 0
    text = cli("validate", "--output-format", "text", ".")
    assert text.stdout.rstrip("\n").endswith(", 1 non-digest file skipped"), text.stdout
    skipping = cli("validate", "--skip-non-digests", ".")
    assert not any(d["path"].endswith("README.md") for d in _parsed(skipping.stdout))
    assert "duplicate-paper" in {d["rule"] for d in _parsed(skipping.stdout)}
    per_file = cli("validate", "--skip-non-digests", "--per-file", ".")
    assert "duplicate-paper" not in {d["rule"] for d in _parsed(per_file.stdout)}
    assert per_file.exit_code == 0


def test_quiet_prints_only_diagnostics(cli: Invoke, in_tmp: Path) -> None:
    copy_seed(SEED_000, in_tmp, "a.md")
    result = cli("validate", "-q", "--ignore", "abstract-truncated", "a.md")
    assert result.exit_code == 0
    assert result.stdout == ""


def test_show_settings_is_toml(cli: Invoke, in_tmp: Path) -> None:
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    result = cli("validate", "--show-settings", "--ignore", "DC301", "--abstract-cut", "900", ".")
    assert result.exit_code == 0
    table = tomllib.loads(result.stdout)["tool"]["digestconv"]
    assert table["ignore"] == ["DC301"]
    assert table["abstract-cut"] == 900
    assert table["select"] == ["ALL"]
