"""Progress of an arXiv lookup: a bar on a terminal, a line now and then elsewhere.

``enrich``, ``to --enrich`` and ``validate --enrich`` hand :func:`progress_bar`'s
callback to the lookup, which calls it with ``(0, total)`` when it starts, as
arXiv answers, and with ``(total, total)`` when it is over.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any

from .common import _watched

#: without a terminal, a lookup that takes longer says so on standard error this often
#: (``DIGESTCONV_PROGRESS_SECONDS`` changes it)
HEARTBEAT_SECONDS = 10.0


def heartbeat_seconds() -> float:
    """Seconds between progress lines: ``DIGESTCONV_PROGRESS_SECONDS``, else 10."""
    value = os.environ.get("DIGESTCONV_PROGRESS_SECONDS", "").strip()
    try:
        seconds = float(value)
    except ValueError:
        return HEARTBEAT_SECONDS
    return seconds if 0 < seconds < 86400 else HEARTBEAT_SECONDS


class Heartbeat:
    """``progress(done, total)`` without a terminal: a line on standard error at most every
    :data:`HEARTBEAT_SECONDS` while an arXiv lookup runs, so a CI log shows a long wait.

    Nothing is printed for a lookup that ends sooner (the cache answered).
    """

    def __init__(self, interval: float | None = None) -> None:
        import threading
        import time

        self.interval = heartbeat_seconds() if interval is None else interval
        self.clock = time.monotonic
        self.done = self.total = 0
        self.started = 0.0
        self.lines = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __call__(self, done: int, total: int) -> None:
        import threading

        with self._lock:
            self.done, self.total = done, total
        if done < total and self._thread is None:
            self.started = self.clock()
            self._stop.clear()
            self._thread = threading.Thread(target=self._beat, daemon=True)
            self._thread.start()
        elif done >= total and self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
            if self.lines:
                self._say(f"arXiv metadata lookup over after {self._elapsed()}")

    def _elapsed(self) -> str:
        return f"{self.clock() - self.started:.0f} s"

    def _say(self, text: str) -> None:
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(f"digestconv: {text}\n")
            sys.stderr.flush()

    def _beat(self) -> None:
        while not self._stop.wait(self.interval):
            with self._lock:
                done, total = self.done, self.total
            self.lines += 1
            self._say(
                f"looking up arXiv metadata: {done} of {total} papers after {self._elapsed()}, "
                "still waiting for arXiv"
            )


def progress_bar(quiet: bool, bar: bool = True) -> Any:
    """A ``progress(done, total)`` callback: a bar on a terminal (unless ``bar`` is false),
    a :class:`Heartbeat` elsewhere; ``None`` when ``quiet``."""
    if quiet:
        return None
    if not _watched():
        return Heartbeat()
    if not bar:
        return None
    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if "bar" not in state:
            from rich.console import Console
            from rich.progress import Progress

            bar = Progress(console=Console(stderr=True), transient=True)
            bar.start()
            state["bar"] = bar
            state["task"] = bar.add_task("arXiv metadata", total=total)
        bar = state["bar"]
        bar.update(state["task"], completed=done, total=total)
        if done >= total:
            bar.stop()

    return update
