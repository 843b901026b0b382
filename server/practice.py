"""Practice sessions in the database: create, read, play a turn, leave, delete.

Every function is synchronous. The `*_in` ones write inside a transaction their caller holds
(server.writer runs them, many to a commit); a turn - the reply, its score, the manager's
answer and the engine snapshot - is committed whole or not at all, before it is sent. Reads
run in worker threads. No session state is kept in the process between calls.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, insert, select, update

from dialogue.conversation import Conversation, Turn
from dialogue.prepared import Prepared
from dialogue.scenario_loader import ScenarioLibrary
from dialogue.scoring import Score
from server.db.schema import practice_sessions, prepared_notes, session_turns
from server.transcripts import listing_json, session_json, turn_json

sessions = practice_sessions
turns = session_turns

# The statements of a turn, built once: building SQLAlchemy expressions on every call cost
# more than running them (profile of a turn: about a third in expression building).
_OWNED = select(sessions).where(
    sessions.c.id == bindparam("sid"), sessions.c.owner == bindparam("owner")
)
_OWNED_FOR_UPDATE = _OWNED.with_for_update()
_BY_CLIENT_ID = select(turns).where(
    turns.c.session_id == bindparam("sid"), turns.c.client_id == bindparam("client_id")
)
_BY_INDEX = select(turns).where(
    turns.c.session_id == bindparam("sid"), turns.c.idx == bindparam("idx")
)
_INSERT_TURN = insert(turns)
_UPDATE_SESSION = update(sessions).where(sessions.c.id == bindparam("sid"))


class NotFoundError(LookupError):
    """No such session for this owner (the same answer whether it exists or not)."""


class FinishedError(RuntimeError):
    """The meeting is over; no more replies."""


class SupersededError(RuntimeError):
    """A newer connection took over this session."""


@dataclass(frozen=True)
class TurnResult:
    """What a reply produced, as stored: the user turn, the manager turn, the session."""

    user: dict[str, Any]
    manager: dict[str, Any]
    session: dict[str, Any]
    repeated: bool = False  # answered from a reply already applied (same `id`)


def _now() -> datetime:
    return datetime.now(UTC)


def _new_id() -> str:
    # Hex: safe in URLs and paths, and never starts with '-' (which a command line would
    # take for an option, as in `rehearse export ID`).
    return secrets.token_hex(12)


class Practice:
    """Sessions stored through one SQLAlchemy engine, played with the scenario library."""

    def __init__(self, engine: Engine, library: ScenarioLibrary) -> None:
        self.engine = engine
        self.library = library

    def _title(self, scenario: str) -> str | None:
        found = self.library.engines.get(scenario)
        return found.spec.title if found else None

    # Creating and reading ----------------------------------------------------------------

    def create_in(  # noqa: PLR0917 - called by keyword through the writer
        self,
        connection: Connection,
        owner: str,
        scenario: str,
        seed: int | None = None,
        start: str | None = None,
        prepared: Prepared | None = None,
    ) -> dict[str, Any]:
        """A new session whose opening line is stored with it. KeyError: unknown scenario;
        ValueError: unknown or unusable start state."""
        engine = self.library.get(scenario)
        conversation = engine.new_conversation(seed=seed, start=start, prepared=prepared)
        session_id = _new_id()
        line = conversation.last_line
        connection.execute(
            insert(sessions).values(
                id=session_id,
                owner=owner,
                scenario=scenario,
                seed=conversation.seed,
                start_state=start,
                prepared=prepared.model_dump() if prepared else None,
                snapshot=conversation.snapshot(),
                state=conversation.state,
                stage=conversation.stage,
                turn_count=0,
                started=_now(),
            )
        )
        connection.execute(
            insert(turns).values(
                session_id=session_id,
                idx=line.index,
                speaker="manager",
                text=line.text,
                kind=line.kind,
                state=line.state,
                stage=line.stage,
                created=_now(),
            )
        )
        return {"id": session_id, "scenario": scenario, "seed": conversation.seed}

    def _row(self, connection: Connection, session_id: str, owner: str, lock: bool = False) -> Any:
        query = _OWNED_FOR_UPDATE if lock else _OWNED
        row = connection.execute(query, {"sid": session_id, "owner": owner}).one_or_none()
        if row is None:
            raise NotFoundError(f"no session {session_id!r}")
        return row

    def _turn_rows(self, connection: Connection, session_id: str) -> list[Any]:
        query = select(turns).where(turns.c.session_id == session_id).order_by(turns.c.idx)
        return list(connection.execute(query))

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

    def open_in(
        self, connection: Connection, session_id: str, owner: str
    ) -> tuple[str, dict[str, Any]]:
        """Claim the session for a new connection and read its transcript, in one go."""
        row, token = self._claim(connection, session_id, owner)
        turn_rows = self._turn_rows(connection, session_id)
        return token, session_json(row, turn_rows, self._title(row.scenario))

    def _claim(self, connection: Connection, session_id: str, owner: str) -> tuple[Any, str]:
        """Make a new connection the one that plays this session: its row, and its token."""
        token = secrets.token_hex(8)
        row = self._row(connection, session_id, owner, lock=True)
        connection.execute(_UPDATE_SESSION.values(connection=token), {"sid": session_id})
        return row, token

    # Playing -------------------------------------------------------------------------------

    def reply_in(
        self,
        connection: Connection,
        session_id: str,
        owner: str,
        *,
        token: str,
        text: str,
        client_id: str | None,
        score_for: Any,
    ) -> TurnResult:
        """Apply one reply in the caller's transaction: checks and reads first, writes last.
        `score_for(stage, prepared)` scores it. Raises NotFoundError, SupersededError or
        FinishedError before writing anything."""
        row = self._row(connection, session_id, owner, lock=True)
        if row.connection != token:
            raise SupersededError("another connection took over this session")
        if client_id is not None:
            repeated = self._repeated(connection, row, client_id)
            if repeated is not None:
                return repeated
        if row.outcome is not None:
            raise FinishedError(f"the meeting is over (outcome: {row.outcome})")
        conversation = self.library.get(row.scenario).restore(row.snapshot)
        score: Score = score_for(conversation.stage, conversation.prepared)
        turn = conversation.apply(text, score)
        user, manager = self._store_turn(connection, session_id, turn, client_id)
        session = self._store_state(connection, session_id, conversation)
        return TurnResult(user, manager, session)

    def leave_in(
        self, connection: Connection, session_id: str, owner: str, token: str
    ) -> dict[str, Any]:
        """End the session with outcome `abandoned` (if it has not ended)."""
        row = self._row(connection, session_id, owner, lock=True)
        if row.connection != token:
            raise SupersededError("another connection took over this session")
        conversation = self.library.get(row.scenario).restore(row.snapshot)
        if row.outcome is None:
            conversation.abandon()
            return self._store_state(connection, session_id, conversation)
        return self._session_dict(row)

    def _repeated(self, connection: Connection, row: Any, client_id: str) -> TurnResult | None:
        params = {"sid": row.id, "client_id": client_id}
        user_row = connection.execute(_BY_CLIENT_ID, params).one_or_none()
        if user_row is None:
            return None
        manager_row = connection.execute(_BY_INDEX, {"sid": row.id, "idx": user_row.idx + 1}).one()
        return TurnResult(
            turn_json(user_row), turn_json(manager_row), self._session_dict(row), True
        )

    def _store_turn(
        self, connection: Connection, session_id: str, turn: Turn, client_id: str | None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        score = turn.score.to_json()
        now = _now()
        user = {
            "session_id": session_id,
            "idx": turn.index,
            "speaker": "user",
            "text": turn.text,
            "stage": score["stage"],
            "score": score["score"],
            "tone": score["tone"],
            "detected": score["detected"],
            "criteria": score["criteria"],
            "feedback": score["feedback"],
            "ask": score["ask"],
            "client_id": client_id,
            "created": now,
        }
        line = turn.manager
        manager = {
            **dict.fromkeys(user, None),
            "session_id": session_id,
            "idx": line.index,
            "speaker": "manager",
            "text": line.text,
            "kind": line.kind,
            "state": line.state,
            "stage": line.stage,
            "created": now,
        }
        user["kind"] = user["state"] = None
        connection.execute(_INSERT_TURN, [user, manager])
        return _as_turn(user), _as_turn(manager)

    def _store_state(
        self, connection: Connection, session_id: str, conversation: Conversation
    ) -> dict[str, Any]:
        values: dict[str, Any] = {
            "snapshot": conversation.snapshot(),
            "state": conversation.state,
            "stage": conversation.stage,
            "turn_count": len(conversation.records),
        }
        if conversation.ended:
            summary = conversation.summary()
            values |= {
                "outcome": summary.outcome,
                "score": summary.score,
                "summary": summary.to_json(),
                "finished": _now(),
            }
        connection.execute(_UPDATE_SESSION.values(**values), {"sid": session_id})
        return {
            "id": session_id,
            "outcome": values.get("outcome"),
            "score": values.get("score"),
            "summary": values.get("summary"),
            "state": values["state"],
            "stage": values["stage"],
        }

    def _session_dict(self, row: Any) -> dict[str, Any]:
        return {
            "id": row.id,
            "outcome": row.outcome,
            "score": row.score,
            "summary": row.summary,
            "state": row.state,
            "stage": row.stage,
        }


class _Row:
    """Attribute access over a dict, so stored values and fresh ones share turn_json."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def _as_turn(values: dict[str, Any]) -> dict[str, Any]:
    defaults = dict.fromkeys(
        ("kind", "state", "stage", "score", "tone", "detected", "criteria", "feedback", "ask"),
        None,
    )
    return turn_json(_Row({**defaults, "client_id": None, **values}))
