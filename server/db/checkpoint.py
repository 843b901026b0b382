"""SQLite checkpoints off the commit path, and a log that starts again.

In WAL mode SQLite copies the log back into the database file (a checkpoint, with an fsync)
inside whichever commit pushes the log past 1,000 pages. Under load that was one commit in a
hundred, taking 5-9 ms instead of 45 us, and every turn queued behind it waited too. The turn
process turns that off for its own connection and checkpoints from a thread instead: a PASSIVE
checkpoint waits for no reader or writer, and the sqlite3 module releases the interpreter lock
while it runs.

A checkpoint only copies the log. The log starts again from its beginning when a writer begins
a transaction with every frame copied and no other connection reading the log. Under steady
load the turn process, the writer, always had frames the thread had not copied yet, so the log
never started again: it grew by ~33 MB a second at 900 turns a second (1.8 GB in a 60 s bench
run), and each pass took longer than the last. So once the log is RESTART_FRAMES long, the
thread copies what was written during its pass (up to CATCH_UP_PASSES times, until a pass
copies few frames) and marks a restart due; the writer, when no request is waiting, copies the
rest on its own connection between two transactions (`restart_log_in`, ~2-4 ms when frames are
left: two fsyncs), and its next transaction starts the log again. A web request reading the log
at that moment, or another turn process writing (two workers on one file), can keep it from
starting again; the thread then marks it due again on a later pass. Once the log is
OVERDUE_FRAMES long the writer does not wait for an idle moment, and its checkpoint is a
RESTART one, which waits up to OVERDUE_WAIT_MS for the other readers and writers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Final

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from server.db.database import BUSY_TIMEOUT_MS, is_sqlite

log = logging.getLogger("rehearse")
# Frequent passes are short ones, and leave the writer's final pass little to copy.
INTERVAL_SECONDS: Final = 0.1
# Frames (pages) in the log before the writer starts it again: 32 MB, a second of the bench's
# load. The writer's pass costs ~2-4 ms however few frames it copies, and the requests that
# arrive meanwhile wait, so it should not come often.
RESTART_FRAMES: Final = 8_000
OVERDUE_FRAMES: Final = 4 * RESTART_FRAMES
# What the log file is cut back to when the writer starts it again, after an overdue stretch.
LOG_FILE_LIMIT_BYTES: Final = 64 * 1024 * 1024
OVERDUE_WAIT_MS: Final = 200  # the longest an overdue RESTART checkpoint waits for the others
CATCH_UP_PASSES: Final = 3  # at most, after the pass that found the log long
FEW_FRAMES: Final = 50  # a pass that copied no more than this leaves the writer little to do


def set_up_writer(connection: Connection) -> None:
    """SQLite only: the writer's connection leaves checkpoints to the background thread, and
    cuts the log file back to LOG_FILE_LIMIT_BYTES when it starts the log again."""
    if is_sqlite(connection.engine):
        connection.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
        connection.exec_driver_sql(f"PRAGMA journal_size_limit={LOG_FILE_LIMIT_BYTES}")
        connection.commit()


class BackgroundCheckpoint:
    """Runs a PASSIVE checkpoint every `interval` seconds while started (a SQLite engine), and
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
        self._due = threading.Event()
        self._overdue = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rehearse-checkpoint", daemon=True)

    def start(self) -> None:
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
        that the next transaction starts it again. Once overdue, a RESTART checkpoint: it waits
        (at most OVERDUE_WAIT_MS) for the connections still reading the log, which a PASSIVE
        one cannot copy past, and for another writer (a second turn process on the file)."""
        if connection.in_transaction():
            return
        overdue = self._overdue.is_set()
        try:
            if overdue:
                connection.exec_driver_sql(f"PRAGMA busy_timeout={OVERDUE_WAIT_MS}")
            frames: int | None = _checkpoint(connection, "RESTART" if overdue else "PASSIVE")[0]
        except SQLAlchemyError:
            log.warning("the writer's checkpoint failed; it will try again", exc_info=True)
            frames = 0
        finally:
            if overdue:
                connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            connection.rollback()  # end the transaction SQLAlchemy began for the pragmas
        # Done, even if a reader kept it from copying everything, it failed, or an overdue one
        # waited in vain (not again after every batch): if the log does not start again, a
        # later pass of the thread marks it due again. A PASSIVE one that found the thread's
        # pass running (None) is tried again after the next batch.
        if frames is not None or overdue:
            self._due.clear()
            self._overdue.clear()

    def run_pass(self) -> None:
        """One pass of the thread: copy the log; if it is long and the writer added to it
        meanwhile, catch up and mark a restart due."""
        with self.engine.connect() as connection:
            frames, copied = _checkpoint(connection)
            if frames is None or frames < self.restart_frames:
                return
            for _ in range(CATCH_UP_PASSES):
                later, now_copied = _checkpoint(connection)
                if later is None:
                    return
                if later <= frames:
                    return  # nothing written meanwhile (or it started again): no restart due
                if now_copied - copied <= FEW_FRAMES:
                    break
                frames, copied = later, now_copied
            self.mark_due(overdue=frames >= self.overdue_frames)

    def mark_due(self, overdue: bool = False) -> None:
        """Ask the writer to start the log again: when idle, or (`overdue`) at once."""
        if overdue:
            self._overdue.set()
        self._due.set()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.run_pass()
            except SQLAlchemyError:
                log.warning("checkpoint failed; the next one will catch up", exc_info=True)


def _checkpoint(connection: Connection, mode: str = "PASSIVE") -> tuple[int | None, int]:
    """A checkpoint: the frames in the log (None if it could not run or, RESTART, not finish)
    and how many of them are in the database now."""
    busy, frames, copied = connection.exec_driver_sql(f"PRAGMA wal_checkpoint({mode})").one()
    return (None if busy else int(frames)), int(copied)
