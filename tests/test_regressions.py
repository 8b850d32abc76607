"""Named regression tests for hostile input and I/O, each built from a real digest.

Every test here reproduced a crash, a hang or lost data before its fix (the
name says which).  Crashers the mutation fuzzer finds (``tests/fuzz``) are
added here under a name of their own.
"""

# ruff: noqa: F811 (the command-line fixtures are imported by name)
from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from digestconv.fmt import format_digest
from digestconv.output import (
    EPOCH_MAX,
    OutputError,
    display_path,
    source_date_epoch,
    write_atomic,
    write_output,
)
from digestconv.reader import read
from tests.cli.conftest import SEED_000, SEED_003, Invoke, cli, run  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "fixtures" / "corpus"
#: old-feed digest: every title carries a ``(arXiv:IDvN [cat])`` suffix
OLD_FEED = CORPUS / "001.md"
BAD_NAME = os.fsdecode(b"bad\xff.md")


def _errors(data: bytes | str, path: str = "x.md") -> list[str]:
    from digestconv.api import check

    return [f"{d.line}: {d.rule}" for d in check([read(data, path)]) if d.severity == "error"]


def _command() -> list[str]:
    script = shutil.which("digestconv", path=os.path.dirname(sys.executable))
    return [script] if script else [sys.executable, "-c", "from digestconv.cli import main; main()"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    for key in ("SOURCE_DATE_EPOCH", "DIGESTCONV_OUTPUT_FORMAT", "FORCE_COLOR"):
        env.pop(key, None)
    return env


def _raw_run(
    args: list[str | bytes | os.PathLike[str]], cwd: Path, **kwargs: object
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*_command(), *args],
        cwd=cwd,
        env=_env(),
        capture_output="stdout" not in kwargs,
        stdin=subprocess.DEVNULL,
        timeout=300,
        check=False,
        **kwargs,  # type: ignore[arg-type]
    )


# --- 5: file names that are not UTF-8, option bytes -----------------------------------


@pytest.fixture
def bad_name(tmp_path: Path) -> Path:
    """Seed 000 saved under a name that is not valid UTF-8."""
    path = tmp_path / BAD_NAME
    path.write_bytes(SEED_000.read_bytes())
    return path


def test_non_utf8_file_name_parse_prints_json(bad_name: Path) -> None:
    proc = _raw_run([b"parse", os.fsencode(bad_name.name)], bad_name.parent)
    assert proc.returncode == 0, proc.stderr
    documents = json.loads(proc.stdout.decode("utf-8"))
    assert [d["path"] for d in documents] == ["bad\\xff.md"]
    assert len(documents[0]["entries"]) == 2


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif", "junit"])
def test_non_utf8_file_name_in_every_report_format(bad_name: Path, fmt: str) -> None:
    proc = _raw_run([b"validate", b"-f", fmt.encode(), os.fsencode(bad_name.name)], bad_name.parent)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout.decode("utf-8")  # valid UTF-8 throughout
    assert "Traceback" not in proc.stderr.decode("utf-8", "replace")
    if fmt == "json":
        assert {d["path"] for d in json.loads(text)} == {"bad\\xff.md"}
    elif fmt in ("sarif", "junit"):
        from lxml import etree

        if fmt == "sarif":
            json.loads(text)
        else:
            etree.fromstring(proc.stdout)
    else:
        assert "bad\\xff.md" in text


def test_non_utf8_file_name_sarif_uri_names_the_file_itself(bad_name: Path) -> None:
    # the shown name is bad\xff.md; the SARIF URI must lead to the file: bad%FF.md
    text = SEED_000.read_text("utf-8").replace("Identifiable", "Changed", 1)
    bad_name.write_text(text, "utf-8")
    proc = _raw_run([b"validate", b"-f", b"sarif", os.fsencode(bad_name.name)], bad_name.parent)
    assert proc.returncode == 1, proc.stderr
    results = json.loads(proc.stdout.decode("utf-8"))["runs"][0]["results"]
    assert results
    for result in results:
        where = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert where["uri"] == "bad%FF.md" and where["uriBaseId"] == "%SRCROOT%"


