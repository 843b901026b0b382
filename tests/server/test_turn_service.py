"""The turn service on a real database: batches, claims, and failures that must not half-write."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import delete, func, insert, select, update

from dialogue.scenario_loader import load_library
from server.db.database import make_engine
from server.db.migrate import upgrade
from server.db.schema import practice_sessions, session_turns
from server.practice import Practice
from server.turn_service import TurnError, TurnService
from tests.conversations import GRANTED
from tests.databases import database


@contextmanager
def _service_on(kind: str, tmp_path: Path) -> Iterator[TurnService]:
    with database(kind, tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine)
        turns = TurnService(engine, Practice(engine, load_library()))
        try:
            yield turns
        finally:
            turns.close()
            engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TurnService]:
    with _service_on(request.param, tmp_path) as turns:
        yield turns


@pytest.fixture
def postgres_service(tmp_path: Path) -> Iterator[TurnService]:
    with _service_on("postgres", tmp_path) as turns:
        yield turns


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


def _together(service: TurnService, requests: list[dict[str, Any]]) -> list[tuple[bool, Any]]:
    """The outcomes of requests that arrived together (in as many batches as they take)."""
    return [outcome for batch in service.run_all(requests, budget=10) for _, outcome in batch]


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
    outcomes = _together(service, requests)
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


def test_claims_work_where_the_database_cannot_return_the_claimed_row(
    service: TurnService,
) -> None:
    """SQLite before 3.35 has no UPDATE ... RETURNING: the claim reads the row, then claims."""
    service.practice.claim_returns_row = False
    test_a_turn_is_applied_once_and_a_newer_claim_wins(service)
    ((ok, refused),) = service.run_batch([{"op": "open", "sid": "nope", "owner": "me"}])
    assert not ok and refused.code == "not_found"
    assert _played(service, lambda _: service.live.clear()) == _played(service)


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


def _played(service: TurnService, interrupt: Any = None) -> dict[str, Any]:
    """The summary of GRANTED played on a new session (seed 5); `interrupt(session_id)` runs
    before every reply after the first."""
    create = {"op": "create", "owner": "me", "scenario": "supportive", "seed": 5}
    session_id = json.loads(_ok(service, create)[0])["id"]
    _, token = _ok(service, {"op": "open", "sid": session_id, "owner": "me"})
    for number, text in enumerate(GRANTED):
        if interrupt is not None and number > 0:
            interrupt(session_id)
        *_, end, _ = _ok(service, _reply(session_id, json.loads(token), text, f"r-{number}"))
        if end != "null":
            summary: dict[str, Any] = json.loads(end)["summary"]
            return summary
    raise AssertionError("GRANTED did not end the meeting")


def _snapshot(service: TurnService, session_id: str) -> dict[str, Any]:
    with service.engine.connect() as connection:
        snapshot: dict[str, Any] = connection.execute(
            select(practice_sessions.c.snapshot).where(practice_sessions.c.id == session_id)
        ).scalar_one()
    return snapshot


def test_a_conversation_read_again_before_every_reply_ends_as_one_played_straight(
    service: TurnService,
) -> None:
    """The session row's snapshot leaves out what the summary keeps of each reply (the turn
    rows hold it): read back from the database, the conversation's summary is unchanged."""
    straight = _played(service)

    def restarted(session_id: str) -> None:
        assert "records" not in _snapshot(service, session_id)
        service.live.clear()  # as after a restart of the turn process

    assert _played(service, restarted) == straight


def test_a_snapshot_stored_with_its_records_still_resumes(service: TurnService) -> None:
    """Sessions stored before the records left the snapshot play on as they were."""
    straight = _played(service)

    def stored_the_old_way(session_id: str) -> None:
        conversation = service.live[session_id].conversation
        assert conversation is not None
        old = conversation.snapshot()  # what earlier releases stored: records included
        assert old["records"]
        with service.engine.begin() as connection:
            connection.execute(
                update(practice_sessions)
                .where(practice_sessions.c.id == session_id)
                .values(snapshot=old)
            )
        service.live.clear()

    assert _played(service, stored_the_old_way) == straight


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


