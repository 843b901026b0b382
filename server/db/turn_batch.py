"""A batch of turns written to PostgreSQL in one statement.

Through psycopg, a batch's conditional updates and its rows cost the turn process about 0.5 ms
of Python per turn (profile: psycopg's pipeline generators and the dumping of each parameter),
more than scoring the reply. Here the batch travels as two JSON texts, encoded in C: one
statement reads them back as records (json_to_recordset), updates every session its connection
still holds, inserts the rows of just those turns and returns their ids. Its text does not
change with the batch's size, so PostgreSQL keeps it prepared.

Run alone - a batch of replies in autocommit mode, the turn process's hot path - it goes
through libpq itself (psycopg.pq, psycopg's documented low-level layer), prepared once per
connection: psycopg's cursor - its generators, its result loaders - cost the turn process ~100
us of Python more per batch, for a statement whose parameters and answers are text. Inside a
transaction it goes through psycopg's cursor, which starts the transaction (BEGIN) if no
statement has yet; psycopg's rollback deallocates every prepared statement once psycopg has
prepared any of its own, so a name this module prepared may be gone, which it notices and
prepares again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final, NamedTuple

import psycopg
from psycopg import pq
from sqlalchemy import JSON, Column, Connection, Dialect, Table

from server.json_text import json_text_with_times


@contextmanager
def each_statement_commits(connection: Connection) -> Iterator[None]:
    """The driver in autocommit mode: each statement of a batch commits by itself, without the
    round trips of BEGIN and COMMIT (SQLAlchemy's begin and commit then send nothing)."""
    driver = connection.connection.dbapi_connection
    assert driver is not None
    driver.autocommit = True
    try:
        yield
    finally:
        try:
            driver.autocommit = False
        except connection.dialect.loaded_dbapi.Error:
            # Not idle (interrupted mid-statement) or broken: it must not go back to the pool
            # committing every statement on its own.
            connection.invalidate()


class Written(NamedTuple):
    held: bool  # written: its connection still held the session
    exists: bool  # the session is there (not written: another connection claimed it)


class TurnBatch:
    """UPDATE the sessions held by their connections, INSERT those turns' rows, in one go."""

    def __init__(
        self,
        sessions: Table,
        turns: Table,
        state_columns: Sequence[str],
        dialect: Dialect,
        encoded: Collection[str] = (),
    ) -> None:
        """`encoded`: the turn rows' JSON columns whose values are JSON text already."""
        quote = dialect.identifier_preparer.quote

        def record_type(name: str, column: Column[Any]) -> str:
            kind = "text" if column.name in encoded else column.type.compile(dialect=dialect)
            return f"{quote(name)} {kind}"

        state = [("sid", sessions.c.id), ("token", sessions.c.connection)]
        state += [(name, sessions.c[name]) for name in state_columns]
        states = ", ".join(record_type(name, column) for name, column in state)
        rows = ", ".join(record_type(column.name, column) for column in turns.columns)
        names = ", ".join(quote(column.name) for column in turns.columns)
        values = ", ".join(
            f"{quote(c.name)}::json" if c.name in encoded else quote(c.name) for c in turns.columns
        )
        sets = ", ".join(
            # JSON columns keep JSON null, as every other write stores a Python None there.
            f"{quote(name)} = COALESCE(batch.{quote(name)}, 'null'::json)"
            if isinstance(sessions.c[name].type, JSON)
            else f"{quote(name)} = batch.{quote(name)}"
            for name in state_columns
        )
        self.sql = (
            f"WITH batch AS (SELECT * FROM json_to_recordset(%s::json) AS b({states})), "
            f"held AS (UPDATE {quote(sessions.name)} AS s SET {sets} FROM batch "
            # ANY(ARRAY(...)) finds the sessions by their key; joined to json_to_recordset alone
            # (estimated at 100 rows), the planner scanned the whole table.
            f"WHERE s.id = ANY(ARRAY(SELECT sid FROM batch)) "
            f"AND s.id = batch.sid AND s.connection = batch.token RETURNING s.id), "
            f"written AS (INSERT INTO {quote(turns.name)} ({names}) "
            f"SELECT {values} FROM json_to_recordset(%s::json) AS r({rows}) "
            f"WHERE r.session_id IN (SELECT id FROM held)) "
            # Every session of the batch: written, and if not, whether it still exists - so
            # that nothing else need be asked after this statement has committed. A scalar
            # subquery, looked up by key for each session: the planner turned EXISTS into a
            # hash of the whole sessions table, built again for every batch.
            f"SELECT batch.sid, held.id IS NOT NULL, "
            f"(SELECT true FROM {quote(sessions.name)} AS e WHERE e.id = batch.sid) IS NOT NULL "
            f"FROM batch LEFT JOIN held ON held.id = batch.sid"
        )

        # The same text with libpq's placeholders, under a name of its own.
        self._numbered = (self.sql % ("$1", "$2")).encode()
        digest = hashlib.sha1(self._numbered, usedforsecurity=False).hexdigest()[:16]
        self._name = b"rehearse_batch_" + digest.encode()

    def write(
        self,
        connection: Connection,
        states: Sequence[dict[str, Any]],
        rows: Sequence[dict[str, Any]],
    ) -> dict[str, Written]:
        """For each session: written (its `token` still held it), or whether it exists.
        `states` hold `sid`, `token` and the state columns, at most one per session; `rows`
        the turn rows of every state, of which those of sessions not held are not written.
        A database error raises psycopg's exception for it."""
        parameters = (json_text_with_times(states), json_text_with_times(rows))
        driver = connection.connection
        psycopg_connection = driver.driver_connection
        assert isinstance(psycopg_connection, psycopg.Connection)
        if not psycopg_connection.autocommit:
            cursor = driver.cursor()
            try:
                cursor.execute(self.sql, parameters)
                return {sid: Written(held, exists) for sid, held, exists in cursor.fetchall()}
            finally:
                cursor.close()
        pgconn = psycopg_connection.pgconn
        encoded = [parameter.encode() for parameter in parameters]
        # Prepared statements belong to the server's session: `info` lasts as long as this
        # connection, and a new one (after a reconnect) starts empty.
        prepared: set[bytes] = driver.info.setdefault("rehearse_prepared", set())
        encoding = psycopg_connection.info.encoding
        if self._name not in prepared:
            self._prepare(pgconn, prepared, encoding)
        result = pgconn.exec_prepared(self._name, encoded)
        if _sqlstate(result) == _NO_SUCH_STATEMENT:  # deallocated by a rollback of psycopg's
            self._prepare(pgconn, prepared, encoding)
            result = pgconn.exec_prepared(self._name, encoded)
        _check(result, pq.ExecStatus.TUPLES_OK, encoding)
        value = result.get_value
        return {
            bytes(value(row, 0) or b"").decode(): Written(
                value(row, 1) == b"t", value(row, 2) == b"t"
            )
            for row in range(result.ntuples)
        }

    def _prepare(self, pgconn: pq.abc.PGconn, prepared: set[bytes], encoding: str) -> None:
        prepared.discard(self._name)
        _check(pgconn.prepare(self._name, self._numbered), pq.ExecStatus.COMMAND_OK, encoding)
        prepared.add(self._name)


_NO_SUCH_STATEMENT: Final = "26000"  # invalid_sql_statement_name


def _sqlstate(result: pq.abc.PGresult) -> str:
    return (result.error_field(pq.DiagnosticField.SQLSTATE) or b"").decode()


def _check(result: pq.abc.PGresult, expected: pq.ExecStatus, encoding: str) -> None:
    """Raise the exception psycopg would raise for the result's error, if it is one."""
    if result.status != expected:
        raise psycopg.errors.error_from_result(result, encoding)