def test_non_utf8_file_name_to_and_fmt(bad_name: Path) -> None:
    to = _raw_run([b"to", b"atom", os.fsencode(bad_name.name)], bad_name.parent)
    assert to.returncode == 0, to.stderr
    import feedparser

    feed = feedparser.parse(to.stdout)
    assert feed.bozo == 0 and feed.feed.title == "arXiv digest"  # stable, whatever the inputs
    # OPML names each input: the name that is not UTF-8 is written with its escape
    outline = _raw_run([b"to", b"opml", os.fsencode(bad_name.name)], bad_name.parent)
    assert outline.returncode == 0, outline.stderr
    from lxml import etree

    texts = [o.get("text") for o in etree.fromstring(outline.stdout).iter("outline")]
    assert any("bad\\xff" in (t or "") for t in texts), texts
    fmt = _raw_run([b"fmt", b"--check", os.fsencode(bad_name.name)], bad_name.parent)
    assert fmt.returncode in (0, 1) and b"Traceback" not in fmt.stderr
    assert b"bad\\xff.md" in fmt.stderr


def test_non_utf8_file_name_in_process(cli: Invoke, bad_name: Path) -> None:
    result = cli("parse", bad_name)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)[0]["path"].endswith("bad\\xff.md")


@pytest.mark.parametrize("option", ["--feed-title", "--feed-link"])
def test_non_utf8_feed_option_is_a_usage_error(bad_name: Path, option: str) -> None:
    proc = _raw_run(
        [b"to", b"atom", option.encode(), b"Daily \xff digest", os.fsencode(bad_name.name)],
        bad_name.parent,
    )
    assert proc.returncode == 2
    assert proc.stdout == b""
    message = proc.stderr.decode("utf-8")
    assert f"{option} 'Daily \\xff digest' is not valid UTF-8" in message
    assert "Traceback" not in message


def test_display_path_escapes_only_what_is_not_utf8() -> None:
    assert display_path(BAD_NAME) == "bad\\xff.md"
    assert display_path("摘要.md") == "摘要.md"
    assert display_path(Path("a") / BAD_NAME) == os.path.join("a", "bad\\xff.md")
    assert display_path("\ud800x") == "\\ud800x"


# --- 6: -o onto FIFOs and devices ----------------------------------------------------


def _device(folder: Path, name: str) -> Path:
    """A private copy of ``/dev/NAME`` (same device numbers) in ``folder``.

    Never the system's own node: before the fix, ``-o /dev/null`` run as root
    replaced the machine's ``/dev/null`` with a regular file.
    """
    system = Path("/dev") / name
    try:
        rdev = os.stat(system).st_rdev
        if not stat.S_ISCHR(os.stat(system).st_mode):
            pytest.skip(f"{system} is not a character device on this machine")
        node = folder / name
        os.mknod(node, stat.S_IFCHR | 0o666, rdev)
        with node.open("wb"):
            pass
    except (OSError, AttributeError) as exc:
        pytest.skip(f"cannot make a private /dev/{name} here: {exc}")
    return node


def test_output_to_dev_null_keeps_the_device(cli: Invoke, tmp_path: Path) -> None:
    null = _device(tmp_path, "null")
    before = os.lstat(null)
    result = cli("to", "bibtex", SEED_000, "-o", null)
    assert result.exit_code == 0, result.stderr
    after = os.lstat(null)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert after.st_ino == before.st_ino
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]


def test_output_to_a_fifo_is_written_through(cli: Invoke, tmp_path: Path) -> None:
    fifo = tmp_path / "refs.bib"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = cli("to", "bibtex", SEED_000, "-o", fifo)
    reader.join(60)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    import bibtexparser

    assert len(bibtexparser.parse_string(got[0].decode("utf-8")).entries) == 2


