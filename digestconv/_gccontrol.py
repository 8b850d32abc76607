"""Collector controls: keep long-lived objects out of the garbage collector's passes.

``depth`` counts the open long-lived blocks: while it is above zero the freeze
is digestconv's own, so code inside may freeze more without asking the
collector (``gc.get_freeze_count()`` walks every frozen object).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

#: how many long-lived blocks are open (the freeze is ours while > 0)
depth = 0


def settle() -> None:
    """Move the objects just built out of the young generation, without a collection pass.

    Inside a long-lived block they join the freeze.  Otherwise ``gc.freeze()``
    then ``gc.unfreeze()`` puts every tracked object in the oldest generation
    (still collected) and resets the young count; a process that froze objects
    itself is left as it is.
    """
    if depth:
        gc.freeze()
    elif not gc.get_freeze_count():
        gc.freeze()
        gc.unfreeze()


@contextlib.contextmanager
def long_lived() -> Iterator[None]:
    """Keep the garbage collector from rescanning objects that are known to live on.

    A digest with 50,000 papers is millions of objects that live until its rules
    finish, and its 100,000 diagnostics live until they are reported; every
    collection in between would walk them all again, and each such pass costs
    more per object once they outgrow the CPU caches, so the work would grow
    faster than the input.  The objects alive on entry move to the collector's
    permanent generation; a nested block adds the ones made since; they all
    come back when the outermost block ends.  A process that froze objects
    itself (``gc.freeze()`` before forking) is left as it is.
    """
    global depth
    # ``gc.get_freeze_count()`` walks every frozen object: ask only when the freeze is not ours
    if not gc.isenabled() or (not depth and gc.get_freeze_count()):
        yield
        return
    gc.freeze()
    depth += 1
    try:
        yield
    finally:
        depth -= 1
        if not depth:
            gc.unfreeze()


def keep() -> None:
    """Inside :func:`_long_lived`: the objects made so far live on too (freeze them)."""
    if depth:
        gc.freeze()
