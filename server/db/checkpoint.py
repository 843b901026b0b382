"""SQLite checkpoints off the commit path.

In WAL mode SQLite copies the log back into the database file (a checkpoint, with an fsync)
inside whichever commit pushes the log past 1,000 pages. Under load that was one commit in a
hundred, taking 5-9 ms instead of 45 us, and every turn queued behind it waited too. The turn
process turns that off for its own connection and checkpoints from a thread instead: a PASSIVE
checkpoint waits for no reader or writer, and the sqlite3 module releases the interpreter lock
while it runs.
"""

from __future__ import annotations

import logging
import threading
from typing import Final

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from server.db.database import is_sqlite

log = logging.getLogger("rehearse")
INTERVAL_SECONDS: Final = 0.5


def no_checkpoint_on_commit(connection: Connection) -> None:
    """Leave checkpoints to the background thread (SQLite only)."""
    if is_sqlite(connection.engine):
        connection.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
        connection.commit()


class BackgroundCheckpoint:
    """Runs a PASSIVE checkpoint every INTERVAL_SECONDS while started (SQLite only)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rehearse-checkpoint", daemon=True)

    def start(self) -> None:
        if is_sqlite(self.engine):
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(INTERVAL_SECONDS):
            try:
                with self.engine.connect() as connection:
                    connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
            except SQLAlchemyError:
                log.warning("checkpoint failed; the next one will catch up", exc_info=True)
