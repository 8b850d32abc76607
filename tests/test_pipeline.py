"""The per-file pipeline: worker results, the process pool, discovery and interruption."""

from __future__ import annotations

import dataclasses
import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from digestconv import pipeline, rules
from digestconv.api import validate
from digestconv.cli import app
from digestconv.model import Source
from digestconv.pipeline import pool
from digestconv.rules.facts import PaperFact
from digestconv.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CORPUS = ROOT / "tests" / "fixtures" / "corpus"
SEED_000 = SEEDS / "000_20f5c0d8057fc2ad.txt"
SEED_003 = SEEDS / "003_025763420b998cbe.txt"
SEED_004 = SEEDS / "004_6a7442de060cbd81.txt"

#: environment that makes the pool start even for a few small files
FORCE_POOL = {pipeline.POOL_ENV: "0"}


def _command() -> list[str]:
    script = shutil.which("digestconv", path=os.path.dirname(sys.executable))
    if script is not None:
        return [script]
    return [sys.executable, "-c", "from digestconv.cli import main; main()"]


@pytest.fixture
def digests(tmp_path: Path) -> Path:
    """A folder of real digests with the shapes the fold cares about.

    Seeds 000 and 003 share a paper (a cross-file duplicate), seed 004 is an
    abstract page, one corpus digest carries a suppression, a README has no
    digest structure, a sub-folder holds more digests.
    """
    root = tmp_path / "digests"
    (root / "sub").mkdir(parents=True)
    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copy(seed, root / seed.name)
    corpus = sorted(p for p in CORPUS.glob("*.md") if p.stem.isdigit())
    for path in corpus[:6]:
        shutil.copy(path, root / "sub" / path.name)
    text = corpus[6].read_text("utf-8")
    marker = text.index("[^1]: ")
    text = text[:marker] + "<!-- digestconv: ignore[abstract-truncated] -->\n" + text[marker:]
    (root / "suppressed.md").write_text(text, "utf-8")
    (root / "README.md").write_text("# Notes\n\nWhat this folder holds.\n", "utf-8")
    # the same papers again and again (pool workers send each copy once), one variant
    # copy whose summary differs, and one copy whose paper has an error
    copies = root / "copies"
    copies.mkdir()
    seed = SEED_000.read_text("utf-8")
    for n in range(8):
        (copies / f"same-{n}.md").write_text(seed, "utf-8")
    (copies / "variant.md").write_text(seed.replace("该研究确定了", "这项研究确定了"), "utf-8")
    (copies / "variant-again.md").write_text(
        seed.replace("该研究确定了", "这项研究确定了"), "utf-8"
    )
    (copies / "broken.md").write_text(
        seed.replace("https://arxiv.org/abs/2402", "ftp://x/2402"), "utf-8"
    )
    return root


