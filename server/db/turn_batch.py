"""A batch of turns written to PostgreSQL in one statement.

Through psycopg, a batch's conditional updates and its rows cost the turn process about 0.5 ms
of Python per turn (profile: psycopg's pipeline generators and the dumping of each parameter),
more than scoring the reply. Here the batch travels as two JSON texts, encoded in C: one
statement reads them back as records (json_to_recordset), updates every session its connection
still holds, inserts the rows of just those turns and returns their ids. Its text does not
change with the batch's size, so PostgreSQL keeps it prepared.

It runs through libpq itself (psycopg.pq, psycopg's documented low-level layer), prepared once
per connection: psycopg's cursor - its generators, its result loaders - cost the turn process
about 100 us of Python per batch more, for a statement whose parameters and answers are text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

import psycopg
from psycopg import pq
from sqlalchemy import JSON, Column, Connection, Dialect, Table

from server.json_text import json_text_with_times


@contextmanager
def each_statement_commits(connection: Connection) -> Iterator[None]:
    """The driver in autocommit mode: a batch's one statement commits by itself, without the
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
        self._numbered = self.sql.replace("%s", "$1", 1).replace("%s", "$2", 1).encode()
        self._name = b"rehearse_batch_" + hashlib.sha1(self._numbered).hexdigest()[:16].encode()

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
        driver = connection.connection
        pgconn: pq.abc.PGconn = driver.driver_connection.pgconn  # type: ignore[union-attr]
        # Prepared statements belong to the server's session: `info` lasts as long as this
        # connection, and a new one (after a reconnect) starts empty.
        prepared: set[bytes] = driver.info.setdefault("rehearse_prepared", set())
        if self._name not in prepared:
            _checked(pgconn.prepare(self._name, self._numbered), pq.ExecStatus.COMMAND_OK)
            prepared.add(self._name)
        parameters = [json_text_with_times(states).encode(), json_text_with_times(rows).encode()]
        result = _checked(pgconn.exec_prepared(self._name, parameters), pq.ExecStatus.TUPLES_OK)
        value = result.get_value
        return {
            bytes(value(row, 0) or b"").decode(): Written(
                value(row, 1) == b"t", value(row, 2) == b"t"
            )
            for row in range(result.ntuples)
        }


def _checked(result: pq.abc.PGresult, expected: pq.ExecStatus) -> pq.abc.PGresult:
    """The result, or the exception psycopg would raise for its error."""
    if result.status == expected:
        return result
    code = (result.error_field(pq.DiagnosticField.SQLSTATE) or b"").decode()
    try:
        error = psycopg.errors.lookup(code)
    except KeyError:
        error = psycopg.DatabaseError
    raise error(result.get_error_message())
