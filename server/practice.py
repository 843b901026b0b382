"""Practice sessions in the database: create, read, play a turn, leave, delete.

Every function is synchronous. The `*_in` ones run inside a transaction their caller holds
(on PostgreSQL, those whose writes are one statement may run without one, the statement
committing by itself): the turn service (server.turn_service) runs them in the turn process,
many to a commit. A connected websocket's session stays in memory there (a LiveSession) and
each reply is applied to it; the turn - the reply, its score, the manager's answer and the
engine snapshot - is then committed whole or not at all, before it is answered, and only while
that connection still holds the session. The reads for pages and the API run in the web
process's worker threads.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, insert, select, update

from dialogue.conversation import Conversation, ManagerLine, Turn
from dialogue.engine import SnapshotError
from dialogue.prepared import Prepared
from dialogue.scenario_loader import ScenarioLibrary
from dialogue.summary import TurnRecord
from server.db.raw import RawStatement
from server.db.schema import practice_sessions, prepared_notes, session_turns
from server.db.turn_batch import TurnBatch
from server.json_text import json_text
from server.transcripts import (
    SCORE_PARTS,
    listing_json,
    manager_frame,
    score_frame,
    score_frame_text,
    session_json,
    turn_json,
)

sessions = practice_sessions
turns = session_turns

# The statements of a turn, built once: building SQLAlchemy expressions on every call cost
# more than running them (profile of a turn: about a third in expression building).
_OWNED = select(sessions).where(
    sessions.c.id == bindparam("sid"), sessions.c.owner == bindparam("owner")
)
_BY_CLIENT_ID = select(turns).where(
    turns.c.session_id == bindparam("sid"), turns.c.client_id == bindparam("client_id")
)
_BY_INDEX = select(turns).where(
    turns.c.session_id == bindparam("sid"), turns.c.idx == bindparam("idx")
)
_TURNS_OF = select(turns).where(turns.c.session_id == bindparam("sid")).order_by(turns.c.idx)
_EXISTS = select(sessions.c.id).where(sessions.c.id == bindparam("sid"))
_OWNED_FOR_UPDATE = _OWNED.with_for_update()
_CLAIM = (
    update(sessions)
    .where(sessions.c.id == bindparam("sid"), sessions.c.owner == bindparam("claimant"))
    .values(connection=bindparam("token"))
)
# Claiming a session for a new connection reads its row in the same statement, where the
# database can (SQLite from 3.35, PostgreSQL): the update locks the row too, and on
# PostgreSQL one round trip fewer cost the turn process ~150 us less per opened session.
_CLAIM_RETURNING = _CLAIM.returning(*sessions.c)
# A session no connection has claimed yet is as it was created: nothing can have changed it.
_CLAIM_UNTOUCHED = _CLAIM.where(sessions.c.connection.is_(None))
_STATE_COLUMNS = (
    "snapshot", "state", "stage", "turn_count", "outcome", "score", "summary", "finished"
)  # fmt: skip
# A turn's writes: the state only while the connection holds the session, then its rows.
_UPDATE_OWNED = (
    update(sessions)
    .where(sessions.c.id == bindparam("sid"), sessions.c.connection == bindparam("token"))
    .values({name: bindparam(name) for name in _STATE_COLUMNS})
)
_EMPTY_TURN: dict[str, Any] = dict.fromkeys(c.name for c in turns.columns)
TURN_JSON_COLUMNS = ("detected", "criteria", "feedback", "ask")  # stored as encoded once
# A new session and its opening line in one statement (PostgreSQL): one round trip instead of
# four (BEGIN, two inserts, COMMIT), and no transaction around it. Bound names are prefixed,
# since both tables have `state` and `stage`.
_NEW_SESSION = insert(sessions).values({c.name: bindparam(f"s_{c.name}") for c in sessions.c})
_CREATE_AT_ONCE = (
    insert(turns)
    .values({c.name: bindparam(f"t_{c.name}") for c in turns.c})
    .add_cte(_NEW_SESSION.cte("new_session"))
)


class NotFoundError(LookupError):
    """No such session for this owner (the same answer whether it exists or not)."""


class FinishedError(RuntimeError):
    """The meeting is over; no more replies."""


class SupersededError(RuntimeError):
    """A newer connection took over this session."""


@dataclass(frozen=True)
class TurnResult:
    """What a reply produced: its score frame (JSON text), the manager's frame, the session."""

    score_frame: str
    manager_frame: dict[str, Any]
    session: dict[str, Any]


