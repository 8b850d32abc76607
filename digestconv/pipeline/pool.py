"""Execution: map the worker over the inputs, here or in worker processes.

Results come back in input order.  A pool starts only when the input is large
enough to pay for the processes (:func:`wants_pool`).

The pool is written so that it cannot hang, whatever happens to either side:

* each worker has a pipe of its own, and the parent keeps no copy of the
  worker's end: a worker that dies, even half-way through sending a result,
  closes its end, so the parent reads end-of-file, never waits forever;
* the parent waits on the pipes and on the processes' own exit handles at once
  (:func:`multiprocessing.connection.wait`), with no helper threads to join at
  exit;
* a worker dies with its parent (``PR_SET_PDEATHSIG`` on Linux, and end-of-file
  on its pipe everywhere), ignores Ctrl-C (the parent stops it), and leaves
  through ``os._exit`` so it never runs the parent's exit handlers;
* however the parent's loop ends (the results were all read, the consumer
  stopped early, an exception, Ctrl-C), the workers are stopped and reaped
  before the loop returns: asked to leave, then terminated, then killed.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from ..rules import all_rules
from ..rules.engine import Planner, internal_error
from ..settings import default_jobs
from .discover import Input, read_bytes
from .work import FileResult, Task, process

#: a pool starts only for inputs of at least this many bytes ...
POOL_MIN_BYTES = 4_000_000
#: ... or at least this many files
POOL_MIN_FILES = 256
#: environment variable overriding :data:`POOL_MIN_BYTES` (``0`` forces a pool for >= 2 files)
POOL_ENV = "DIGESTCONV_POOL_MIN_BYTES"
#: a chunk of work sent to a worker holds about this many bytes, or this many files
CHUNK_BYTES = 2_000_000
CHUNK_FILES = 64
#: chunks a worker holds at once: one it works on, one waiting, so it never idles
PER_WORKER = 2
#: pools started again after a worker process died, before the rest is given up
MAX_RESTARTS = 8
#: seconds a stopping worker is given to leave before it is terminated, then killed
GRACE = 2.0

Item = tuple[Input, "bytes | None"]
Chunk = list[Item]


def pool_threshold() -> int:
    """Bytes of input from which a pool pays (``DIGESTCONV_POOL_MIN_BYTES`` overrides)."""
    value = os.environ.get(POOL_ENV, "").strip()
    if value.isdigit():
        return int(value)
    return POOL_MIN_BYTES


def wants_pool(jobs: int, readable: int, total: int) -> bool:
    """Whether ``readable`` files of ``total`` bytes are worth ``jobs`` worker processes.

    Starting two workers, sending them the rules and getting the results back
    cost more than they saved on the 99 files (1.5 MB) of the test corpus: 214 ms
    against 167 ms for ``validate -j1``.  Smaller inputs than :data:`POOL_MIN_BYTES`
    and :data:`POOL_MIN_FILES` are read in this process.
    """
    if jobs <= 1 or readable <= 1:
        return False
    return total >= pool_threshold() or readable >= POOL_MIN_FILES


def run(
    inputs: Sequence[Input],
    task: Task,
    *,
    jobs: int | None = None,
    stdin: BinaryIO | None = None,
    planner: Planner | None = None,
) -> Iterator[FileResult]:
    """Map :func:`~digestconv.pipeline.work.process` over ``inputs``; results in input order.

    With ``jobs`` > 1 and enough input (:func:`wants_pool`) the files are
    handled by worker processes; the results are the same as with one job.
    Standard input is read here, in this process.
    """
    jobs = jobs or task.settings.jobs or default_jobs()
    items: list[Item] = []
    for source in inputs:
        data = None
        if source.path is None and source.error is None:
            try:
                data = read_bytes(source, stdin)
            except OSError as exc:
                source = Input(source.name, None, error=str(exc))
        items.append((source, data))
    total = sum(map(_size, items))
    readable = sum(s.error is None for s, _ in items)
    if wants_pool(jobs, readable, total):
        yield from _run_pool(items, task, jobs)
        return
    planner = planner or Planner(task.settings)
    for source, data in items:
        yield process(source, task, planner, data)


def _size(item: Item) -> int:
    """Bytes of one item: its file's size, or the standard input read."""
    return item[0].size + len(item[1] or b"")


