"""SQLite checkpoints off the commit path, and a log that starts again.

In WAL mode SQLite copies the log back into the database file (a checkpoint, with an fsync)
inside whichever commit pushes the log past 1,000 pages. Under load that was one commit in a
hundred, taking 5-9 ms instead of 45 us, and every turn queued behind it waited too. The turn
process turns that off for its own connection and checkpoints from a thread instead: a PASSIVE
checkpoint waits for no reader or writer, and the sqlite3 module releases the interpreter lock
while it runs.

A checkpoint only copies the log; the writer starts the log again from its beginning, and only
when it begins a transaction with every frame of the log copied. Under steady load the writer
always had frames the thread had not copied yet, so the log never started again: it grew by
~33 MB a second at 900 turns a second (500 MB in a 15 s bench run), and each checkpoint took
longer than the last. So once the log is RESTART_FRAMES long, the thread copies what was written
during its pass until little is left, and the writer, when no request is waiting, copies that
rest on its own connection between two transactions (`restart_log_in`, ~2-4 ms): its next
transaction writes the log from the start again. If the writer is never idle, it does so anyway
once the log is OVERDUE_FRAMES long.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Final

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from server.db.database import is_sqlite

log = logging.getLogger("rehearse")
# Short passes keep the log short: the writer's final pass copies what one pass left behind.
INTERVAL_SECONDS: Final = 0.1
# Frames (pages) in the log before the writer starts it again: 32 MB, a second of the bench's
# load. The writer's pass costs ~2-4 ms however few frames it copies (two fsyncs), and the
# requests that arrive meanwhile wait, so it should not come often.
RESTART_FRAMES: Final = 8_000
OVERDUE_FRAMES: Final = 4 * RESTART_FRAMES
CATCH_UP_PASSES: Final = 3  # at most, after the pass that found the log long
FEW_FRAMES: Final = 50  # a pass that copied no more than this leaves the writer little to do


def no_checkpoint_on_commit(connection: Connection) -> None:
    """Leave checkpoints to the background thread (SQLite only)."""
    if is_sqlite(connection.engine):
        connection.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
        connection.commit()


class BackgroundCheckpoint:
    """Runs a PASSIVE checkpoint every `interval` seconds while started (SQLite only), and
    tells the writer when to start the log again (`restart_wanted`, `restart_log_in`)."""

    def __init__(
        self,
        engine: Engine,
        interval: float = INTERVAL_SECONDS,
        restart_frames: int = RESTART_FRAMES,
        overdue_frames: int = OVERDUE_FRAMES,
    ) -> None:
        self.engine = engine
        self.interval = interval
        self.restart_frames = restart_frames
        self.overdue_frames = overdue_frames
        self.restarts = 0  # times the writer's checkpoint let the log start again
        self._due = threading.Event()
        self._overdue = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rehearse-checkpoint", daemon=True)

    def start(self) -> None:
        if is_sqlite(self.engine):
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def restart_wanted(self, requests_waiting: Callable[[], bool]) -> bool:
        """Whether the writer should call restart_log_in now: once the log is long, when no
        request is waiting for it; once it is very long, even if some are. (`requests_waiting`
        is asked only then: it costs a system call.)"""
        return self._due.is_set() and (self._overdue.is_set() or not requests_waiting())

    def restart_log_in(self, connection: Connection) -> None:
        """On the writer's connection, outside any transaction: copy the rest of the log, so
        that the next transaction starts it again."""
        if connection.in_transaction():
            return
        try:
            frames, _ = _checkpoint(connection)
            if frames is not None:  # None: the thread's pass is running; try again later
                self._due.clear()
                self._overdue.clear()
                self.restarts += 1
        except SQLAlchemyError:
            log.warning("checkpoint failed; the writer will try again", exc_info=True)
        finally:
            connection.rollback()  # end the transaction SQLAlchemy began for the pragma

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                with self.engine.connect() as connection:
                    frames, copied = _checkpoint(connection)
                    if frames is not None and frames >= self.restart_frames:
                        self._catch_up(connection, copied)
                        if frames >= self.overdue_frames:
                            self._overdue.set()
            except SQLAlchemyError:
                log.warning("checkpoint failed; the next one will catch up", exc_info=True)

    def _catch_up(self, connection: Connection, copied: int) -> None:
        """Copy what was written during the last pass, again, until a pass copies few frames;
        then the writer's own pass is short."""
        for _ in range(CATCH_UP_PASSES):
            frames, now_copied = _checkpoint(connection)
            if frames is None:
                return
            if now_copied - copied <= FEW_FRAMES:
                break
            copied = now_copied
        self._due.set()


def _checkpoint(connection: Connection) -> tuple[int | None, int]:
    """A PASSIVE checkpoint: the frames in the log (None if another checkpoint was running)
    and how many of them are in the database now."""
    busy, frames, copied = connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").one()
    return (None if busy else int(frames)), int(copied)
