"""arXiv's terms of use, enforced: request spacing, one connection, retries, back-off.

The API's terms allow at most one request every 3 seconds and one connection
at a time, counted over everything a user runs.  :class:`Limiter` enforces it:

1. it takes an OS file lock beside the shared store (one connection), waiting
   for another process's request to end, at most until the run's deadline;
2. holding it, in one ``BEGIN IMMEDIATE`` transaction on the shared store (the
   cache database), it takes a ticket: ``slot = max(now, next_at,
   cooldown_until)`` and stores ``next_at = slot + spacing``;
3. it sleeps until the slot, makes the request, and stores ``next_at = end +
   spacing``: the spacing runs from the *end* of one request to the start of
   the next, whichever processes made them.

The spacing never goes below :data:`MIN_SPACING` (3 s), whatever the caller
passes.  Clock, sleep and random numbers are injectable so tests never wait.

:class:`RetryPolicy` decides whether and how long to wait after a failure:
``Retry-After`` (seconds or an HTTP date) when given and at least the spacing,
else 15 s then 60 s with +/-25 % jitter; at most 3 attempts per batch; a 429
sets a shared 60 s cooldown; everything stops when the time budget is spent.
:class:`CircuitBreaker` opens on the first connection failure (network down)
so later batches fail at once instead of waiting for timeouts.
"""

from __future__ import annotations

import contextlib
import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

#: arXiv's terms of use: at least this many seconds between requests
MIN_SPACING = 3.0
#: a ticket further ahead than this is a clock jump, not a queue: it is reset
_MAX_AHEAD = 900.0


class PaceStore(Protocol):
    """Where the next permitted request time is kept (shared across processes)."""

    def reserve(self, now: float, spacing: float) -> float:
        """Atomically take the next slot at or after ``now`` and push ``next_at`` past it."""
        ...

    def finish(self, end: float, spacing: float) -> None:
        """Record that a request ended at ``end``: ``next_at >= end + spacing``."""
        ...

    def cool_down(self, until: float) -> None:
        """No request before ``until`` (after a 429)."""
        ...


class MemoryPace:
    """A :class:`PaceStore` for one process (when no cache database is available)."""

    def __init__(self) -> None:
        self.next_at = 0.0
        self.cooldown_until = 0.0
        self._lock = threading.Lock()

    def reserve(self, now: float, spacing: float) -> float:
        with self._lock:
            slot = ticket(now, self.next_at, self.cooldown_until)
            self.next_at = slot + spacing
            return slot

    def finish(self, end: float, spacing: float) -> None:
        with self._lock:
            self.next_at = max(self.next_at, end + spacing)

    def cool_down(self, until: float) -> None:
        with self._lock:
            self.cooldown_until = max(self.cooldown_until, until)


def ticket(now: float, next_at: float, cooldown_until: float) -> float:
    """The slot a new request gets (clock jumps backwards are not waited out)."""
    slot = max(now, next_at, cooldown_until)
    if slot - now > _MAX_AHEAD:
        return now
    return slot


class BudgetExceeded(Exception):
    """The next permitted request would start after the deadline."""


#: how often a process waiting for another's connection looks again (seconds)
LOCK_POLL = 0.05


@contextlib.contextmanager
def _file_lock(
    path: Path | None, clock: Callable[[], float], deadline: float | None
) -> Iterator[None]:
    """Hold an exclusive OS lock on ``path`` (no-op without a path or ``fcntl``).

    Waits for another holder at most until ``deadline`` (a ``clock`` time), then
    raises :class:`BudgetExceeded`: a process stuck in a request elsewhere cannot
    hold this run past its budget.
    """
    if path is None:
        yield
        return
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: the ticket alone spaces requests
        yield
        return
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError:
        try:  # a read-only folder: the lock file may still be there to lock
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            yield
            return
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline is not None and clock() >= deadline:
                    raise BudgetExceeded(
                        "another process held the arXiv connection until the time budget ran out"
                    ) from None
                time.sleep(LOCK_POLL)
            except OSError:  # locking unsupported here (some network file systems)
                break
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class Limiter:
    """Spaces requests at least ``spacing`` seconds apart, end to start, across processes."""

    def __init__(
        self,
        store: PaceStore | None = None,
        *,
        spacing: float = MIN_SPACING,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        lock_path: Path | None = None,
    ) -> None:
        self.store: PaceStore = store if store is not None else MemoryPace()
        self.spacing = max(MIN_SPACING, float(spacing))
        self.clock = clock
        self.sleep = sleep
        self.lock_path = lock_path
        self.requests = 0

    @contextlib.contextmanager
    def slot(self, deadline: float | None = None) -> Iterator[float]:
        """Wait for the next permitted slot, then hold the connection; yields the start time.

        The OS lock is taken first and held through the wait and the request, and
        the slot is read from the store only once it is held: a process never
        starts a request while another one's is running, and always at least the
        spacing after the *end* of the last one, wherever it ran.

        ``deadline`` is a :attr:`clock` time: if the slot is later, or another
        process holds the connection until then, :class:`BudgetExceeded` is
        raised without waiting for nothing.
        """
        with _file_lock(self.lock_path, self.clock, deadline):
            now = self.clock()
            start = self.store.reserve(now, self.spacing)
            if deadline is not None and start > deadline:
                raise BudgetExceeded(f"the next request could start only in {start - now:.0f} s")
            wait = start - now
            if wait > 0:
                self.sleep(wait)
            began = self.clock()
            try:
                self.requests += 1
                yield began
            finally:
                self.store.finish(self.clock(), self.spacing)

    def cool_down(self, seconds: float) -> None:
        """Ask every process sharing the store to wait ``seconds`` (after a 429)."""
        self.store.cool_down(self.clock() + seconds)


def retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or HTTP date)."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(int(value))
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - now)


@dataclass(frozen=True)
class RetryPolicy:
    """How failed requests are retried."""

    #: attempts per batch (the first one included)
    attempts: int = 3
    #: waits after the first and second failure without ``Retry-After``
    waits: tuple[float, ...] = (15.0, 60.0)
    #: +/- fraction of random jitter on those waits
    jitter: float = 0.25
    #: shared pause after a 429
    cooldown: float = 60.0
    #: stop after this many throttled batches in a row
    throttled_batches: int = 2
    #: a ``Retry-After`` longer than this is not waited for (the batch fails)
    max_retry_after: float = 300.0

    def wait(self, failure: int, header: float | None, rng: random.Random) -> float:
        """Seconds to wait after failure number ``failure`` (1-based)."""
        if header is not None:
            return max(header, MIN_SPACING)
        base = self.waits[min(failure, len(self.waits)) - 1] if self.waits else MIN_SPACING
        spread = base * self.jitter
        return max(MIN_SPACING, base + rng.uniform(-spread, spread))


class CircuitBreaker:
    """Opens on the first connection failure; an open breaker fails requests at once."""

    def __init__(self) -> None:
        self.reason: str | None = None

    @property
    def open(self) -> bool:
        """Whether requests should be skipped."""
        return self.reason is not None

    def trip(self, reason: str) -> None:
        """Open the breaker (the first reason is kept)."""
        if self.reason is None:
            self.reason = reason
