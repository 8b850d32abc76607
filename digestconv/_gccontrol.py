"""Shared state of the collector controls (:func:`digestconv.pipeline._long_lived`).

``depth`` counts the open long-lived blocks: while it is above zero the freeze
is digestconv's own, so code inside may freeze more without asking the
collector (``gc.get_freeze_count()`` walks every frozen object).
"""

from __future__ import annotations

import gc

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
