"""The PostgreSQL batch statement (server.db.turn_batch) looks sessions up by key. A plan that
hashed the whole sessions table for every batch made each reply slower as the table grew, up
to a few thousand sessions (where the planner switched by itself); under the bench's load
that was a third of PostgreSQL's CPU."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, insert

from dialogue.scenario_loader import load_library
from server.db.database import make_engine
from server.db.migrate import upgrade
from server.db.schema import practice_sessions
from server.db.turn_batch import TurnBatch
from server.json_text import json_text_with_times
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


def _plan(engine: Engine, batch: Captured) -> dict[str, Any]:
    """The statement's plan, run again (as the next turn) and rolled back. Costs pinned to
    PostgreSQL's defaults: the planner hashed the whole table below a crossover that depends
    on them (about 3,000 sessions with the defaults, 1,000 with an SSD's random_page_cost)."""
    sql, states, rows = batch
    later = [{**row, "idx": row["idx"] + 100, "client_id": None} for row in rows]
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SET LOCAL random_page_cost = 4")
        cursor.execute("SET LOCAL seq_page_cost = 1")
        cursor.execute(
            "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql,
            (json_text_with_times(states), json_text_with_times(later)),
        )
        found = cursor.fetchone()
        assert found is not None
        plan: dict[str, Any] = found[0][0]["Plan"]
        raw.rollback()
    finally:
        raw.close()
    return plan


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _blocks(plan: dict[str, Any]) -> int:
    """Buffer blocks of the plan's tree (its CTEs' run before the final SELECT; the insert's
    rows and the foreign-key checks, run after it, are not counted)."""
    return int(plan["Shared Hit Blocks"]) + int(plan["Shared Read Blocks"])


def _more_sessions(engine: Engine, count: int) -> None:
    now = datetime.now(UTC)
    # The size of a played-out session's snapshot as earlier releases stored it (records in).
    snapshot = {"records": [[1, "opening", 80, [], [], "x" * 200]] * 6}
    rows = [{"id": f"other{n:08d}", "owner": "someone else", "scenario": "supportive",
             "seed": n, "snapshot": snapshot, "state": "opening", "stage": "opening",
             "turn_count": 6, "started": now} for n in range(count)]  # fmt: skip
    with engine.begin() as connection:
        connection.execute(insert(practice_sessions), rows)


def test_a_batch_looks_sessions_up_by_key_however_many_are_stored(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = _one_reply_batch(engine, monkeypatch)
    few = _blocks(_plan(engine, batch))
    _more_sessions(engine, 1000)
    plan = _plan(engine, batch)
    for node in _nodes(plan):
        assert not (
            node["Node Type"] == "Seq Scan" and node.get("Relation Name") == "practice_sessions"
        ), "the statement scans every session"
        assert "hashed" not in node.get("Subplan Name", ""), "the statement hashes a subquery"
    # Keyed lookups touch a handful of index and heap blocks either way; a scan of the
    # table would touch ~200 more (1,000 rows of ~1.5 KB).
    many = _blocks(plan)
    assert many <= few + 20, f"{few} blocks with one session, {many} with 1,000 more"


def _generic_plan(connection: Any, sql: str) -> dict[str, Any]:
    """The plan PostgreSQL keeps for the statement once prepared (as psycopg prepares it from
    its fifth run): the generic one, chosen without the batch's values."""
    cursor = connection.cursor()
    try:
        cursor.execute("BEGIN")
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute("SET LOCAL random_page_cost = 4")  # PostgreSQL's defaults, as in _plan
        cursor.execute("SET LOCAL seq_page_cost = 1")
        cursor.execute(f"PREPARE batch_plan(text, text) AS {sql % ('$1', '$2')}")
        cursor.execute("EXPLAIN (FORMAT JSON) EXECUTE batch_plan('[]', '[]')")
        found = cursor.fetchone()
        assert found is not None
        plan: dict[str, Any] = found[0][0]["Plan"]
        cursor.execute("DEALLOCATE batch_plan")
        cursor.execute("ROLLBACK")
    finally:
        cursor.close()
    return plan


def _scans_sessions(plan: dict[str, Any]) -> bool:
    return any(
        node["Node Type"] == "Seq Scan" and node.get("Relation Name") == "practice_sessions"
        for node in _nodes(plan)
    )


def test_the_turn_process_finds_sessions_by_key_in_a_new_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with postgres_database() as url:
        made = make_engine(url, keys_only=True)  # as the turn process makes it
        upgrade(made)
        service = TurnService(made, Practice(made, load_library()))
        try:
            sql, _, _ = _one_reply_batch(made, monkeypatch)
            _more_sessions(made, 20)  # a table of a few sessions, as a new one has at first
            # Any other connection: the plan it keeps scans the table, however much it grows.
            with psycopg.connect(
                made.url.set(drivername="postgresql").render_as_string(False)
            ) as other:
                assert _scans_sessions(_generic_plan(other, sql))
            turn_process = service._connect().connection.driver_connection
            assert not _scans_sessions(_generic_plan(turn_process, sql))
        finally:
            service.close()
            made.dispose()