def test_leaving_right_after_a_reply_keeps_the_reply(service: TurnService) -> None:
    session_id, token = _started(service)
    leave = {"op": "leave", "sid": session_id, "owner": "me", "token": token}
    outcomes = _together(service, [_reply(session_id, token, GRANTED[0], "r-0"), leave])
    assert [ok for ok, _ in outcomes] == [True, True]
    assert json.loads(outcomes[1][1][0])["outcome"] == "abandoned"
    assert _stored(service, session_id) == (1, 3)
    with service.engine.connect() as connection:
        outcome = connection.execute(
            select(practice_sessions.c.outcome).where(practice_sessions.c.id == session_id)
        ).scalar_one()
    assert outcome == "abandoned"


def test_the_same_reply_twice_together_is_stored_once(service: TurnService) -> None:
    session_id, token = _started(service)
    request = _reply(session_id, token, GRANTED[0], "r-0")
    outcomes = _together(service, [request, request])
    assert [ok for ok, _ in outcomes] == [True, True]
    assert json.loads(outcomes[1][1][0]) == json.loads(outcomes[0][1][0])
    assert _stored(service, session_id) == (1, 3)


def test_replies_of_an_old_and_a_new_connection_together_store_only_the_new_ones(
    service: TurnService, caplog: pytest.LogCaptureFixture
) -> None:
    session_id, old = _started(service)
    _, new = _ok(service, {"op": "open", "sid": session_id, "owner": "me"})
    outcomes = _together(
        service,
        [
            _reply(session_id, json.loads(new), GRANTED[0], "new-0"),
            _reply(session_id, old, GRANTED[0], "old-0"),
            _reply(session_id, json.loads(new), GRANTED[1], "new-1"),
        ],
    )
    assert [ok for ok, _ in outcomes] == [True, False, True]
    assert outcomes[1][1].code == "superseded"
    assert _stored(service, session_id) == (2, 5)
    with service.engine.connect() as connection:
        client_ids = connection.execute(
            select(session_turns.c.client_id)
            .where(session_turns.c.session_id == session_id, session_turns.c.client_id.is_not(None))
            .order_by(session_turns.c.idx)
        ).scalars()
        assert list(client_ids) == ["new-0", "new-1"]
    assert "failed" not in caplog.text  # no batch had to be rolled back and run again


def test_a_claim_or_a_deletion_behind_a_live_session_refuses_just_its_reply(
    service: TurnService,
) -> None:
    claimed, deleted, kept = _started(service), _started(service), _started(service)
    with service.engine.begin() as connection:  # as another process would, meanwhile
        connection.execute(
            update(practice_sessions)
            .where(practice_sessions.c.id == claimed[0])
            .values(connection="elsewhere")
        )
        connection.execute(delete(session_turns).where(session_turns.c.session_id == deleted[0]))
        connection.execute(delete(practice_sessions).where(practice_sessions.c.id == deleted[0]))
    outcomes = _together(
        service,
        [_reply(*session, GRANTED[0], f"{session[0]}-0") for session in (claimed, deleted, kept)],
    )
    assert [ok for ok, _ in outcomes] == [False, False, True]
    assert [outcomes[0][1].code, outcomes[1][1].code] == ["superseded", "not_found"]
    assert _stored(service, claimed[0]) == (0, 1)
    assert _stored(service, kept[0]) == (1, 3)
    assert claimed[0] not in service.live and kept[0] in service.live


