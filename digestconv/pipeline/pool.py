"""Execution: map the worker over the inputs, here or in a pool of worker processes.

Results come back in input order.  A pool starts only when the input is large
enough to pay for the processes.
"""

from __future__ import annotations

import contextlib
import os
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any, BinaryIO

from ..rules import all_rules
from ..rules.engine import Planner, internal_error
from ..settings import default_jobs
from .discover import Input, read_bytes
from .work import FileResult, Task, process

#: a pool starts only for inputs of at least this many bytes ...
POOL_MIN_BYTES = 1_000_000
#: ... or at least this many files
POOL_MIN_FILES = 64
#: environment variable overriding :data:`POOL_MIN_BYTES` (``0`` forces a pool for >= 2 files)
POOL_ENV = "DIGESTCONV_POOL_MIN_BYTES"
#: a chunk of work sent to a worker holds about this many bytes, or this many files
CHUNK_BYTES = 2_000_000
CHUNK_FILES = 64


_WORKER: tuple[Task, Planner, set[tuple[str, bytes]]] | None = None


def _init_worker(task: Task) -> None:
    import signal

    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the pool on Ctrl-C
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _WORKER = (task, Planner(task.settings), set())


class _SigintDeferred:
    """Hold Ctrl-C back while worker processes are forked.

    An interrupt that lands in Python's at-fork handlers is printed and lost;
    blocked here, it is delivered right after, as a clean ``KeyboardInterrupt``.
    Forked workers inherit the block and ignore SIGINT before lifting it.
    """

    def __enter__(self) -> None:
        import signal

        self.blocked = hasattr(signal, "pthread_sigmask")
        if self.blocked:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})

    def __exit__(self, *exc: object) -> None:
        import signal

        if self.blocked:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _work_chunk(chunk: list[tuple[Input, bytes | None]]) -> list[FileResult]:
    assert _WORKER is not None
    task, planner, sent = _WORKER
    out = []
    for source, data in chunk:
        try:
            out.append(process(source, task, planner, data, sent))
        except Exception as exc:  # pragma: no cover - process() catches what it can
            out.append(FileResult(source.name, diagnostics=(internal_error(source.name, exc),)))
    return out


def pool_threshold() -> int:
    """Bytes of input from which a pool pays (``DIGESTCONV_POOL_MIN_BYTES`` overrides)."""
    value = os.environ.get(POOL_ENV, "").strip()
    if value.isdigit():
        return int(value)
    return POOL_MIN_BYTES