def _chunks(items: Sequence[Item], jobs: int) -> list[Chunk]:
    """Consecutive runs of items: at most :data:`CHUNK_BYTES` or :data:`CHUNK_FILES`,
    and small enough that every worker gets several."""
    total = sum(map(_size, items))
    most_bytes = max(1, min(CHUNK_BYTES, total // (jobs * 4)))
    most_files = max(1, min(CHUNK_FILES, len(items) // (jobs * 4)))
    out: list[Chunk] = []
    chunk: Chunk = []
    size = 0
    for item in items:
        chunk.append(item)
        size += _size(item)
        if size >= most_bytes or len(chunk) >= most_files:
            out.append(chunk)
            chunk, size = [], 0
    if chunk:
        out.append(chunk)
    return out


# ------------------------------------------------------------------ the worker


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when its parent dies; leave if it already has."""
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(0)


def _serve(conn: Any, task: Task, parent: int) -> None:
    """A worker's life: take ``(index, chunk)`` messages, send back ``(index, results)``.

    ``None`` or end-of-file on the pipe ends it.  Each worker remembers the
    papers it has sent (:func:`~digestconv.pipeline.work.process`'s ``sent``):
    it receives its chunks in input order, so a later copy may travel as a mark.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the pool on Ctrl-C
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    _die_with_parent(parent)
    planner = Planner(task.settings)
    sent: set[tuple[str, bytes]] = set()
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        index, chunk = message
        out = []
        for source, data in chunk:
            try:
                out.append(process(source, task, planner, data, sent))
            except Exception as exc:  # pragma: no cover - process() catches what it can
                out.append(FileResult(source.name, diagnostics=(internal_error(source.name, exc),)))
        try:
            conn.send((index, out))
        except (OSError, ValueError):
            return


def _worker_main(conn: Any, task: Task, parent: int) -> None:
    """The worker process's entry: serve, then leave without the parent's exit handlers."""
    code = 0
    try:
        _serve(conn, task, parent)
    except BaseException:  # pragma: no cover - a worker never reports through a traceback
        code = 1
    finally:
        with contextlib.suppress(Exception):
            conn.close()
    os._exit(code)


class _SignalsDeferred:
    """Hold Ctrl-C and SIGTERM back while a worker process is forked.

    A signal that lands in Python's at-fork handlers is printed and lost;
    blocked here, it is delivered right after, in the parent, as usual.  The
    forked worker inherits the block and lifts it once its handlers are set.
    """

    SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})

    def __enter__(self) -> None:
        self.blocked = hasattr(signal, "pthread_sigmask")
        if self.blocked:
            signal.pthread_sigmask(signal.SIG_BLOCK, self.SIGNALS)

    def __exit__(self, *exc: object) -> None:
        if self.blocked:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, self.SIGNALS)


@dataclass
class _Worker:
    """One worker process, the parent's end of its pipe, and the chunks it holds."""

    process: Any
    conn: Any
    chunks: deque[int] = field(default_factory=deque)

    @classmethod
    def start(cls, task: Task) -> _Worker:
        import multiprocessing

        context = multiprocessing.get_context(
            "fork" if "fork" in multiprocessing.get_all_start_methods() else None
        )
        mine, theirs = context.Pipe(duplex=True)
        proc = context.Process(target=_worker_main, args=(theirs, task, os.getpid()), daemon=True)
        with _SignalsDeferred():
            proc.start()
        theirs.close()  # the worker's end lives only in the worker: its death is our EOF
        return cls(proc, mine)


def _stop_all(workers: Sequence[_Worker]) -> None:
    """Stop and reap every worker: ask, then terminate, then kill; never waits unbounded."""
    import time

    for w in workers:
        with contextlib.suppress(Exception):
            w.conn.send(None)
    deadline = time.monotonic() + GRACE
    for w in workers:
        w.process.join(max(0.0, deadline - time.monotonic()))
    for w in workers:
        if w.process.is_alive():
            with contextlib.suppress(Exception):
                w.process.terminate()
    for w in workers:
        w.process.join(GRACE)
        if w.process.is_alive():
            with contextlib.suppress(Exception):
                w.process.kill()
            w.process.join(GRACE)
        with contextlib.suppress(Exception):
            w.conn.close()


def _died(source: Input, cause: str) -> FileResult:
    return FileResult(
        source.name, diagnostics=(internal_error(source.name, RuntimeError(cause), "a worker"),)
    )


def _exit_cause(proc: Any) -> str:
    code = proc.exitcode
    if code is not None and code < 0:
        with contextlib.suppress(ValueError):
            return f"the worker process was killed by {signal.Signals(-code).name}"
    return f"the worker process ended with exit code {code}"


def _run_pool(items: Sequence[Item], task: Task, jobs: int) -> Iterator[FileResult]:
    """The results of ``items`` from ``jobs`` worker processes, in input order.

    A worker that dies (killed for memory, a crash in an extension) is
    replaced.  The chunk it was working on is then handled file by file, each
    in a process of its own, so only the file that kills its process is
    reported (as ``internal-error``); the other chunks it held go to the new worker.
    """
    import dataclasses
    import multiprocessing
    from multiprocessing.connection import wait

    all_rules()  # loaded once here, inherited by forked workers
    if task.elide and "fork" not in multiprocessing.get_all_start_methods():
        # content marks hash with this process's secret: only forked workers share it
        task = dataclasses.replace(task, elide=False)
    chunks = _chunks(items, jobs)
    workers: list[_Worker] = []
    done: dict[int, list[FileResult]] = {}
    retry: deque[int] = deque()  # chunks of a dead worker, in order, for its replacement
    restarts = 0
    next_send = next_yield = 0
    try:
        for _ in range(min(jobs, len(chunks))):
            workers.append(_Worker.start(task))
        while next_yield < len(chunks):
            # hand out work: chunks of a dead worker first, in order, then new ones,
            # keeping at most PER_WORKER per worker and a bounded window of results
            for w in workers:
                while len(w.chunks) < PER_WORKER:
                    if retry and not w.chunks:
                        index = retry.popleft()
                    elif (
                        not retry
                        and next_send < len(chunks)
                        and (next_send - next_yield < len(workers) * (PER_WORKER + 1))
                    ):
                        index = next_send
                        next_send += 1
                    else:
                        break
                    try:
                        w.conn.send((index, chunks[index]))
                    except (OSError, ValueError):
                        # the worker is gone (its pipe is broken): the chunk waits, in order,
                        # for the next worker, and the worker's death is seen below
                        retry = deque(sorted([*retry, index]))
                        break
                    w.chunks.append(index)
            busy = [w for w in workers if w.chunks]
            if not busy and next_yield not in done and not retry:  # pragma: no cover
                raise RuntimeError("the pool has work left but no worker holds any")
            # every worker's exit handle is watched, an idle one's too (a worker can die
            # before it holds any work: its pipe broke when a chunk was sent)
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in workers]))
            for w in list(workers):
                if w.conn not in ready and w.process.sentinel not in ready:
                    continue
                dead = _receive(w, done)
                if dead is None:
                    continue
                workers.remove(w)
                restarts += 1
                broke = w.chunks.popleft() if w.chunks else None
                retry = deque(sorted([*retry, *w.chunks]))
                if broke is not None:
                    done[broke] = _isolated(chunks[broke], task, dead)
                if restarts > MAX_RESTARTS:
                    for index in [*retry, *range(next_send, len(chunks))]:
                        done[index] = [_died(s, dead) for s, _ in chunks[index]]
                    retry.clear()
                    next_send = len(chunks)
                elif retry or next_send < len(chunks) or not workers:
                    workers.append(_Worker.start(task))
            while next_yield in done:
                yield from done.pop(next_yield)
                next_yield += 1
    finally:
        _stop_all(workers)