def test_text_with_quotes_backslashes_and_accents_is_stored_as_typed(
    service: TurnService,
) -> None:
    session_id, token = _started(service)
    text = 'I\'d say "8%" \\ fair: café, naïve, 15 000 €, tab\there.'
    _ok(service, {**_reply(session_id, token, text, "r-0"), "id": None})
    with service.engine.connect() as connection:
        stored = connection.execute(
            select(session_turns.c.text).where(
                session_turns.c.session_id == session_id, session_turns.c.speaker == "user"
            )
        ).scalar_one()
    assert stored == text
    if service.practice.commits_without_transaction:  # the driver committing on its own is over
        driver = service._connect().connection.dbapi_connection
        assert driver is not None and driver.autocommit is False


def test_replies_and_creates_run_alone_where_one_statement_commits_and_the_rest_together(
    service: TurnService,
) -> None:
    first, second = _started(service), _started(service)
    create = {"op": "create", "owner": "me", "scenario": "supportive"}
    leave = {"op": "leave", "sid": second[0], "owner": "me", "token": second[1]}
    requests = [
        _reply(*first, GRANTED[0], "f-0"),
        _reply(*second, GRANTED[0], "s-0"),
        create,
        leave,
        _reply(*first, GRANTED[1], "f-1"),
    ]
    batches = [len(batch) for batch in service.run_all(requests, budget=10)]
    # PostgreSQL: the two replies, the create alone (one statement), then the leave and the
    # reply in a transaction; SQLite: one transaction for all five.
    assert batches == ([2, 1, 2] if service.practice.commits_without_transaction else [5])
    assert _stored(service, first[0]) == (2, 5)
    assert _stored(service, second[0]) == (1, 3)
    with service.engine.connect() as connection:
        outcomes = connection.execute(
            select(practice_sessions.c.outcome).where(practice_sessions.c.owner == "me")
        ).scalars()
        assert sorted(map(str, outcomes)) == ["None", "None", "abandoned"]
    if service.practice.commits_without_transaction:  # the driver committing on its own is over
        driver = service._connect().connection.dbapi_connection
        assert driver is not None and driver.autocommit is False


def test_a_create_whose_opening_line_cannot_be_stored_leaves_no_session(
    service: TurnService, monkeypatch: pytest.MonkeyPatch
) -> None:
    from server import practice  # noqa: PLC0415 - the function to break, for this test only

    manager_row = practice._manager_row
    monkeypatch.setattr(
        practice, "_manager_row", lambda *args: {**manager_row(*args), "speaker": None}
    )
    outcomes = _together(service, [{"op": "create", "owner": "me", "scenario": "supportive"}])
    assert outcomes[0][0] is False and outcomes[0][1].code == "internal"
    with service.engine.connect() as connection:
        assert connection.execute(select(practice_sessions.c.id)).all() == []
    monkeypatch.undo()
    session_id, token = _started(service)  # the connection is usable again
    _ok(service, _reply(session_id, token, GRANTED[0], "r-0"))
    assert _stored(service, session_id) == (1, 3)