def _chunks(
    items: Sequence[tuple[Input, bytes | None]], jobs: int
) -> Iterator[list[tuple[Input, bytes | None]]]:
    """Consecutive runs of items for the workers: at most :data:`CHUNK_BYTES` or
    :data:`CHUNK_FILES`, and small enough that every worker gets several."""
    total = sum(s.size + len(d or b"") for s, d in items)
    most_bytes = max(1, min(CHUNK_BYTES, total // (jobs * 4)))
    most_files = max(1, min(CHUNK_FILES, len(items) // (jobs * 4)))
    chunk: list[tuple[Input, bytes | None]] = []
    size = 0
    for item in items:
        chunk.append(item)
        size += item[0].size + len(item[1] or b"")
        if size >= most_bytes or len(chunk) >= most_files:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def run(
    inputs: Sequence[Input],
    task: Task,
    *,
    jobs: int | None = None,
    stdin: BinaryIO | None = None,
    planner: Planner | None = None,
) -> Iterator[FileResult]:
    """Map :func:`process` over ``inputs``; results in input order.

    With ``jobs`` > 1 and enough input (:func:`pool_threshold` bytes or
    :data:`POOL_MIN_FILES` files) the files are handled by a pool of worker
    processes; the results are the same as with one job.  Standard input is
    read here, in this process.  On ``KeyboardInterrupt`` the workers are
    stopped before the exception propagates.
    """
    jobs = jobs or task.settings.jobs or default_jobs()
    items: list[tuple[Input, bytes | None]] = []
    for source in inputs:
        data = None
        if source.path is None and source.error is None:
            try:
                data = read_bytes(source, stdin)
            except OSError as exc:
                source = Input(source.name, None, error=str(exc))
        items.append((source, data))
    total = sum(s.size + len(d or b"") for s, d in items)
    readable = sum(s.error is None for s, _ in items)
    if jobs > 1 and readable > 1 and (total >= pool_threshold() or readable >= POOL_MIN_FILES):
        yield from _run_pool(items, task, jobs)
        return
    planner = planner or Planner(task.settings)
    for source, data in items:
        yield process(source, task, planner, data)


Chunk = list[tuple[Input, bytes | None]]
#: pools started again after a worker process died, before the rest is given up
MAX_RESTARTS = 8


class _PoolBroken(Exception):
    """A worker process died; ``done`` chunks had come back before it."""

    def __init__(self, done: int, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.done = done
        self.cause = cause


def _run_pool(
    items: Sequence[tuple[Input, bytes | None]], task: Task, jobs: int
) -> Iterator[FileResult]:
    """The results of ``items`` from a pool of ``jobs`` workers, in input order.

    A worker process that dies (killed for memory, a crash in an extension)
    breaks the pool.  The chunk it broke on is then handled file by file, each
    in a process of its own, so only the file that kills its process is
    reported (as ``internal-error``); a new pool takes the rest.
    """
    all_rules()  # loaded once here, inherited by forked workers
    chunks = list(_chunks(items, jobs))
    start = 0
    restarts = 0
    while start < len(chunks):
        try:
            for results in _pool_chunks(chunks[start:], task, jobs):
                start += 1
                yield from results
        except _PoolBroken as broken:
            # ``start`` counts the chunks already yielded: chunks[start] is the one that broke
            restarts += 1
            if restarts > MAX_RESTARTS:
                for chunk in chunks[start:]:
                    for source, _ in chunk:
                        yield _died(source, broken.cause)
                return
            for source, data in chunks[start]:
                yield _isolated(source, data, task, broken.cause)
            start += 1


def _context() -> Any:
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def _died(source: Input, cause: BaseException) -> FileResult:
    return FileResult(source.name, diagnostics=(internal_error(source.name, cause, "a worker"),))


def _isolated(source: Input, data: bytes | None, task: Task, cause: BaseException) -> FileResult:
    """Handle one file in a process of its own; its death is this file's internal error."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    executor = ProcessPoolExecutor(1, _context(), _init_worker, (task,))
    finished = False
    try:
        with _SigintDeferred():
            future = executor.submit(_work_chunk, [(source, data)])
        try:
            [result] = future.result()
        except BrokenProcessPool as exc:
            result = _died(source, exc)
        finished = True
        return result
    finally:
        if finished:
            executor.shutdown(wait=True)
        else:
            _stop(executor)


def _pool_chunks(chunks: Sequence[Chunk], task: Task, jobs: int) -> Iterator[list[FileResult]]:
    """Each chunk's results from one pool, in order; :class:`_PoolBroken` if a worker dies."""
    from concurrent.futures import Future, ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    workers = min(jobs, len(chunks)) or 1
    executor = ProcessPoolExecutor(workers, _context(), _init_worker, (task,))
    pending: deque[Future[list[FileResult]]] = deque()
    window = workers * 3  # chunks in flight: bounds the results waiting in memory
    submitted = done = 0
    finished = False
    defer = _SigintDeferred()
    try:
        with defer:  # submitting forks the workers
            while submitted < len(chunks) and len(pending) < window:
                pending.append(executor.submit(_work_chunk, chunks[submitted]))
                submitted += 1
        while pending:
            try:
                results = pending.popleft().result()
            except BrokenProcessPool as exc:
                raise _PoolBroken(done, exc) from None
            if submitted < len(chunks):
                with defer:
                    pending.append(executor.submit(_work_chunk, chunks[submitted]))
                submitted += 1
            done += 1
            yield results
        finished = True
    finally:
        if finished:
            executor.shutdown(wait=True)
        else:
            _stop(executor)


def _stop(executor: Any) -> None:
    """Stop a pool at once (Ctrl-C, an error or an abandoned iteration)."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    for proc in processes:
        with contextlib.suppress(Exception):  # already gone
            proc.terminate()
    manager = getattr(executor, "_executor_manager_thread", None)
    # what is still queued for the terminated workers is dropped: the queue's feeder thread,
    # which may be blocked on a pipe no process reads, must not be joined at exit
    with contextlib.suppress(Exception):
        executor._call_queue.cancel_join_thread()
    executor.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        with contextlib.suppress(Exception):
            proc.join(timeout=5)
    if manager is not None:
        # let the pool's manager thread finish closing its pipes before the interpreter exits
        manager.join(timeout=10)