def test_output_through_a_symlink_to_a_device(tmp_path: Path) -> None:
    null = _device(tmp_path, "null")
    link = tmp_path / "out.bib"
    link.symlink_to(null)
    write_output(link, b"@misc{x}\n")
    assert link.is_symlink() and stat.S_ISCHR(os.lstat(null).st_mode)


def test_output_to_a_folder_or_socket_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="a folder"):
        write_output(tmp_path, b"x")
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(tmp_path / "s.bib"))
        with pytest.raises(OutputError, match="a socket"):
            write_output(tmp_path / "s.bib", b"x")
    finally:
        sock.close()
    assert stat.S_ISSOCK(os.lstat(tmp_path / "s.bib").st_mode)


def test_write_atomic_never_replaces_a_non_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a regular file"):
        write_atomic(fifo, b"x")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.md"]


# --- 7: an output that is an input ----------------------------------------------------


def _two_papers_one_broken(folder: Path) -> Path:
    """Seed 000 with its first paper's identifier broken: 1 of 2 papers converts."""
    path = folder / "x.md"
    path.write_bytes(SEED_000.read_bytes().replace(b"abs/2403.15711", b"abs/2403.1571"))
    return path


@pytest.mark.parametrize("how", ["same", "symlink", "hardlink", "folder"])
def test_output_that_is_an_input_is_refused(
    cli: Invoke,
    tmp_path: Path,
    how: str,
) -> None:
    x = _two_papers_one_broken(tmp_path)
    original = x.read_bytes()
    target, source = x, x
    if how == "symlink":
        target = tmp_path / "link.md"
        target.symlink_to(x)
    elif how == "hardlink":
        target = tmp_path / "hard.md"
        os.link(x, target)
    elif how == "folder":
        source = tmp_path
    result = cli("to", "markdown", source, "-o", target)
    assert result.exit_code == 2
    assert "is also the input" in result.stderr
    assert x.read_bytes() == original
    parsed = cli("parse", source, "-o", target)
    assert parsed.exit_code == 2 and x.read_bytes() == original


def test_stdout_appending_to_an_input_is_refused(tmp_path: Path) -> None:
    x = _two_papers_one_broken(tmp_path)
    original = x.read_bytes()
    with x.open("ab") as out:
        proc = _raw_run(["to", "markdown", "x.md"], tmp_path, stdout=out, stderr=subprocess.PIPE)
    assert proc.returncode == 2
    assert b"standard output is also the input x.md" in proc.stderr
    assert x.read_bytes() == original