@dataclass(slots=True)
class LiveSession:
    """A session as the connection playing it holds it between turns."""

    id: str
    owner: str
    token: str  # the claim this connection holds; a newer connection replaces it
    client_ids: set[str] = field(default_factory=set)  # the `id`s of replies already applied
    conversation: Conversation | None = None  # None: re-read before the next turn
    problem: str | None = None  # why it cannot be played on (its scenario changed or went)


@dataclass(frozen=True)
class Created:
    """A new session: the answer to its creator, and what opening it in this process needs
    (its row's values, its opening line's row, its conversation) without reading it back."""

    answer: dict[str, Any]
    row: dict[str, Any]
    opening: dict[str, Any]
    conversation: Conversation


@dataclass(frozen=True)
class Opened:
    live: LiveSession
    session: dict[str, Any]  # the transcript, for the snapshot frame


@dataclass(frozen=True)
class TurnWrite:
    """A turn applied in memory, waiting to be stored."""

    session_id: str
    token: str
    rows: tuple[dict[str, Any], dict[str, Any]]
    state: dict[str, Any]
    result: TurnResult


def _now() -> datetime:
    return datetime.now(UTC)


def _new_id() -> str:
    """32 hex digits: the creation time in milliseconds (12), then 80 random bits (20).

    Hex: safe in URLs and paths, and never starts with '-' (which a command line would take
    for an option, as in `rehearse export ID`). Time first: the turns of sessions played at
    the same time land in neighbouring pages of the turns' indexes, not in random ones (on
    SQLite 10% less written to the WAL and 6% less CPU per turn, driving the turn service
    with 1,000 sessions). Who may open a session is checked by its owner, not by its id being
    hard to guess; 80 random bits still make a collision or a guess hopeless."""
    milliseconds = time.time_ns() // 1_000_000
    return f"{milliseconds & 0xFFFF_FFFF_FFFF:012x}{secrets.token_hex(10)}"


