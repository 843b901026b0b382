"""The database engine: SQLite (WAL, durable commits) by default, PostgreSQL for scale-out."""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from server.json_text import json_text  # compact UTF-8: smaller rows, cheaper writes
from server.settings import database_url


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


BUSY_TIMEOUT_MS: Final = 10_000  # how long a SQLite connection waits for a lock before it fails


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while a turn commits; synchronous=NORMAL in WAL mode still never
    # loses a committed transaction to an application crash (only an OS crash or power loss
    # may roll back the last commits), which is the guarantee a killed server needs.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


# PostgreSQL for the turn process: no sequential scans where an index would do. Every statement
# it runs finds rows by key, and each is prepared (psycopg does that from its fifth run), after
# which PostgreSQL may keep one generic plan. On a new database the plan kept while
# `practice_sessions` held a few rows scanned the table, and went on scanning it as it grew until
# autovacuum's first analysis, a minute or more later: in a 25 s bench run from an empty
# database, 9,633 scans reading 19.8 million rows. Set at connect, so every connection the
# engine ever makes has it (a reconnect too).
_KEYS_ONLY: Final = "-c enable_seqscan=off"


def make_engine(raw_url: str, keys_only: bool = False) -> Engine:
    """An engine for `raw_url` (a SQLite file path URL or a PostgreSQL URL). `keys_only`: on
    PostgreSQL, plan no sequential scans (the turn process's engine)."""
    url = make_url(database_url(raw_url))
    if url.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 10},
            pool_size=8,
            json_serializer=json_text,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url,
        pool_size=10,
        max_overflow=20,
        pool_pre_ping=True,
        json_serializer=json_text,
        connect_args={"options": _KEYS_ONLY} if keys_only else {},
    )


def ping(engine: Engine) -> None:
    """Raise if the database does not answer."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