def _invoke(monkeypatch: pytest.MonkeyPatch, *args: str, cwd: Path) -> tuple[int, bytes, bytes]:
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(
        app,
        list(args),
        env={**FORCE_POOL, "SOURCE_DATE_EPOCH": None, "FORCE_COLOR": None, "NO_COLOR": None},
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout_bytes, result.stderr_bytes


def _pools(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the pools started from now on."""
    started: list[int] = []
    real = pool._run_pool

    def counting(items, task, jobs):  # type: ignore[no-untyped-def]
        started.append(jobs)
        return real(items, task, jobs)

    monkeypatch.setattr(pool, "_run_pool", counting)
    return started


COMMANDS = [
    *(("validate", "--output-format", f) for f in ("text", "json", "github", "sarif", "junit")),
    ("validate", "--per-file", "--strict"),
    ("parse",),
    *(("to", f) for f in ("bibtex", "csl-json", "rss", "atom", "opml", "markdown")),
    ("to", "--diagnostics-format", "json", "bibtex"),
    ("fmt", "--check"),
    ("fmt", "--diff"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_jobs_1_and_2_give_identical_bytes(
    command: tuple[str, ...], digests: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = _pools(monkeypatch)
    args = [*command, "digests", "digests/000_20f5c0d8057fc2ad.txt", "nowhere.md"]
    one = _invoke(monkeypatch, *args, "--jobs", "1", cwd=digests.parent)
    assert started == []
    two = _invoke(monkeypatch, *args, "--jobs", "2", cwd=digests.parent)
    assert started == [2], "the pool did not start"
    assert one == two
    assert one[1] or one[2]


def test_fmt_writes_the_same_files_with_a_pool(
    digests: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = _pools(monkeypatch)
    copy = tmp_path / "copy"
    shutil.copytree(digests, copy)
    one = _invoke(monkeypatch, "fmt", "--jobs", "1", str(digests), cwd=tmp_path)
    two = _invoke(monkeypatch, "fmt", "--jobs", "2", str(copy), cwd=tmp_path)
    assert started == [2]
    assert one[0] == two[0] and one[1] == two[1]
    assert one[2].replace(str(digests).encode(), b"X") == two[2].replace(str(copy).encode(), b"X")
    for path in digests.rglob("*"):
        if path.is_file():
            assert path.read_bytes() == (copy / path.relative_to(digests)).read_bytes()


def test_one_small_file_never_starts_a_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    started = _pools(monkeypatch)
    monkeypatch.delenv(pipeline.POOL_ENV, raising=False)
    report = validate([SEED_000, SEED_003], jobs=8)
    assert report.files == 2 and started == []


def test_the_corpus_is_read_in_this_process_whatever_the_cpus(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """99 real digests (about 1.5 MB) are cheaper to read here than to send to workers:
    starting two workers cost more than they saved (measured: ``benchmarks/bench.py``),
    so the default ``--jobs`` must not be slower than ``-j1`` on such an input."""
    started = _pools(monkeypatch)
    monkeypatch.delenv(pipeline.POOL_ENV, raising=False)
    report = validate([CORPUS], jobs=2)
    assert report.files >= 99 and started == []
    many = validate([CORPUS, SEED_000], jobs=2, settings=Settings())
    assert started == [] and many.files == report.files + 1


def test_results_pickle(digests: Path) -> None:
    inputs = pipeline.files([digests, digests / "nowhere.md"])
    tasks = [
        pipeline.Task(),
        pipeline.Task(check=False, document=True),
        pipeline.Task(papers=True),
        pipeline.Task(check=False, fmt="diff"),
        pipeline.Task(check=False, fmt="write"),
    ]
    kinds = set()
    for task in tasks:
        for result in pipeline.run(inputs, task, jobs=1):
            copy = pickle.loads(pickle.dumps(result))
            assert copy == result
            # the same types come back, not merely equal tuples
            assert [type(f) for f in copy.facts] == [PaperFact] * len(result.facts)
            assert [f.span("url") for f in copy.facts] == [f.span("url") for f in result.facts]
            kinds.add(result.status)
            if result.papers:
                assert [p.to_dict() for p in copy.papers] == [p.to_dict() for p in result.papers]
    assert kinds == {"ok", "skipped", "unreadable"}


def test_a_pool_workers_papers_travel_without_their_source_maps() -> None:
    """A pool worker (``elide``) keeps each paper it sends as parsed; what reaches the
    parent is its content alone, as the in-process path gives it."""
    from digestconv.pipeline.discover import Input
    from digestconv.pipeline.work import process
    from digestconv.rules.engine import Planner

    task = pipeline.Task(papers=True, elide=True)
    source = Input(str(SEED_000), SEED_000)
    sent: set[tuple[str, bytes]] = set()
    pooled = process(source, task, Planner(task.settings), None, sent)
    assert sent and any(p is not None and p.source != Source() for p in pooled.papers or ())
    copy = pickle.loads(pickle.dumps(pooled))
    [alone] = pipeline.run(pipeline.files([SEED_000]), pipeline.Task(papers=True), jobs=1)
    assert copy.papers == alone.papers and all(p.source == Source() for p in copy.papers or ())
    assert [p.to_dict() for p in copy.papers or ()] == [p.to_dict() for p in alone.papers or ()]


def test_results_hold_no_digest(digests: Path) -> None:
    [result] = pipeline.run(pipeline.files([SEED_000]), pipeline.Task(papers=True), jobs=1)
    assert all(p.source == Source() for p in result.papers or ())
    assert len(pickle.dumps(result)) < 2 * SEED_000.stat().st_size


@pytest.fixture
def broken_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """``syntax`` raises on files that mention 'boom'."""
    rule = rules.get("syntax")
    assert rule is not None

    def check(digest, settings):  # type: ignore[no-untyped-def]
        if "boom" in digest.text:
            raise KeyError("boom")
        yield from rule.check(digest, settings)  # type: ignore[call-arg]

    monkeypatch.setitem(rules._RULES, rule.code, dataclasses.replace(rule, check=check))


@pytest.mark.usefixtures("broken_rule")
@pytest.mark.parametrize("jobs", [1, 2])
def test_internal_error_is_isolated(
    jobs: int, digests: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = _pools(monkeypatch)
    monkeypatch.setenv(pipeline.POOL_ENV, "0")
    bad = digests / "sub" / "boom.md"
    bad.write_text(SEED_000.read_text("utf-8").replace("Identifiable", "boom", 1), "utf-8")
    report = validate([digests], jobs=jobs)
    assert started == ([2] if jobs == 2 else [])
    internal = [d for d in report.diagnostics if d.rule == "internal-error"]
    assert [d.path for d in internal] == [str(bad)]
    assert "KeyError" in internal[0].message
    assert report.exit_code() == 2
    # every other file was checked
    assert report.files == len([p for p in digests.rglob("*") if p.is_file()]) - 1


def test_input_order_and_streaming(digests: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each file's diagnostics are written before the next file is handled."""
    monkeypatch.chdir(digests.parent)
    seen: list[str] = []
    real = pool.process

    def process(source, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(f"process {source.name}")
        return real(source, *args, **kwargs)

    monkeypatch.setattr(pool, "process", process)

    class Out:
        def write(self, text: str) -> None:
            for line in text.splitlines():
                if line.split(":", 1)[0] and ":" in line:
                    seen.append(f"report {line.split(':', 1)[0]}")

        def flush(self) -> None:
            pass

        def isatty(self) -> bool:
            return False

    from digestconv import cli

    monkeypatch.setattr(cli.sys, "stdout", Out())
    with pytest.raises(SystemExit):
        cli.app(["validate", "--jobs", "1", "digests"])
    order = [s.split(" ", 1)[1] for s in seen if s.startswith("process")]
    assert order == sorted(order, key=lambda p: p.split("/"))
    first_report = seen.index(next(s for s in seen if s.startswith("report")))
    assert first_report < len(seen) - 1
    assert any(s.startswith("process") for s in seen[first_report:])


def test_validate_dot_with_a_readme_passes(digests: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clean = digests.parent / "clean"
    clean.mkdir()
    shutil.copy(SEED_000, clean / "a.md")
    (clean / "README.md").write_text("# My digests\n\nOne file a day.\n", "utf-8")
    (clean / "requirements.txt").write_text("digestconv\n", "utf-8")
    (clean / "notes.txt").write_text("", "utf-8")
    code, out, _ = _invoke(monkeypatch, "validate", ".", cwd=clean)
    assert code == 0, out
    assert (
        out.decode()
        .rstrip("\n")
        .endswith("1 file, 2 papers: 2 warnings, 3 non-digest files skipped")
    )
    code, out, _ = _invoke(monkeypatch, "validate", "README.md", cwd=clean)
    assert code == 1 and b"not-a-digest" in out


# ------------------------------------------------------------ special files


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_fifo_in_a_folder_is_skipped_never_opened(tmp_path: Path) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    shutil.copy(SEED_000, folder / "a.md")
    os.mkfifo(folder / "pipe.md")
    for args in (
        ["validate", "d"],
        ["to", "bibtex", "d"],
        ["fmt", "--check", "d"],
        ["parse", "d"],
    ):
        proc = subprocess.run(
            [*_command(), *args], cwd=tmp_path, capture_output=True, timeout=60, check=False
        )
        assert proc.returncode in (0, 1), (args, proc.stderr)
        assert b"pipe.md" not in proc.stdout + proc.stderr
        assert b"Traceback" not in proc.stderr
    named = subprocess.run(
        [*_command(), "validate", "d/pipe.md", "d/a.md"],
        cwd=tmp_path,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert named.returncode == 2
    assert b"d/pipe.md:1:1: DC000 io-error not a regular file (a FIFO)" in named.stdout


def test_fifo_swapped_in_after_discovery_never_blocks(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    target = tmp_path / "a.md"
    target.write_bytes(SEED_000.read_bytes())
    [source] = pipeline.files([target])
    target.unlink()
    os.mkfifo(target)
    with pytest.raises(OSError, match="FIFO"):
        pipeline.read_bytes(source)


def test_unreadable_folder_is_an_io_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process, for any user: listing the folder fails with EACCES."""
    (tmp_path / "locked").mkdir()
    shutil.copy(SEED_000, tmp_path / "locked" / "a.md")
    shutil.copy(SEED_003, tmp_path / "b.md")
    real = os.scandir

    def scandir(path):  # type: ignore[no-untyped-def]
        if os.path.basename(os.fspath(path)) == "locked":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    report = validate([tmp_path])
    [diag] = [d for d in report.diagnostics if d.rule == "io-error"]
    assert diag.path == str(tmp_path / "locked") and "Permission denied" in diag.message
    assert report.exit_code() == 2 and report.files == 1


def test_unreadable_sub_folder_exits_2(tmp_path: Path) -> None:
    locked = tmp_path / "d" / "locked"
    locked.mkdir(parents=True)
    shutil.copy(SEED_000, locked / "a.md")
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("this user can read a folder with mode 000")
        proc = subprocess.run(
            [*_command(), "validate", "d"], cwd=tmp_path, capture_output=True, timeout=60
        )
    finally:
        locked.chmod(0o755)
    assert proc.returncode == 2
    assert b"d/locked:1:1: DC000 io-error cannot read folder" in proc.stdout


def test_stdin_closed_is_a_clean_io_error(tmp_path: Path) -> None:
    script = 'exec "$@" <&-'
    for command in (["validate", "-"], ["parse", "-"], ["to", "bibtex", "-"], ["fmt", "-"]):
        proc = subprocess.run(
            ["sh", "-c", script, "sh", *_command(), *command],
            cwd=tmp_path,
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert proc.returncode == 2, (command, proc.stdout, proc.stderr)
        assert b"Traceback" not in proc.stderr and b"internal error" not in proc.stderr
        assert b"standard input is closed" in proc.stdout + proc.stderr


# --------------------------------------------------------------------- Ctrl-C


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc")
def test_ctrl_c_stops_the_workers_and_leaves_the_output_alone(tmp_path: Path) -> None:
    corpus = sorted(p for p in CORPUS.glob("*.md") if p.stem.isdigit())
    folder = tmp_path / "big"
    for copy in range(20):
        sub = folder / f"{copy:03d}"
        sub.mkdir(parents=True)
        for path in corpus:
            shutil.copy(path, sub / path.name)
    out = tmp_path / "out.bib"
    out.write_bytes(b"% keep me\n")
    proc = subprocess.Popen(
        [*_command(), "to", "bibtex", "--jobs", "2", str(folder), "-o", str(out)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    # wait until the workers run (never a fixed sleep: poll for the child processes)
    deadline = time.monotonic() + 120
    while not _children(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    workers = _children(proc.pid)
    assert workers, "the pool never started"
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends on Ctrl-C: the whole group
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert b"Traceback" not in stderr
    assert b"Exception ignored" not in stderr
    assert out.read_bytes() == b"% keep me\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.bib")] == []
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists() or _zombie(pid)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0] == "Z"
    except OSError:
        return True


def test_pool_workers_send_each_copy_once(digests: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Repeated papers cross from the workers as marks; the merge is the same as in-process."""
    from digestconv import formats
    from digestconv.conversion import convert

    monkeypatch.setenv(pipeline.POOL_ENV, "0")
    copies = digests / "copies"
    inputs = pipeline.files([copies])
    results = list(pipeline.run(inputs, pipeline.Task(papers=True, elide=True), jobs=2))
    sent = sum(p is not None for r in results for p in r.papers or ())
    marked = sum(m is not None for r in results for m in r.marks or ())
    assert marked > sent >= 4  # 2 papers x (original, variant), at most once per worker each
    bib = formats.find("bibtex")
    assert bib is not None
    one = convert([copies], bib, jobs=1)
    two = convert([copies], bib, jobs=2)
    assert (one.output, one.diagnostics, one.skipped) == (two.output, two.diagnostics, two.skipped)
    notes = [d.message for d in one.diagnostics if d.rule == "duplicate-paper"]
    assert sum("in summary_zh" in n for n in notes) == 2
    assert any(d.rule == "not-converted" and d.path.endswith("broken.md") for d in one.diagnostics)


def test_a_worker_that_dies_is_reported_never_a_hang(
    digests: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker process killed mid-file (out of memory, a crash) ends the run with exit 2."""
    rule = rules.get("syntax")
    assert rule is not None

    def check(digest, settings):  # type: ignore[no-untyped-def]
        if "die here" in digest.text:
            os._exit(70)  # what the out-of-memory killer leaves behind
        yield from rule.check(digest, settings)  # type: ignore[call-arg]

    monkeypatch.setitem(rules._RULES, rule.code, dataclasses.replace(rule, check=check))
    monkeypatch.setenv(pipeline.POOL_ENV, "0")
    victim = digests / "sub" / "zz-victim.md"
    victim.write_text(SEED_000.read_text("utf-8").replace("Identifiable", "die here", 1), "utf-8")
    report = validate([digests], jobs=2)
    internal = [d for d in report.diagnostics if d.rule == "internal-error"]
    # only the file that killed its process is reported; every other file was checked
    assert [d.path for d in internal] == [str(victim)]
    assert "worker" in internal[0].message
    assert report.exit_code() == 2
    others = validate([digests], jobs=1, settings=Settings(exclude=("zz-victim.md",)))
    assert [d for d in report.diagnostics if d.path != str(victim)] == list(others.diagnostics)


def test_rules_run_with_the_parsed_model_frozen_and_leave_the_collector_as_it_was() -> None:
    import gc

    from digestconv._gccontrol import long_lived as _long_lived

    seen: list[int] = []
    with _long_lived():
        seen.append(gc.get_freeze_count())
    assert seen[0] > 0  # the objects alive at entry were set aside
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    # a process that froze objects itself keeps them frozen
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        with _long_lived():
            pass
        assert gc.get_freeze_count() == before
    finally:
        gc.unfreeze()
    # a rule that raises still gives the objects back
    with pytest.raises(RuntimeError), _long_lived():
        raise RuntimeError("boom")
    assert gc.get_freeze_count() == 0


def test_nested_long_lived_blocks_add_the_objects_made_since_and_release_all_at_the_end() -> None:
    import gc

    from digestconv._gccontrol import keep as _keep
    from digestconv._gccontrol import long_lived as _long_lived

    with _long_lived():
        outer = gc.get_freeze_count()
        made = [[i] for i in range(5_000)]  # 5,001 new tracked objects
        with _long_lived():
            inner = gc.get_freeze_count()
        assert inner >= outer + len(made)
        more = [[i] for i in range(1_000)]
        _keep()
        collected = {id(o) for o in gc.get_objects()}  # every generation but the permanent one
        assert id(made[0]) not in collected and id(more[-1]) not in collected
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    _keep()  # outside any block: does nothing
    assert gc.get_freeze_count() == 0


def test_reader_hands_back_an_enabled_collector_that_still_frees_cycles() -> None:
    import gc
    import weakref

    from digestconv.reader import read

    class Node:
        pass

    cycle = Node()
    cycle.self = cycle  # type: ignore[attr-defined]
    alive = weakref.ref(cycle)
    del cycle
    digest = read(SEED_000.read_bytes(), "seed.md")
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert gc.get_count()[0] < 100  # the model was not left counting as young
    assert gc.is_tracked(digest.papers[0])
    gc.collect()
    assert alive() is None  # moved to the oldest generation, not out of the collector's reach
    # a caller's own frozen objects stay frozen through a read
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        read(SEED_000.read_bytes(), "seed.md")
        assert gc.get_freeze_count() == before
    finally:
        gc.unfreeze()


def test_a_worker_gone_before_its_first_chunk_loses_nothing(
    digests: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sending a chunk to a worker that died raises a broken pipe in the parent: that chunk
    goes to the next worker, the death is handled as any other, and the run reports every
    file.  (The broken pipe once escaped as if standard output's reader had left: the run
    ended quietly, with exit 0 and half its report.)"""
    real = pool._Worker.start
    started: list[int] = []

    def start(task):  # type: ignore[no-untyped-def]
        worker = real(task)
        started.append(worker.process.pid)
        if len(started) == 1:  # the first worker dies before it is sent anything
            worker.process.kill()
            worker.process.join(10)
        return worker

    monkeypatch.setattr(pool._Worker, "start", staticmethod(start))
    monkeypatch.setenv(pipeline.POOL_ENV, "0")
    inputs = pipeline.files([digests])
    task = pipeline.Task()
    two = [(r.name, r.diagnostics) for r in pipeline.run(inputs, task, jobs=2)]
    monkeypatch.setattr(pool._Worker, "start", staticmethod(real))
    one = [(r.name, r.diagnostics) for r in pipeline.run(inputs, task, jobs=1)]
    assert len(started) >= 3  # two at the start, one in the dead one's place
    assert two == one