class Practice:
    """Sessions stored through one SQLAlchemy engine, played with the scenario library."""

    def __init__(self, engine: Engine, library: ScenarioLibrary) -> None:
        self.engine = engine
        self.library = library
        self._insert_session = RawStatement(insert(sessions), engine.dialect)
        self._insert_turn = RawStatement(insert(turns), engine.dialect, TURN_JSON_COLUMNS)
        self._update_owned = RawStatement(_UPDATE_OWNED, engine.dialect)
        self._claim_untouched = RawStatement(_CLAIM_UNTOUCHED, engine.dialect)
        self.claim_returns_row: bool = engine.dialect.update_returning
        postgres = engine.dialect.name == "postgresql"
        self._turn_batch = (
            TurnBatch(sessions, turns, _STATE_COLUMNS, engine.dialect, TURN_JSON_COLUMNS)
            if postgres
            else None
        )
        self._create_at_once = (
            RawStatement(_CREATE_AT_ONCE, engine.dialect, [f"t_{c}" for c in TURN_JSON_COLUMNS])
            if postgres
            else None
        )

    def _title(self, scenario: str) -> str | None:
        found = self.library.engines.get(scenario)
        return found.spec.title if found else None

    # Creating and reading ----------------------------------------------------------------

    def create_in(  # noqa: PLR0917 - called by keyword from the turn service
        self,
        connection: Connection,
        owner: str,
        scenario: str,
        seed: int | None = None,
        start: str | None = None,
        prepared: Prepared | None = None,
    ) -> Created:
        """A new session whose opening line is stored with it. KeyError: unknown scenario;
        ValueError: unknown or unusable start state."""
        engine = self.library.get(scenario)
        conversation = engine.new_conversation(seed=seed, start=start, prepared=prepared)
        session_id = _new_id()
        line = conversation.last_line
        now = _now()
        row = {
            **_state_values(conversation),
            "id": session_id,
            "owner": owner,
            "scenario": scenario,
            "seed": conversation.seed,
            "start_state": start,
            "prepared": prepared.model_dump() if prepared else None,
            "connection": None,
            "started": now,
        }
        opening = _manager_row(session_id, line, now)
        if self._create_at_once is not None:
            values = {f"s_{name}": value for name, value in row.items()}
            values.update({f"t_{name}": value for name, value in opening.items()})
            self._create_at_once.execute(connection, values)
        else:
            self._insert_session.execute(connection, row)
            self._insert_turn.execute(connection, opening)
        answer = {"id": session_id, "scenario": scenario, "seed": conversation.seed}
        return Created(answer, row, opening, conversation)

    def _row(self, connection: Connection, session_id: str, owner: str, lock: bool = False) -> Any:
        query = _OWNED_FOR_UPDATE if lock else _OWNED
        row = connection.execute(query, {"sid": session_id, "owner": owner}).one_or_none()
        if row is None:
            raise NotFoundError(f"no session {session_id!r}")
        return row

    def _turn_rows(self, connection: Connection, session_id: str) -> list[Any]:
        return list(connection.execute(_TURNS_OF, {"sid": session_id}))

    def transcript(self, session_id: str, owner: str) -> dict[str, Any]:
        with self.engine.connect() as connection:
            row = self._row(connection, session_id, owner)
            return session_json(
                row, self._turn_rows(connection, session_id), self._title(row.scenario)
            )

    def transcript_for_admin(self, session_id: str) -> dict[str, Any]:
        """Any session's transcript, whoever owns it (for `rehearse export` on the server)."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(sessions).where(sessions.c.id == session_id)
            ).one_or_none()
            if row is None:
                raise NotFoundError(f"no session {session_id!r}")
            return session_json(
                row, self._turn_rows(connection, session_id), self._title(row.scenario)
            )

    def sessions_of(self, owner: str) -> list[dict[str, Any]]:
        query = (
            select(sessions)
            .where(sessions.c.owner == owner)
            .order_by(sessions.c.started.desc(), sessions.c.id)
        )
        with self.engine.connect() as connection:
            return [
                listing_json(row, self._title(row.scenario)) for row in connection.execute(query)
            ]

    def history(self, owner: str) -> list[dict[str, Any]]:
        """The owner's sessions oldest first, with their summaries (for progress charts)."""
        query = (
            select(sessions)
            .where(sessions.c.owner == owner)
            .order_by(sessions.c.started, sessions.c.id)
        )
        with self.engine.connect() as connection:
            return [
                {**listing_json(row, self._title(row.scenario)), "summary": row.summary}
                for row in connection.execute(query)
            ]

    def delete(self, session_id: str, owner: str) -> None:
        with self.engine.begin() as connection:
            self._row(connection, session_id, owner)
            connection.execute(delete(turns).where(turns.c.session_id == session_id))
            connection.execute(delete(sessions).where(sessions.c.id == session_id))

    # What the owner prepared ------------------------------------------------------------

    def notes(self, owner: str, scenario: str) -> Prepared | None:
        query = select(prepared_notes.c.notes).where(
            prepared_notes.c.owner == owner, prepared_notes.c.scenario == scenario
        )
        with self.engine.connect() as connection:
            stored = connection.execute(query).scalar_one_or_none()
        return Prepared.model_validate(stored) if stored else None

    def save_notes(self, owner: str, scenario: str, notes: Prepared) -> None:
        self.library.get(scenario)
        key = (prepared_notes.c.owner == owner) & (prepared_notes.c.scenario == scenario)
        with self.engine.begin() as connection:
            connection.execute(delete(prepared_notes).where(key))
            connection.execute(
                insert(prepared_notes).values(
                    owner=owner, scenario=scenario, notes=notes.model_dump(), updated=_now()
                )
            )

    def open_in(self, connection: Connection, session_id: str, owner: str) -> Opened:
        """Claim the session for a new connection and read it (several statements: run them in
        one transaction): the transcript for the snapshot frame, and the conversation the
        connection plays from then on."""
        row, token = self._claim(connection, session_id, owner)
        turn_rows = self._turn_rows(connection, session_id)
        live = LiveSession(id=session_id, owner=owner, token=token)
        self._restore(live, row, turn_rows)
        return Opened(live, session_json(row, turn_rows, self._title(row.scenario)))

    def open_created_in(
        self, connection: Connection, created: Created, owner: str
    ) -> Opened | None:
        """`open_in` for a session this process created, if no connection has claimed it since
        (None: use `open_in`). Nothing is read back: its conversation is the one created, its
        transcript the opening line. The common case - a session is opened right after its
        creation - then costs one statement instead of two and no restoring: on SQLite, the
        turn process's CPU per open went from ~200 to ~100 us."""
        claim = _claim_for(created.answer["id"], owner)
        if self._claim_untouched.execute(connection, claim) != 1:
            return None
        live = LiveSession(
            id=claim["sid"], owner=owner, token=claim["token"], conversation=created.conversation
        )
        row, opening = SimpleNamespace(**created.row), SimpleNamespace(**created.opening)
        return Opened(live, session_json(row, [opening], self._title(row.scenario)))

    def _claim(self, connection: Connection, session_id: str, owner: str) -> tuple[Any, str]:
        """Make a new connection the one that plays this session: its row, and its token."""
        claim = _claim_for(session_id, owner)
        if not self.claim_returns_row:  # SQLite before 3.35: read, then claim
            row = self._row(connection, session_id, owner, lock=True)
            connection.execute(_CLAIM, claim)
            return row, claim["token"]
        row = connection.execute(_CLAIM_RETURNING, claim).one_or_none()
        if row is None:
            raise NotFoundError(f"no session {session_id!r}")
        return row, claim["token"]

    def _restore(self, live: LiveSession, row: Any, turn_rows: list[Any]) -> None:
        """The conversation from the session row's snapshot and the turn records of its stored
        replies (not in the snapshot, which is rewritten at every turn); the `id`s of those
        replies."""
        live.client_ids = {turn.client_id for turn in turn_rows if turn.client_id is not None}
        try:
            records = None  # a snapshot stored by an earlier release holds its own
            if "records" not in row.snapshot:
                records = [_record_of(turn) for turn in turn_rows if turn.speaker == "user"]
            live.conversation = self.library.get(row.scenario).restore(row.snapshot, records)
            live.problem = None
        except (KeyError, SnapshotError) as exc:
            # Its transcript stays readable; only playing on is impossible.
            live.conversation = None
            live.problem = f"this session cannot go on ({exc}); start a new one"

    def resume_in(self, connection: Connection, live: LiveSession) -> None:
        """Re-read a live session's conversation and the `id`s of its replies (after a restart
        of the turn process, or a turn that failed to commit)."""
        row = self._row(connection, live.id, live.owner)
        if row.connection != live.token:
            raise SupersededError("another connection took over this session")
        self._restore(live, row, self._turn_rows(connection, live.id))

    # Playing -------------------------------------------------------------------------------

    def turn_write(self, live: LiveSession, turn: Turn, client_id: str | None) -> TurnWrite:
        """What a turn applied in memory writes: its two rows and the session's new state."""
        score = turn.score.to_json()
        parts = {name: json_text(score[name]) for name in SCORE_PARTS}
        now = _now()
        line = turn.manager
        user = {
            **_EMPTY_TURN,
            "session_id": live.id,
            "idx": turn.index,
            "speaker": "user",
            "text": turn.text,
            "stage": score["stage"],
            "score": score["score"],
            "tone": score["tone"],
            **{name: parts[name] for name in TURN_JSON_COLUMNS},
            "client_id": client_id,
            "created": now,
        }
        assert live.conversation is not None
        state = _state_values(live.conversation)
        result = TurnResult(
            score_frame_text(turn.index, turn.text, score["stage"], score["score"], parts),
            line.to_message(),
            _session_dict(live.id, state),
        )
        manager = _manager_row(live.id, line, now)
        return TurnWrite(live.id, live.token, (user, manager), state, result)

    @property
    def commits_without_transaction(self) -> bool:
        """Whether write_turns_in writes a batch of turns (one per session), create_in a
        session, and open_created_in its claim, each in one statement that may commit by
        itself (PostgreSQL)."""
        return self._turn_batch is not None

    def write_turns_in(
        self, connection: Connection, writes: list[TurnWrite]
    ) -> list[Exception | None]:
        """Store several turns, at most one per session: each session's state only where its
        connection still holds it, then the rows of those turns. For each: None, or why it was
        not stored (NotFoundError, SupersededError) - in which case nothing of it was written."""
        states = [{**w.state, "sid": w.session_id, "token": w.token} for w in writes]
        if self._turn_batch is not None:
            # One statement, which may have committed already: nothing more is asked here.
            rows = [row for w in writes for row in w.rows]
            written = self._turn_batch.write(connection, states, rows)
            return [
                None
                if written[w.session_id].held
                else _unheld(w.session_id, written[w.session_id].exists)
                for w in writes
            ]
        # SQLite runs each statement in C, cheaply.
        touched = self._update_owned.execute_each(connection, states)
        rows = [r for w, count in zip(writes, touched, strict=True) if count for r in w.rows]
        if rows:
            self._insert_turn.execute_many(connection, rows)
        return [
            None if count else self._not_held(connection, w.session_id)
            for w, count in zip(writes, touched, strict=True)
        ]

    def _not_held(self, connection: Connection, session_id: str) -> Exception:
        """Why a session's update touched nothing: deleted, or claimed by a newer connection."""
        found = connection.execute(_EXISTS, {"sid": session_id}).one_or_none()
        return _unheld(session_id, exists=found is not None)

    def repeated_in(self, connection: Connection, live: LiveSession, client_id: str) -> TurnResult:
        """The stored turn of a reply already applied (a client retrying the same `id`)."""
        params = {"sid": live.id, "client_id": client_id}
        user_row = connection.execute(_BY_CLIENT_ID, params).one()
        manager_row = connection.execute(_BY_INDEX, {"sid": live.id, "idx": user_row.idx + 1}).one()
        row = self._row(connection, live.id, live.owner)
        return TurnResult(
            json_text(score_frame(turn_json(user_row))),
            manager_frame(turn_json(manager_row)),
            _session_dict(row.id, row._mapping),
        )

    def leave_in(self, connection: Connection, live: LiveSession) -> dict[str, Any]:
        """End the session with outcome `abandoned` (if it has not ended)."""
        if live.conversation is None:
            self.resume_in(connection, live)
        conversation = live.conversation
        if conversation is None:  # its scenario is gone: it ends as it stands
            row = self._row(connection, live.id, live.owner)
            return _session_dict(row.id, row._mapping)
        if not conversation.ended:
            conversation.abandon()
            state = _state_values(conversation)
            self._update_state(connection, live.id, live.token, state)
            return _session_dict(live.id, state)
        return _session_dict(live.id, _state_values(conversation))

    def _update_state(
        self, connection: Connection, session_id: str, token: str, state: dict[str, Any]
    ) -> None:
        owned = {**state, "sid": session_id, "token": token}
        if self._update_owned.execute(connection, owned) == 0:
            raise self._not_held(connection, session_id)


