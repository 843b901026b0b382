"""The turn service on a real database: batches, claims, and failures that must not half-write."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select

from dialogue.scenario_loader import load_library
from server.db.database import make_engine
from server.db.migrate import upgrade
from server.db.schema import practice_sessions, session_turns
from server.practice import Practice
from server.turn_service import TurnError, TurnService
from tests.conversations import GRANTED
from tests.databases import database


@pytest.fixture(params=["sqlite", "postgres"])
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TurnService]:
    with database(request.param, tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine)
        turns = TurnService(engine, Practice(engine, load_library()))
        try:
            yield turns
        finally:
            turns.close()
            engine.dispose()


def _ok(service: TurnService, request: dict[str, Any]) -> list[str]:
    ((ok, answer),) = service.run_batch([request])
    assert ok, answer
    return list(answer)


def _started(service: TurnService) -> tuple[str, str]:
    """A new session, opened: its id and the connection's token."""
    (created,) = _ok(service, {"op": "create", "owner": "me", "scenario": "supportive"})
    session_id = json.loads(created)["id"]
    _, token = _ok(service, {"op": "open", "sid": session_id, "owner": "me"})
    return session_id, json.loads(token)


def _reply(session_id: str, token: str, text: str, client_id: str) -> dict[str, Any]:
    return {"op": "reply", "sid": session_id, "owner": "me", "token": token, "text": text,
            "id": client_id}  # fmt: skip


def _stored(service: TurnService, session_id: str) -> tuple[int, int]:
    """(turn_count of the session row, number of turn rows)."""
    with service.engine.connect() as connection:
        count = connection.execute(
            select(practice_sessions.c.turn_count).where(practice_sessions.c.id == session_id)
        ).scalar_one()
        rows = connection.execute(
            select(session_turns.c.idx).where(session_turns.c.session_id == session_id)
        ).all()
    return count, len(rows)


def test_a_failing_insert_leaves_its_session_untouched_and_spares_the_batch(
    service: TurnService,
) -> None:
    broken, broken_token = _started(service)
    healthy, healthy_token = _started(service)
    # A row already where the next reply would go: its insert fails after its update ran.
    with service.engine.begin() as connection:
        connection.execute(
            insert(session_turns).values(
                session_id=broken, idx=1, speaker="user", text="in the way",
                created=datetime.now(UTC),
            )
        )  # fmt: skip
    before = _stored(service, broken)
    requests = [
        _reply(broken, broken_token, GRANTED[0], "b-0"),
        _reply(healthy, healthy_token, GRANTED[0], "h-0"),
    ]
    outcomes = [outcome for batch in service.run_all(requests) for _, outcome in batch]
    assert outcomes[0][0] is False
    assert isinstance(outcomes[0][1], TurnError) and outcomes[0][1].code == "internal"
    assert outcomes[1][0] is True  # rolled back with the batch, then run again alone
    assert _stored(service, broken) == before  # the state did not move on without its rows
    assert _stored(service, healthy) == (1, 3)


def test_a_turn_is_applied_once_and_a_newer_claim_wins(service: TurnService) -> None:
    session_id, token = _started(service)
    first = _ok(service, _reply(session_id, token, GRANTED[0], "r-0"))
    again = _ok(service, _reply(session_id, token, GRANTED[0], "r-0"))
    assert json.loads(again[0]) == json.loads(first[0])  # answered from the stored turn
    assert _stored(service, session_id) == (1, 3)
    _, newer = _ok(service, {"op": "open", "sid": session_id, "owner": "me"})
    ((ok, refused),) = service.run_batch([_reply(session_id, token, GRANTED[1], "r-1")])
    assert not ok and refused.code == "superseded"
    assert _stored(service, session_id) == (1, 3)
    _ok(service, _reply(session_id, json.loads(newer), GRANTED[1], "r-1"))
    assert _stored(service, session_id) == (2, 5)


def test_a_forgotten_session_is_read_again_from_the_database(service: TurnService) -> None:
    session_id, token = _started(service)
    _ok(service, _reply(session_id, token, GRANTED[0], "r-0"))
    service.live.clear()  # as after a restart of the turn process
    _ok(service, _reply(session_id, token, GRANTED[1], "r-1"))
    again = _ok(service, _reply(session_id, token, GRANTED[0], "r-0"))
    assert json.loads(again[0])["turn"] == 1  # still known as applied
    assert _stored(service, session_id) == (2, 5)
    ((ok, refused),) = service.run_batch(
        [{**_reply(session_id, token, GRANTED[2], "r-2"), "owner": "someone else"}]
    )
    assert not ok and refused.code == "not_found"


def test_a_batch_stores_its_replies_together_and_refuses_only_the_stale_one(
    service: TurnService,
) -> None:
    first, second, third = (_started(service) for _ in range(3))
    _ok(service, {"op": "open", "sid": second[0], "owner": "me"})  # second's token is stale now
    outcomes = service.run_batch(
        [_reply(sid, token, GRANTED[0], f"{sid}-0") for sid, token in (first, second, third)],
        budget=10,  # all three in one transaction, however slow the machine
    )
    assert [ok for ok, _ in outcomes] == [True, False, True]
    assert outcomes[1][1].code == "superseded"
    assert [_stored(service, sid) for sid, _ in (first, second, third)] == [
        (1, 3),
        (0, 1),
        (1, 3),
    ]


def test_leaving_right_after_a_reply_in_one_batch_keeps_the_reply(service: TurnService) -> None:
    session_id, token = _started(service)
    leave = {"op": "leave", "sid": session_id, "owner": "me", "token": token}
    outcomes = service.run_batch([_reply(session_id, token, GRANTED[0], "r-0"), leave], budget=10)
    assert [ok for ok, _ in outcomes] == [True, True]
    assert json.loads(outcomes[1][1][0])["outcome"] == "abandoned"
    assert _stored(service, session_id) == (1, 3)
    with service.engine.connect() as connection:
        outcome = connection.execute(
            select(practice_sessions.c.outcome).where(practice_sessions.c.id == session_id)
        ).scalar_one()
    assert outcome == "abandoned"


def test_the_same_reply_twice_in_one_batch_is_stored_once(service: TurnService) -> None:
    session_id, token = _started(service)
    request = _reply(session_id, token, GRANTED[0], "r-0")
    outcomes = service.run_batch([request, request], budget=10)
    assert [ok for ok, _ in outcomes] == [True, True]
    assert json.loads(outcomes[1][1][0]) == json.loads(outcomes[0][1][0])
    assert _stored(service, session_id) == (1, 3)
