"""The database engine: SQLite (WAL, durable commits) by default, PostgreSQL for scale-out."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from server.json_text import json_text  # compact UTF-8: smaller rows, cheaper writes
from server.settings import database_url


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while a turn commits; synchronous=NORMAL in WAL mode still never
    # loses a committed transaction to an application crash (only an OS crash or power loss
    # may roll back the last commits), which is the guarantee a killed server needs.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(raw_url: str) -> Engine:
    """An engine for `raw_url` (a SQLite file path URL or a PostgreSQL URL)."""
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
        url, pool_size=10, max_overflow=20, pool_pre_ping=True, json_serializer=json_text
    )


def by_key_only(connection: Connection) -> None:
    """PostgreSQL: no sequential scans on this connection where an index would do. For the
    turn process's connection, whose statements all find rows by key. Its statements are
    prepared (psycopg does that from their fifth run), and PostgreSQL keeps the generic plan it
    chose then: on a new database, when `practice_sessions` held a few rows, that plan scanned
    the table, and it kept scanning the table as it grew until autovacuum's next analysis (a
    minute or more). In a 25 s bench run from an empty database: 9,633 scans reading 19.8
    million rows."""
    if connection.engine.dialect.name == "postgresql":
        connection.exec_driver_sql("SET enable_seqscan = off")
        connection.commit()


def ping(engine: Engine) -> None:
    """Raise if the database does not answer."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