def _accepted_errors(folder: Path) -> Path:
    """Seed 003 with an error its user accepted and a warning silenced.

    Paper 5's category becomes ``cs.XX`` (``unknown-category``, an error that
    re-rendering keeps) under an ``ignore[unknown-category]`` comment, and
    paper 1's ``abstract-truncated`` warning is silenced by another.
    """
    lines = SEED_003.read_text("utf-8").replace("v1 [cs.LG])", "v1 [cs.XX])").split("\n")
    for ref, rule in ((5, "unknown-category"), (1, "abstract-truncated")):
        at = next(i for i, line in enumerate(lines) if line.startswith(f"[^{ref}]:"))
        lines.insert(at, f"<!-- digestconv: ignore[{rule}] -->")
    path = folder / "accepted.md"
    path.write_text("\n".join(lines), "utf-8")
    return path


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_to_markdown_keeps_what_the_source_silenced_so_the_output_validates(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    from digestconv import pipeline
    from digestconv.api import check

    monkeypatch.setenv(pipeline.POOL_ENV, "0")  # -j 2 goes through the process pool
    source = _accepted_errors(tmp_path)
    assert cli("validate", source).exit_code == 0
    # without its comment the paper has an error, so the comment is what lets it through
    bare = "\n".join(ln for ln in source.read_text("utf-8").split("\n") if "digestconv:" not in ln)
    assert "unknown-category" in {d.rule for d in check([read(bare, "bare.md")])}
    copy = tmp_path / "copy.md"
    copy.write_text(source.read_text("utf-8"), "utf-8")  # the same papers again: merged once
    out = tmp_path / "out.md"
    result = cli("to", "markdown", "-j", jobs, source, copy, "-o", out)
    assert result.exit_code == 0, result.stderr
    written = out.read_text("utf-8")
    assert cli("validate", "--strict", out).exit_code == 1  # five unsilenced truncation warnings
    assert cli("validate", out).exit_code == 0
    digest = read(written, "out.md")
    assert len(digest.papers) == 6
    assert [p.primary_category for p in digest.papers].count("cs.XX") == 1
    report = check([digest])
    assert not [d for d in report if d.severity == "error"]
    # each comment silences exactly what its source silenced, and nothing goes unused
    assert {d.rule for d in report} == {"abstract-truncated"}
    assert sum(d.rule == "abstract-truncated" for d in report) == 5
    assert written.count("<!-- digestconv: ignore[unknown-category] -->") == 1
    assert written.count("<!-- digestconv: ignore[abstract-truncated] -->") == 1
    # the library gives the same bytes
    from digestconv import formats
    from digestconv.conversion import convert

    fmt = formats.find("markdown")
    assert fmt is not None
    assert convert([source, copy], fmt, env={}).output == out.read_bytes()


# --- 8: every write checked -------------------------------------------------------------


def _limit_file_size(limit: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.parametrize("target", ["stdout", "-o"])
def test_short_write_under_a_file_size_limit_is_an_error(tmp_path: Path, target: str) -> None:
    out = tmp_path / "refs.bib"
    out.write_bytes(b"old")
    args: list[str | os.PathLike[str]] = ["to", "bibtex", CORPUS]
    with out.open("wb" if target == "stdout" else "rb") as handle:
        if target == "-o":
            args += ["-o", out]
        proc = subprocess.run(
            [*_command(), *args],
            cwd=tmp_path,
            env=_env(),
            stdin=subprocess.DEVNULL,
            stdout=handle if target == "stdout" else subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=lambda: _limit_file_size(20_000),
            timeout=300,
            check=False,
        )
    assert proc.returncode == 2, proc.stderr
    assert b"cannot write" in proc.stderr and b"Traceback" not in proc.stderr
    if target == "-o":
        assert out.read_bytes() == b"old"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["refs.bib"]


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif", "junit"])
def test_short_write_of_a_streamed_report_is_an_error(tmp_path: Path, fmt: str) -> None:
    """validate streams its report file by file: each write is checked, and the pool stops."""
    with (tmp_path / "report").open("wb") as handle:
        proc = subprocess.run(
            [*_command(), "validate", "-f", fmt, "--jobs", "2", CORPUS],
            cwd=tmp_path,
            env=_env(),
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.PIPE,
            preexec_fn=lambda: _limit_file_size(8_000),
            timeout=300,
            check=False,
        )
    assert proc.returncode == 2, proc.stderr
    assert b"cannot write standard output: File too large" in proc.stderr
    assert b"internal error" not in proc.stderr and b"Traceback" not in proc.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="F_GETPIPE_SZ is Linux's")
def test_non_blocking_stdout_pipe_gets_every_byte(tmp_path: Path) -> None:
    """A pipe left non-blocking by another program: a full pipe is waited for, not an error."""
    import fcntl
    import termios
    from array import array

    expected = _raw_run(["to", "bibtex", CORPUS], tmp_path)
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    capacity = fcntl.fcntl(read_end, 1032)  # F_GETPIPE_SZ
    assert len(expected.stdout) > 4 * capacity
    proc = subprocess.Popen(
        [*_command(), "to", "bibtex", str(CORPUS)],
        cwd=tmp_path,
        env=_env(),
        stdin=subprocess.DEVNULL,
        stdout=write_end,
        stderr=(tmp_path / "stderr").open("wb"),  # not a pipe: nobody reads it meanwhile
    )
    os.close(write_end)
    pending = array("i", [0])
    while proc.poll() is None:  # wait until the pipe is full: the next write meets EAGAIN
        fcntl.ioctl(read_end, termios.FIONREAD, pending)
        if pending[0] >= capacity:
            break
        threading.Event().wait(0.01)
    with os.fdopen(read_end, "rb") as pipe:
        got = pipe.read()
    assert proc.wait(timeout=300) == expected.returncode, (tmp_path / "stderr").read_text()
    assert got == expected.stdout


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize(
    "command",
    [["to", "bibtex"], ["parse"], ["validate", "-f", "json"], ["validate"], ["fmt", "--diff"]],
)
def test_full_disk_on_stdout_is_an_error(tmp_path: Path, command: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        proc = _raw_run([*command, SEED_000], tmp_path, stdout=full, stderr=subprocess.PIPE)
    assert proc.returncode == 2
    assert b"No space left on device" in proc.stderr and b"Traceback" not in proc.stderr


def test_full_disk_on_output_device_is_an_error(cli: Invoke, tmp_path: Path) -> None:
    full = _device(tmp_path, "full")
    result = cli("to", "bibtex", SEED_000, "-o", full)
    assert result.exit_code == 2
    assert "No space left on device" in result.stderr
    assert stat.S_ISCHR(os.lstat(full).st_mode)


# --- 9: fmt never adds errors, is idempotent, diffs CRLF ------------------------------


def _after_old_feed_suffix(extra: str) -> bytes:
    """Corpus 001 with ``extra`` after the first old-feed title suffix."""
    lines = OLD_FEED.read_text("utf-8").split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith("    ") and "(arXiv:" in line)
    lines[index] += extra
    return "\n".join(lines).encode("utf-8")


@pytest.mark.parametrize("extra", [" <!-- checked -->", " extra words", " (v2)"])
def test_fmt_keeps_text_after_an_old_feed_suffix_out_of_the_table(extra: str) -> None:
    data = _after_old_feed_suffix(extra)
    before = _errors(data)
    result = format_digest(data, "x.md")
    if result.text is not None:
        assert _errors(result.text) == before
        assert format_digest(result.text.encode("utf-8"), "x.md").text == result.text
    else:
        assert "after or around its '(arXiv:...)' suffix" in (result.reason or "") or before


def test_fmt_twice_agrees_after_a_suffix_comment(cli: Invoke, tmp_path: Path) -> None:
    """fmt used to move the comment into the table cell (a DC201 error) and then refuse."""
    path = tmp_path / "x.md"
    data = _after_old_feed_suffix(" <!-- checked -->").replace(b"\n", b"\r\n")
    path.write_bytes(data)
    first = cli("fmt", path)
    assert "title-mismatch" not in " ".join(_errors(path.read_bytes()))
    assert set(_errors(path.read_bytes())) <= set(_errors(data))
    after_first = path.read_bytes()
    second = cli("fmt", path)
    assert path.read_bytes() == after_first
    assert second.exit_code == first.exit_code
    assert "would reformat" not in cli("fmt", "--check", path).stderr


@pytest.mark.skipif(shutil.which("patch") is None, reason="patch is not installed")
@pytest.mark.parametrize("source", [OLD_FEED, SEED_003], ids=["corpus-001", "seed-003"])
def test_fmt_diff_on_crlf_shows_the_change_and_patch_applies_it(
    cli: Invoke,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    source: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.md").write_bytes(source.read_bytes().replace(b"\n", b"\r\n"))
    diff = cli("fmt", "--diff", "x.md")
    assert diff.exit_code == 1
    assert diff.stdout_bytes.startswith(b"--- a/x.md\n+++ b/x.md\n@@ ")
    (tmp_path / "d.patch").write_bytes(diff.stdout_bytes)
    patched = subprocess.run(
        ["patch", "-p1", "-i", "d.patch"], cwd=tmp_path, capture_output=True, check=False
    )
    assert patched.returncode == 0, patched.stdout + patched.stderr
    expected = format_digest(source.read_bytes().replace(b"\n", b"\r\n"), "x.md").text
    assert expected is not None
    assert (tmp_path / "x.md").read_bytes() == expected.encode("utf-8")


def test_fmt_stdin_passes_an_unchanged_file_through(cli: Invoke) -> None:
    once = format_digest(SEED_000.read_bytes(), "x.md").text
    assert once is not None
    result = cli("fmt", "-", input=once.encode("utf-8"))
    assert result.exit_code == 0
    assert result.stdout_bytes == once.encode("utf-8")


# --- 12: SOURCE_DATE_EPOCH ---------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["-62135596800", "-1", "253402300800", "99999999999999999999", "+5", "1_000", "١٢"]
)
def test_source_date_epoch_out_of_range_is_a_usage_error(cli: Invoke, value: str) -> None:
    result = cli("to", "atom", SEED_000, env={"SOURCE_DATE_EPOCH": value})
    assert result.exit_code == 2
    assert "SOURCE_DATE_EPOCH" in result.stderr and "9999-12-31" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("value", ["0", str(EPOCH_MAX)])
@pytest.mark.parametrize("name", ["atom", "rss"])
def test_source_date_epoch_at_the_edges_gives_valid_feeds(
    cli: Invoke,
    value: str,
    name: str,
) -> None:
    import feedparser

    result = cli("to", name, SEED_000, env={"SOURCE_DATE_EPOCH": value})
    assert result.exit_code == 0, result.stderr
    feed = feedparser.parse(result.stdout_bytes)
    assert feed.bozo == 0
    stamp = feed.feed.get("updated_parsed") or feed.feed.get("published_parsed")
    when = source_date_epoch({"SOURCE_DATE_EPOCH": value})
    assert when is not None and tuple(stamp[:6]) == when.timetuple()[:6]
    if name == "atom":
        from lxml import etree

        schema = etree.RelaxNG(etree.parse(str(ROOT / "tests" / "data" / "atom.rng")))
        assert schema.validate(etree.fromstring(result.stdout_bytes)), schema.error_log


# --- found by the fuzzer or named in the report, in the reader ----------------------------
#
# A finding whose fix is not on main yet is marked xfail(strict=True) here and listed in
# the fuzz harness's KNOWN (tests/fuzz/harness.py); these two are fixed.


def test_huge_reference_number_is_a_diagnostic(cli: Invoke, tmp_path: Path) -> None:
    """A ``[^N]`` with 5,000 digits: a diagnostic for that file, the other files still read."""
    huge = tmp_path / "huge.md"
    huge.write_bytes(SEED_000.read_bytes().replace(b"[^1]", b"[^" + b"7" * 5000 + b"]"))
    result = cli("validate", huge, SEED_003)
    assert result.exit_code == 1, result.stderr[-500:]
    assert "internal error" not in result.output
    assert f"{huge}:" in result.stdout and f"{SEED_003}:" in result.stdout


def test_text_after_an_old_feed_suffix_never_reaches_the_outputs(
    cli: Invoke, tmp_path: Path
) -> None:
    """A comment after ``(arXiv:... UPDATED)``: reported, and ``to markdown`` output validates."""
    path = tmp_path / "x.md"
    path.write_bytes(_after_old_feed_suffix(" <!-- digestconv: ignore[DC301, DC302] -->"))
    result = cli("to", "markdown", path)
    assert result.exit_code == 1  # the malformed suffix is reported, the paper not converted
    assert _errors(result.stdout_bytes, "out.md") == []
    assert "(arXiv:" not in "".join(
        p.title or "" for p in read(result.stdout_bytes, "out.md").papers
    )