def _receive(w: _Worker, done: dict[int, list[FileResult]]) -> str | None:
    """Take every result ``w`` has sent; the cause of its death when it died, else ``None``.

    ``recv`` may wait for the rest of a message the worker is still writing;
    if the worker dies half-way, its end of the pipe closes and ``recv``
    raises ``EOFError``: it never waits for a message that cannot come.
    """
    closed = False
    while True:
        try:
            if not w.conn.poll():
                break
            index, results = w.conn.recv()
        except (EOFError, OSError):
            closed = True  # the worker's end is gone: it died, or is dying
            break
        if w.chunks and w.chunks[0] == index:
            w.chunks.popleft()
        done[index] = results
    if not closed and w.process.is_alive():
        return None
    w.process.join(GRACE)
    if w.process.is_alive():  # pragma: no cover - its pipe broke but it lives on
        w.process.kill()
        w.process.join(GRACE)
    with contextlib.suppress(Exception):
        w.conn.close()
    return _exit_cause(w.process)


def _isolated(chunk: Chunk, task: Task, cause: str) -> list[FileResult]:
    """Handle each file of ``chunk`` in a process of its own; a death is that file's error."""
    from multiprocessing.connection import wait

    out: list[FileResult] = []
    for source, data in chunk:
        worker = _Worker.start(task)
        try:
            try:
                worker.conn.send((0, [(source, data)]))
            except (OSError, ValueError):
                out.append(_died(source, cause))
                continue
            worker.chunks.append(0)
            results: dict[int, list[FileResult]] = {}
            dead = None
            while 0 not in results and dead is None:
                wait([worker.conn, worker.process.sentinel])
                dead = _receive(worker, results)
            out.extend(results.get(0) or [_died(source, dead or cause)])
        finally:
            _stop_all([worker])
    return out