def _unheld(session_id: str, exists: bool) -> Exception:
    """Why a connection's write of its session was refused."""
    if exists:
        return SupersededError("another connection took over this session")
    return NotFoundError(f"no session {session_id!r}")


def _claim_for(session_id: str, owner: str) -> dict[str, str]:
    """A claim's parameters: the session, who claims it, and the new connection's token."""
    return {"sid": session_id, "claimant": owner, "token": secrets.token_hex(8)}


def _record_of(turn: Any) -> TurnRecord:
    """What the summary keeps of a stored reply."""
    advice = ((item["criterion"], item["message"]) for item in turn.feedback or ())
    return TurnRecord.of_reply(
        turn.idx, turn.stage, turn.score, turn.detected or (), advice, turn.text
    )


def _state_values(conversation: Conversation) -> dict[str, Any]:
    """The session row's columns that follow the conversation. Its snapshot leaves out the
    turn records, which the turn rows hold: with them the row grew with every reply and was
    rewritten whole at every turn (on PostgreSQL, compressed again each time)."""
    values: dict[str, Any] = {
        "snapshot": conversation.snapshot(with_records=False),
        "state": conversation.state,
        "stage": conversation.stage,
        "turn_count": len(conversation.records),
        "outcome": None,
        "score": None,
        "summary": None,
        "finished": None,
    }
    if conversation.ended:
        summary = conversation.summary()
        values |= {
            "outcome": summary.outcome,
            "score": summary.score,
            "summary": summary.to_json(),
            "finished": _now(),
        }
    return values


def _manager_row(session_id: str, line: ManagerLine, created: datetime) -> dict[str, Any]:
    """The stored row of a manager's line."""
    return {
        **_EMPTY_TURN,
        "session_id": session_id,
        "idx": line.index,
        "speaker": "manager",
        "text": line.text,
        "kind": line.kind,
        "state": line.state,
        "stage": line.stage,
        "created": created,
    }


def _session_dict(session_id: str, state: Mapping[str, Any]) -> dict[str, Any]:
    """The session as `end` frames and turn results show it."""
    return {
        "id": session_id,
        "outcome": state["outcome"],
        "score": state["score"],
        "summary": state["summary"],
        "state": state["state"],
        "stage": state["stage"],
    }
