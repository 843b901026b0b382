"""Hot-path statements compiled once and run on the driver's cursor.

A turn writes two rows and updates one. Through `Connection.execute` each statement cost about
80 us of SQLAlchemy bookkeeping (cache keys, execution context, result wrapping) on top of the
driver's own work; run this way, the same statements keep SQLAlchemy's SQL and its type
processing (JSON, datetimes) and skip the rest. Everything else uses SQLAlchemy as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement


class RawStatement:
    """One Core statement compiled for one dialect, executed on the DBAPI cursor."""

    def __init__(
        self, statement: ClauseElement, dialect: Dialect, encoded: Collection[str] = ()
    ) -> None:
        """`encoded`: JSON columns whose values come as JSON text already (or None: NULL)."""
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        self.sql = compiled.string
        positional = compiled.positional
        self._order: list[str] | None = list(compiled.positiontup or []) if positional else None
        processors: dict[str, Callable[[Any], Any]] = {}
        for name, bind in compiled.binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None and name not in encoded:
                processors[name] = process
        self._processors = processors

    def _parameters(self, values: Mapping[str, Any]) -> Any:
        processed = dict(values)
        for name, process in self._processors.items():
            if name in processed:
                processed[name] = process(processed[name])
        if self._order is None:
            return processed
        return tuple(processed[name] for name in self._order)

    def execute(self, connection: Connection, values: Mapping[str, Any]) -> int:
        """Run it in the connection's transaction; the number of rows it touched."""
        (touched,) = self.execute_each(connection, [values])
        return touched

    def execute_many(self, connection: Connection, rows: Iterable[Mapping[str, Any]]) -> None:
        cursor = connection.connection.cursor()
        try:
            cursor.executemany(self.sql, [self._parameters(row) for row in rows])
        finally:
            cursor.close()

    def execute_each(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        """Run it once per row, on one cursor; how many rows each run touched."""
        cursor = connection.connection.cursor()
        try:
            touched = []
            for row in rows:
                cursor.execute(self.sql, self._parameters(row))
                touched.append(int(cursor.rowcount))
            return touched
        finally:
            cursor.close()
