"""One writer thread with group commit: the turns of many sessions, one transaction per batch.

Every write of the practice websocket goes through here. Jobs queued while a batch commits are
run together in the next transaction, so a busy server commits once for many turns instead of
once per turn, and writers never contend for SQLite's lock. A job's answer is handed back only
after its batch has committed: no answer leaves before its turn is durable.

A job does its checks and reads first and writes last, so a job that raises has written
nothing; if the database itself fails, the whole batch rolls back and every job in it fails
(clients retry their replies by `id`, which is safe).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any, Final, TypeVar

from sqlalchemy import Connection, Engine

log = logging.getLogger("rehearse")
T = TypeVar("T")
MAX_BATCH: Final = 128
_STOP: Final = object()

Job = tuple[Callable[[Connection], Any], asyncio.AbstractEventLoop, "asyncio.Future[Any]"]


class Writer:
    """Runs write jobs on one thread, batching concurrent ones into one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="rehearse-writer", daemon=True)
        self._thread.start()

    async def submit(self, job: Callable[[Connection], T]) -> T:
        """Run `job(connection)` in the next batch; return its result once committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put((job, loop, future))
        return await future

    def close(self) -> None:
        self._queue.put(_STOP)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            batch: list[Job] = [first]
            while len(batch) < MAX_BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    self._queue.put(_STOP)
                    break
                batch.append(more)
            self._commit(batch)

    def _commit(self, batch: list[Job]) -> None:
        outcomes: list[tuple[bool, Any]] = []
        try:
            with self.engine.begin() as connection:
                for job, _, _ in batch:
                    try:
                        outcomes.append((True, job(connection)))
                    except Exception as exc:
                        outcomes.append((False, exc))
        except Exception as exc:  # the commit itself failed: nothing in the batch stands
            log.exception("a batch of %d writes failed", len(batch))
            outcomes = [(False, exc)] * len(batch)
        for (_, loop, future), (ok, value) in zip(batch, outcomes, strict=True):
            loop.call_soon_threadsafe(_settle, future, ok, value)


def _settle(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if future.cancelled():
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)
