"""The cyclic garbage collector, tuned for a long-running server with many live objects.

With a thousand connections and conversations alive, a full collection walks all of them and
held a process still for tens of milliseconds, which showed as the tail of the turn latency.
Objects made during start-up (modules, the scenario library, the rubric) never die: frozen,
the collector skips them; and collecting less often makes the young generations do the work.
"""

from __future__ import annotations

import gc
from typing import Final

YOUNGEST_THRESHOLD: Final = 50_000  # allocations between young collections (default 700)


def quiet_garbage_collector() -> None:
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNGEST_THRESHOLD, middle, oldest)
