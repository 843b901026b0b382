"""The PostgreSQL batch statement (server.db.turn_batch): its work must not grow with the
number of sessions stored. A plan that hashed the whole sessions table for every batch made
each reply slower as the table grew; under load that was most of PostgreSQL's CPU."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, insert

from dialogue.scenario_loader import load_library
from server.db.database import make_engine
from server.db.migrate import upgrade
from server.db.schema import practice_sessions
from server.db.turn_batch import TurnBatch
from server.practice import Practice
from server.turn_service import TurnService
from tests.databases import postgres_database


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    with postgres_database() as url:
        made = make_engine(url)
        upgrade(made)
        try:
            yield made
        finally:
            made.dispose()


Captured = tuple[str, list[dict[str, Any]], list[dict[str, Any]]]


def _one_reply_batch(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Captured:
    """A real reply's batch, as the turn service hands it to the statement."""
    captured: list[Captured] = []
    write = TurnBatch.write

    def capture(self: TurnBatch, connection: Any, states: Any, rows: Any) -> Any:
        captured.append((self.sql, list(states), list(rows)))
        return write(self, connection, states, rows)

    monkeypatch.setattr(TurnBatch, "write", capture)
    service = TurnService(engine, Practice(engine, load_library()))
    try:
        ((ok, created),) = service.run_batch([{"op": "create", "owner": "me",
                                               "scenario": "supportive"}])  # fmt: skip
        assert ok, created
        session_id = json.loads(created[0])["id"]
        ((ok, opened),) = service.run_batch([{"op": "open", "sid": session_id, "owner": "me"}])
        assert ok, opened
        reply = {"op": "reply", "sid": session_id, "owner": "me", "token": json.loads(opened[1]),
                 "text": "Hi Priya, could we talk about my bonus on Thursday?"}  # fmt: skip
        ((ok, answer),) = service.run_batch([reply])
        assert ok, answer
    finally:
        service.close()
    (batch,) = captured
    return batch


def _blocks_read(engine: Engine, batch: Captured) -> int:
    """Buffer blocks the statement touches, run again (as the next turn) and rolled back."""
    sql, states, rows = batch
    later = [{**row, "idx": row["idx"] + 100, "client_id": None} for row in rows]
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(
            "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql,
            (json.dumps(states, default=str), json.dumps(later, default=str)),
        )
        found = cursor.fetchone()
        assert found is not None
        plan = found[0]
        raw.rollback()
    finally:
        raw.close()
    top = plan[0]["Plan"]
    return int(top["Shared Hit Blocks"]) + int(top["Shared Read Blocks"])


def _more_sessions(engine: Engine, count: int) -> None:
    now = datetime.now(UTC)
    snapshot = {"records": [[1, "opening", 80, [], [], "x" * 200]] * 6}  # a played-out size
    rows = [{"id": f"other{n:08d}", "owner": "someone else", "scenario": "supportive",
             "seed": n, "snapshot": snapshot, "state": "opening", "stage": "opening",
             "turn_count": 6, "started": now} for n in range(count)]  # fmt: skip
    with engine.begin() as connection:
        connection.execute(insert(practice_sessions), rows)


def test_a_batch_touches_as_many_blocks_with_thousands_of_sessions_stored(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = _one_reply_batch(engine, monkeypatch)
    few = _blocks_read(engine, batch)
    _more_sessions(engine, 3000)
    many = _blocks_read(engine, batch)
    # Keyed lookups touch a handful of index and heap blocks either way; a scan of the
    # table would touch hundreds more (3,000 rows of ~1.5 KB fill about 600 blocks).
    assert many <= few + 20, f"{few} blocks with one session, {many} with 3,000 more"
