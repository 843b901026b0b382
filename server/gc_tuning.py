"""The cyclic garbage collector, for a long-running server with many live objects.

With a thousand connections and conversations alive, a full collection also walked everything
start-up made (modules, the scenario library, the rubric, SQLAlchemy's tables), which never
dies; it held a process still for tens of milliseconds and showed as the tail of the turn
latency. Frozen, those objects are skipped. (Collecting the young generation less often was
tried as well: at 400 sessions it changed the p99 by nothing measurable, and each young
collection then took up to 40 ms, so the young thresholds stay.)

Full collections then still walked every live connection (45-90 ms at 1,000 of them), two or
three times in 20 s under load, and found almost nothing: a closed connection is freed by
reference counting (server.websocket_protocol), and what full collections found was ~1,000
objects in 20 s. So they run at most once per 40 generation-1 collections instead of 10 (the
interpreter also waits until the old generation has grown by a quarter): at 1,000 sessions
none ran in a 20 s run, the client p99 went from 38-53 to 29-35 ms, and the web process ended
at 163 MB either way.
"""

from __future__ import annotations

import gc
from typing import Final

# Generation-1 collections between two full collections (the interpreter's default is 10).
FULL_COLLECTION_EVERY: Final = 40


def quiet_garbage_collector() -> None:
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)
