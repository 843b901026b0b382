"""The cyclic garbage collector, for a long-running server with many live objects.

What the collector cost, timed with `gc.callbacks` at 1,000 sessions (~910 turns/s):
- Full collections walked start-up's objects and every live connection: 45-90 ms each. Start-up's
  objects are frozen (`gc.freeze()`) since the second session; full collections were then made
  rarer (at most once per 40 generation-1 collections).
- Generation-1 collections still took 5-14 ms of CPU several times a second. Each one walks what
  survived the last ten young collections: mostly the state of connections opened meanwhile
  (~150 new websockets and as many POSTs a second), 4,000-28,000 objects, all still alive. It
  held a process still while turns waited; in a timeline of the run, the slow turns sat around
  those collections.

So what survives a young collection is frozen too: generation 1 and 2 stay empty, and only the
young generation (a few hundred to a few thousand objects) is ever walked under load. Under load,
what survives is connection and conversation state, which reference counting frees when its
connection closes (server.websocket_protocol sees to the websocket's own cycle). What it does not
free - a cycle that was still alive at a young collection and died later - waits in the frozen
set until `reclaim()`, which unfreezes everything, runs a full collection and freezes what is
left. A thread of the policy's runs it every RECLAIM_SECONDS, or sooner if the frozen set grows
by GROWTH_OBJECTS; the web process counts what reclaims found at /metrics.

Measured after 25 s of full load: 32 such objects in the turn process and none in the web
process (538 before server.http_protocol freed the HTTP side of upgraded connections; a 404
raised as an exception leaves ~7); a reclaim took 18-56 ms at 1,000 sessions. With the load
client's own collector off, the exact server-side turn p99 went from 9.3/7.1 ms to 6.4/5.8 in
the same hour (docs/performance.md). Written for CPython's generational collector (3.11-3.13).
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable
from typing import Any, Final

# Young collections every 200 net container allocations instead of 700. Deallocations count
# against allocations, so while frozen connection state was being freed the young generation
# grew to 5,000-8,000 objects before a collection, and those took 1.2-2.3 ms of CPU (p99 4.5-5.8
# ms of wall time). At 200: p99 0.6-0.7 ms, less collector time in all (208-216 ms against
# 234-244 in 25 s), since each survivor is walked once either way; server-side p99 5.2-6.0 ms
# against 5.5-7.0 in the same hour.
YOUNG_THRESHOLD: Final = 200
# A reclaim holds its process for a full collection (~0.1 s at 1,000 sessions), so it is rare;
# what waits for it meanwhile is a few thousand objects.
RECLAIM_SECONDS: Final = 300.0
# Sooner if the frozen set has grown this much since the last reclaim (~100 MB): a request path
# that leaves cycles (a 404 raised as an exception leaves ~7 objects) must not grow memory
# unseen for minutes. Counting the frozen set walks it (~1 ms), so it is checked now and then.
GROWTH_OBJECTS: Final = 1_000_000
CHECK_SECONDS: Final = 30.0


# What a reclaim found and how long it held the process (seconds), for whoever counts them.
Reported = Callable[[int, float], None]


class SurvivorsFrozen:
    """Freeze what survives each young collection; reclaim frozen cycles from a thread of its
    own, every `period` seconds or once the frozen set has grown by `growth` objects."""

    def __init__(
        self,
        period: float = RECLAIM_SECONDS,
        growth: int = GROWTH_OBJECTS,
        check_every: float = CHECK_SECONDS,
    ) -> None:
        self.period, self.growth, self.check_every = period, growth, check_every
        self.installed = 0
        self._reclaiming = False
        self._thresholds = gc.get_threshold()
        self.last_reclaim = self._last_check = time.monotonic()
        self._frozen_after = 0  # the frozen set's size after the last reclaim
        self.reclaims = 0
        self.reclaimed = 0  # unreachable objects the reclaims found, in all
        self._stop = threading.Event()
        self._on_reclaim: Reported | None = None

    def install(self, on_reclaim: Reported | None = None) -> None:
        """Collect and freeze what start-up made, then freeze the survivors of every young
        collection, and start reclaiming when due. Installs nest: each install wants one
        uninstall."""
        gc.collect()
        gc.freeze()
        if self.installed == 0:
            gc.callbacks.append(self._after_collection)
            self._thresholds = gc.get_threshold()
            gc.set_threshold(YOUNG_THRESHOLD, *self._thresholds[1:])
            # A thread, so that a process idle or busy reclaims alike, and no turn pays for
            # asking whether it is time.
            self._stop = threading.Event()
            threading.Thread(
                target=self._reclaim_when_due, args=(self._stop,), name="rehearse-gc", daemon=True
            ).start()
        self._on_reclaim = on_reclaim or self._on_reclaim
        self.installed += 1
        self.last_reclaim = self._last_check = time.monotonic()
        self._frozen_after = gc.get_freeze_count()

    def uninstall(self) -> None:
        """Back to the interpreter's own collector once the last install is undone."""
        self.installed = max(0, self.installed - 1)
        if self.installed == 0 and self._after_collection in gc.callbacks:
            self._stop.set()
            self._on_reclaim = None
            gc.callbacks.remove(self._after_collection)
            gc.set_threshold(*self._thresholds)
            gc.unfreeze()

    def reclaim(self) -> int:
        """A full collection of everything, frozen objects included; what is left is frozen
        again. Returns the number of unreachable objects found."""
        started = time.perf_counter()
        self._reclaiming = True
        try:
            gc.unfreeze()
            found = gc.collect()
            gc.freeze()
        finally:
            self._reclaiming = False
        self.last_reclaim = self._last_check = time.monotonic()
        self._frozen_after = gc.get_freeze_count()
        self.reclaims += 1
        self.reclaimed += found
        if self._on_reclaim is not None:
            self._on_reclaim(found, time.perf_counter() - started)
        return found

    def reclaim_if_due(self) -> int | None:
        """`reclaim()` when `period` seconds have passed since the last one, or the frozen set
        has grown by more than `growth` objects (counted at most every `check_every` seconds);
        else None."""
        if not self.installed:
            return None
        now = time.monotonic()
        if now - self.last_reclaim >= self.period:
            return self.reclaim()
        if now - self._last_check < self.check_every:
            return None
        self._last_check = now
        if gc.get_freeze_count() - self._frozen_after > self.growth:
            return self.reclaim()
        return None

    def _reclaim_when_due(self, stop: threading.Event) -> None:
        while not stop.wait(self.check_every):
            self.reclaim_if_due()

    def _after_collection(self, phase: str, _info: dict[str, Any]) -> None:
        # Freezing only moves list heads: it costs nothing however many objects survived.
        if phase == "stop" and not self._reclaiming:
            gc.freeze()


COLLECTOR: Final = SurvivorsFrozen()