def test_a_session_opened_where_it_was_created_is_not_read_back_and_plays_the_same(
    service: TurnService, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_back: list[str] = []
    open_in = service.practice.open_in

    def counted(connection: Any, session_id: str, owner: str) -> Any:
        read_back.append(session_id)
        return open_in(connection, session_id, owner)

    monkeypatch.setattr(service.practice, "open_in", counted)
    create = {"op": "create", "owner": "me", "scenario": "supportive", "seed": 7}
    fresh, again = (json.loads(_ok(service, create)[0])["id"] for _ in range(2))
    stored = service.practice.transcript(fresh, "me")
    snapshot, fresh_token = _ok(service, {"op": "open", "sid": fresh, "owner": "me"})
    assert read_back == []
    assert json.loads(snapshot)["session"] == stored  # as the database has it
    service._created.clear()  # as if created by another process: read back
    _, again_token = _ok(service, {"op": "open", "sid": again, "owner": "me"})
    assert read_back == [again]

    def played(session_id: str, token: str) -> list[str]:
        """Every frame of a whole conversation, the session's id blanked out."""
        frames = []
        for number, text in enumerate(GRANTED):
            answer = _ok(service, _reply(session_id, token, text, f"r-{number}"))
            frames += [frame.replace(session_id, "ID") for frame in answer[:3]]
        return frames

    assert played(fresh, json.loads(fresh_token)) == played(again, json.loads(again_token))


def test_a_session_deleted_claimed_or_not_owned_is_opened_from_the_database(
    service: TurnService,
) -> None:
    create = {"op": "create", "owner": "me", "scenario": "supportive"}
    deleted, claimed, owned = (json.loads(_ok(service, create)[0])["id"] for _ in range(3))
    elsewhere = TurnService(service.engine, service.practice)  # another process
    try:
        _, token = _ok(elsewhere, {"op": "open", "sid": claimed, "owner": "me"})
        _ok(elsewhere, _reply(claimed, json.loads(token), GRANTED[0], "elsewhere-0"))
    finally:
        elsewhere.close()
    with service.engine.begin() as connection:
        connection.execute(delete(session_turns).where(session_turns.c.session_id == deleted))
        connection.execute(delete(practice_sessions).where(practice_sessions.c.id == deleted))
    ((ok, refused),) = service.run_batch([{"op": "open", "sid": deleted, "owner": "me"}])
    assert not ok and refused.code == "not_found"
    snapshot, token = _ok(service, {"op": "open", "sid": claimed, "owner": "me"})
    turns = json.loads(snapshot)["session"]["turns"]
    assert [turn["speaker"] for turn in turns] == ["manager", "user", "manager"]  # played there
    ((ok, _),) = service.run_batch([_reply(claimed, json.loads(token), GRANTED[1], "here-1")])
    assert ok and _stored(service, claimed) == (2, 5)
    ((ok, refused),) = service.run_batch([{"op": "open", "sid": owned, "owner": "someone"}])
    assert not ok and refused.code == "not_found"
    _ok(service, {"op": "open", "sid": owned, "owner": "me"})  # its owner still can


def test_a_reply_after_the_database_cut_the_connection_is_stored_on_a_new_one(
    postgres_service: TurnService,
) -> None:
    service = postgres_service
    session_id, token = _started(service)
    _ok(service, _reply(session_id, token, GRANTED[0], "r-0"))  # the batch statement prepared
    cut = _backend_pid(service)
    with service.engine.connect() as other:  # waits (up to 5 s) until that backend is gone
        assert other.execute(select(func.pg_terminate_backend(cut, 5000))).scalar_one()
    # The batch fails on the cut connection and runs again on a new one, which has not
    # prepared anything yet.
    _ok(service, _reply(session_id, token, GRANTED[1], "r-1"))
    assert _stored(service, session_id) == (2, 5)
    assert _backend_pid(service) != cut


def _driver(service: TurnService) -> Any:
    """The psycopg connection under the service's own."""
    driver = service._connect().connection.driver_connection
    assert driver is not None
    return driver


def _backend_pid(service: TurnService) -> int:
    return int(_driver(service).info.backend_pid)


def _prepared_statements(service: TurnService) -> set[str]:
    """The names prepared on the service's connection (asked through libpq, which leaves
    psycopg's state as it is; the connection is idle between batches)."""
    result = _driver(service).pgconn.exec_(b"SELECT name FROM pg_prepared_statements")
    return {bytes(result.get_value(row, 0) or b"").decode() for row in range(result.ntuples)}


def _failing(*_args: Any) -> Any:
    """A database error where it is called (on the current connection of the caller)."""
    raise psycopg.errors.SerializationFailure("could not serialize access (in a test)")


def test_a_failed_batch_leaves_a_reply_in_it_stored_once(
    postgres_service: TurnService, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = postgres_service
    playing, leaving = _started(service), _started(service)
    monkeypatch.setattr(service.practice, "leave_in", _failing)
    requests = [
        {"op": "drop", "sid": "nothing", "owner": "me", "token": "none"},  # runs no SQL
        {**_reply(*playing, GRANTED[0], "x"), "id": None},  # no id: a second run stores twice
        {"op": "leave", "sid": leaving[0], "owner": "me", "token": leaving[1]},
    ]
    outcomes = _together(service, requests)
    assert [ok for ok, _ in outcomes] == [True, True, False]
    assert _stored(service, playing[0]) == (1, 3)


def test_replies_go_on_after_a_rollback_dropped_the_prepared_statements(
    postgres_service: TurnService, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = postgres_service
    sessions = [_started(service) for _ in range(8)]  # psycopg prepares from a query's 6th run
    for number, (session_id, token) in enumerate(sessions):
        _ok(service, _reply(session_id, token, GRANTED[0], f"r-{number}"))
    pid = _backend_pid(service)
    prepared = _prepared_statements(service)
    assert any(name.startswith("_pg3_") for name in prepared), prepared  # psycopg's own
    assert any(name.startswith("rehearse_batch_") for name in prepared), prepared

    def failing_after_a_statement(connection: Any, *_args: Any) -> Any:
        connection.exec_driver_sql("SELECT 1")  # the transaction has begun: it rolls back
        _failing()

    monkeypatch.setattr(service.practice, "leave_in", failing_after_a_statement)
    leave = {"op": "leave", "sid": sessions[0][0], "owner": "me", "token": sessions[0][1]}
    ((ok, _),) = service.run_batch([leave])
    assert not ok
    assert _prepared_statements(service) == set()  # psycopg's rollback deallocated them all
    session_id, token = sessions[1]
    _ok(service, _reply(session_id, token, GRANTED[1], "again"))
    assert _stored(service, session_id) == (2, 5)
    assert _backend_pid(service) == pid  # the same connection, its statement prepared again


def test_an_open_whose_read_fails_leaves_the_session_with_its_holder(
    postgres_service: TurnService, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = postgres_service
    session_id, token = _started(service)
    service.live.clear()  # opened again from the database: a claim, then a read
    monkeypatch.setattr(service.practice, "_turn_rows", _failing)
    ((ok, refused),) = service.run_batch([{"op": "open", "sid": session_id, "owner": "me"}])
    assert not ok and refused.code == "internal"
    monkeypatch.undo()
    _ok(service, _reply(session_id, token, GRANTED[0], "still-mine"))  # not superseded
    assert _stored(service, session_id) == (1, 3)


def test_an_open_read_from_the_database_and_the_replies_after_it_run_in_one_batch(
    service: TurnService,
) -> None:
    playing = _started(service)
    created = _ok(service, {"op": "create", "owner": "me", "scenario": "supportive"})[0]
    session_id = json.loads(created)["id"]
    service._created.clear()  # as if created by another worker: its open reads it back
    requests = [
        {"op": "open", "sid": session_id, "owner": "me"},
        _reply(*playing, GRANTED[0], "p-0"),
    ]
    batches = [[ok for _, (ok, _) in batch] for batch in service.run_all(requests, budget=10)]
    assert batches == [[True, True]]
    assert _stored(service, playing[0]) == (1, 3)


def test_session_ids_are_hex_and_follow_the_order_they_were_created_in(
    service: TurnService, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = iter(range(1_700_000_000_000_000_000, 1_800_000_000_000_000_000, 1_000_000))
    monkeypatch.setattr("server.practice.time.time_ns", lambda: next(clock))  # 1 ms apart
    ids = []
    for _ in range(3):
        ids.append(_started(service)[0])
    assert all(re.fullmatch(r"[0-9a-f]{32}", session_id) for session_id in ids), ids
    assert ids == sorted(ids) and len(set(ids)) == 3
    with service.engine.connect() as connection:  # stored whole (PostgreSQL holds 32 at most)
        stored = connection.execute(select(practice_sessions.c.id)).scalars().all()
    assert sorted(stored) == ids
