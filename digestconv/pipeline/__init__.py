"""The per-file pipeline: find the inputs, handle each file on its own, fold the results.

Every command that reads digests (``validate``, ``parse``, ``to``, ``fmt``)
runs the same three steps, one module each:

1. :mod:`~digestconv.pipeline.discover` expands the arguments into
   :class:`Input` items, in argument order (a folder's files in path order).
2. :mod:`~digestconv.pipeline.work` handles one item (:func:`process`): read,
   parse, check, suppress, and return a small, picklable :class:`FileResult`;
   :mod:`~digestconv.pipeline.pool` maps it over the items, in this process or
   in worker processes, and yields the results in input order (:func:`run`).
3. :mod:`~digestconv.pipeline.fold` runs the cross-file rules on each file's
   facts, in input order, and finishes its diagnostics (:class:`Fold`).

Which rules run on a path and how they run is the rule engine's business
(:mod:`digestconv.rules.engine`); this package only orchestrates.

Memory: at most one parsed file per worker is alive, plus the compact
:class:`~digestconv.rules.facts.CorpusIndex` and whatever the command folds.
"""

from __future__ import annotations

from ..rules.engine import FATAL_RULES, IO_RULE, Planner, io_error
from .discover import STDIN, STDIN_NAME, Input, bind, files, iter_inputs, read_bytes
from .fold import Fold, each
from .pool import POOL_ENV, run
from .work import FileResult, Formatting, Task, examine, process

__all__ = [
    "FATAL_RULES",
    "IO_RULE",
    "POOL_ENV",
    "STDIN",
    "STDIN_NAME",
    "FileResult",
    "Fold",
    "Formatting",
    "Input",
    "Planner",
    "Task",
    "bind",
    "each",
    "examine",
    "files",
    "io_error",
    "iter_inputs",
    "process",
    "read_bytes",
    "run",
]
