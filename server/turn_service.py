"""The turn service: every write of a practice session, in batches, each committed whole.

It runs in its own process (server.turn_worker), beside the web server's event loop: scoring a
reply, moving the conversation on and storing the turn take most of a turn's CPU, and in the web
server's process they competed with the websockets for one interpreter lock. Requests are JSON
objects (`op` and its arguments); the answer to each is a list of JSON texts, the frames ready to
send. Requests that arrive together run in one transaction (group commit) and are answered only
after it commits: no answer leaves before its turn is durable. On PostgreSQL a batch that is one
statement (a run of replies, a create, the open of a session created here) commits without a
transaction around it.

The connected sessions' conversations stay in memory between turns (LiveSession); one not in
memory - after a restart, or in another process's hands - is read again from the database,
guarded by the claim token its connection holds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from typing import Any, Final

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from dialogue import ReplyRejectedError, score_reply
from dialogue.prepared import Prepared
from server.db.checkpoint import BackgroundCheckpoint, set_up_writer
from server.db.turn_batch import each_statement_commits
from server.json_text import json_text
from server.practice import (
    Created,
    FinishedError,
    LiveSession,
    NotFoundError,
    Practice,
    SupersededError,
    TurnResult,
    TurnWrite,
)
from server.transcripts import end_frame

log = logging.getLogger("rehearse")

Answer = list[str]
NO_ANSWER: Final = 0  # request number of a message that wants no answer
# New sessions kept for their opening: a browser opens its session within milliseconds of
# creating it, and this is seconds of creations (~7 s at the bench's 150 a second).
CREATED_KEPT: Final = 1_000
BATCH_SECONDS: Final = 0.002  # work per transaction before it commits and answers


class TurnError(Exception):
    """A request refused for a reason the client is told: `code` and `message`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class TurnService:
    """Runs batches of requests against one database connection."""

    def __init__(
        self, engine: Engine, practice: Practice, checkpoint: BackgroundCheckpoint | None = None
    ) -> None:
        """`checkpoint`: SQLite's background checkpoints, whose log this service's connection,
        the writer, starts again between batches (see between_batches)."""
        self.engine = engine
        self.practice = practice
        self.checkpoint = checkpoint
        # A database failure fails the whole batch (it is rolled back and retried request by
        # request), whether it comes through SQLAlchemy or straight from the driver
        # (server.db.raw, server.db.turn_batch): a request must never commit half its writes.
        self.database_errors: tuple[type[BaseException], ...] = (
            SQLAlchemyError,
            engine.dialect.loaded_dbapi.Error,
        )
        self.live: dict[str, LiveSession] = {}
        # Sessions created here and not opened yet, oldest first (see Practice.open_created_in).
        self._created: dict[str, Created] = {}
        # Replies applied in this batch, waiting to be written: (their place, the write).
        self._replies: list[tuple[int, TurnWrite]] = []
        self._outcomes: list[tuple[bool, Any]] = []  # the batch's outcomes so far
        self._alone = False  # the batch runs without a transaction, each statement committing
        self._connection: Connection | None = None
        self._ops: dict[str, Callable[[Connection, dict[str, Any]], Answer]] = {
            "create": self._create,
            "open": self._open,
            "reply": self._reply,
            "leave": self._leave,
            "drop": self._drop,
        }

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def run_batch(
        self, requests: list[dict[str, Any]], budget: float = BATCH_SECONDS
    ) -> list[tuple[bool, Any]]:
        """Run requests from the front of `requests` in one batch until `budget` seconds
        of work are spent (at least one); (True, answer) or (False, TurnError) for each one run,
        after the commit. SQLite and PostgreSQL commit in well under a millisecond here, so a
        short batch costs little and keeps the first request of a batch from waiting long."""
        try:
            return self._batch(requests, budget)
        except self.database_errors:
            log.exception("a batch of requests failed; running them one by one")
        request = requests[0]
        try:
            return self._batch([request], budget)
        except self.database_errors:
            log.exception("request %s failed", request.get("op"))
            return [(False, TurnError("internal", "nothing was saved; try again"))]

    def run_all(
        self, requests: list[dict[str, Any]], budget: float = BATCH_SECONDS
    ) -> Iterator[list[tuple[dict[str, Any], tuple[bool, Any]]]]:
        """Every request, batch after batch: each batch's (request, outcome) pairs once it has
        committed, so their answers can go out before the next batch starts."""
        while requests:
            outcomes = self.run_batch(requests, budget)
            done, requests = requests[: len(outcomes)], requests[len(outcomes) :]
            yield list(zip(done, outcomes, strict=True))

    def between_batches(self, requests_waiting: Callable[[], bool]) -> None:
        """Between two batches, every answer sent: start SQLite's log again when it is due
        (see server.db.checkpoint), which stalls the requests that arrive meanwhile ~2-4 ms."""
        checkpoint = self.checkpoint
        if checkpoint is None or not checkpoint.restart_wanted(requests_waiting):
            return
        try:
            checkpoint.restart_log_in(self._connect())
        except self.database_errors:  # the next batch reconnects, or says what is wrong
            log.warning("could not start SQLite's log again; will try later", exc_info=True)
            self.close()

    def _batch(self, requests: list[dict[str, Any]], budget: float) -> list[tuple[bool, Any]]:
        alone = self._runs_alone(requests[0])
        outcomes = self._run(requests, budget, alone)
        if not outcomes:  # the session it opens was claimed meanwhile (see _open)
            outcomes = self._run(requests, budget, alone=False)
        assert outcomes, "a batch in a transaction runs at least its first request"
        return outcomes

    def _run(
        self, requests: list[dict[str, Any]], budget: float, alone: bool
    ) -> list[tuple[bool, Any]]:
        """The batch's outcomes, in one transaction or, `alone`, without one (each statement
        committing by itself); none if its first request must wait for a transaction."""
        connection = self._connect()
        outcomes: list[tuple[bool, Any]] = []
        self._outcomes = outcomes
        deadline = time.perf_counter() + budget
        # Where one statement does it (PostgreSQL), a run of replies, a create, or the open of
        # a session created here needs no transaction around it: no BEGIN and COMMIT, two
        # round trips fewer. Such a batch ends before any other request, which starts a batch
        # of its own.
        first = requests[0].get("op")
        self._alone = alone
        try:
            with each_statement_commits(connection) if alone else nullcontext(), connection.begin():
                for request in requests:
                    op = request.get("op")
                    if alone and outcomes and (op != "reply" or first != "reply"):
                        break
                    if op != "reply":  # it may read what the replies wrote
                        self._store_replies(connection)
                    try:
                        outcomes.append(self._one(connection, request))
                    except _NextBatch:
                        break
                    if time.perf_counter() >= deadline:
                        break
                self._store_replies(connection)
        except BaseException:
            # What memory holds of these sessions may be ahead of the database now.
            self._replies.clear()
            for request in requests[: len(outcomes) + 1]:
                self.live.pop(request.get("sid", ""), None)
            self.close()
            raise
        return outcomes

    def _runs_alone(self, request: dict[str, Any]) -> bool:
        """Whether a batch starting with `request` runs without a transaction (PostgreSQL),
        its statements committing by themselves: a run of replies (written in one statement),
        a create, or the open of a session created here (one statement, its claim, unless a
        connection claimed it meanwhile: see _open)."""
        if not self.practice.commits_without_transaction:
            return False
        op = request.get("op")
        return op in ("reply", "create") or (op == "open" and request.get("sid") in self._created)

    def _store_replies(self, connection: Connection) -> None:
        """Write the turns the replies so far applied, together (on PostgreSQL in one
        statement); a turn whose connection no longer holds its session is not written, and
        its reply is refused instead."""
        if not self._replies:
            return
        positions, writes = zip(*self._replies, strict=True)
        self._replies.clear()
        failures = self.practice.write_turns_in(connection, list(writes))
        for position, write, failure in zip(positions, writes, failures, strict=True):
            if failure is not None:
                self.live.pop(write.session_id, None)
                self._outcomes[position] = (False, _refusal(failure))

    def _connect(self) -> Connection:
        if self._connection is None or self._connection.closed:
            self._connection = self.engine.connect()
            set_up_writer(self._connection)
        return self._connection

    def _one(self, connection: Connection, request: dict[str, Any]) -> tuple[bool, Any]:
        op = self._ops.get(request.get("op", ""))
        if op is None:
            return False, TurnError("bad_message", f"unknown operation {request.get('op')!r}")
        try:
            return True, op(connection, request)
        except _NextBatch:
            raise
        except (TurnError, FinishedError, ReplyRejectedError) as exc:  # refused before any change
            return False, _refusal(exc)
        except (NotFoundError, SupersededError) as exc:  # gone, or played elsewhere now
            self._forget(request)
            return False, _refusal(exc)
        except self.database_errors:
            raise
        except Exception:  # a fault of ours fails this request, not the batch
            log.exception("request %s failed", request.get("op"))
            self._forget(request)
            return False, TurnError("internal", "something went wrong on our side; nothing saved")

    def _forget(self, request: dict[str, Any]) -> None:
        """Drop the session from memory - unless it is a newer connection's, which a stale
        connection's refused request says nothing about."""
        live = self.live.get(request.get("sid", ""))
        if live is not None and request.get("token", live.token) == live.token:
            del self.live[live.id]

    # Operations ---------------------------------------------------------------------------

    def _create(self, connection: Connection, request: dict[str, Any]) -> Answer:
        prepared = request.get("prepared")
        try:
            created = self.practice.create_in(
                connection,
                owner=request["owner"],
                scenario=request["scenario"],
                seed=request.get("seed"),
                start=request.get("start"),
                prepared=Prepared.model_validate(prepared) if prepared else None,
            )
        except KeyError as exc:
            raise TurnError("unknown_scenario", str(exc.args[0])) from exc
        except ValueError as exc:
            raise TurnError("bad_start", str(exc)) from exc
        self._created[created.answer["id"]] = created
        if len(self._created) > CREATED_KEPT:
            self._created.pop(next(iter(self._created)))  # the oldest: opened elsewhere, or never
        return [json_text(created.answer)]

    def _open(self, connection: Connection, request: dict[str, Any]) -> Answer:
        created = self._created.pop(request["sid"], None)
        opened = None
        if created is not None:
            opened = self.practice.open_created_in(connection, created, request["owner"])
        if opened is None:
            if self._alone:
                # Claiming and reading are two statements, which must commit together: a
                # claim committed alone, its read failing, would take the session from its
                # holder while telling this client nothing was saved. (Rare: the cached claim
                # found the session claimed since its creation.)
                raise _NextBatch
            opened = self.practice.open_in(connection, request["sid"], request["owner"])
        self.live[request["sid"]] = opened.live
        snapshot = json_text({"type": "snapshot", "session": opened.session})
        return [snapshot, json_text(opened.live.token)]

    def _live(self, connection: Connection, request: dict[str, Any]) -> LiveSession:
        """The session as this connection holds it: from memory, or read again."""
        session_id, token = request["sid"], request["token"]
        live = self.live.get(session_id)
        if live is not None and live.token == token and live.owner == request["owner"]:
            return live
        live = LiveSession(id=session_id, owner=request["owner"], token=token)
        self.practice.resume_in(connection, live)
        self.live[session_id] = live
        return live

    def _reply(self, connection: Connection, request: dict[str, Any]) -> Answer:
        # A batch writes a session's turn once: a second reply of it starts the next batch
        # (before its session is even looked up, which would read it as not yet written).
        if any(write.session_id == request["sid"] for _, write in self._replies):
            raise _NextBatch
        live = self._live(connection, request)
        text: str = request["text"]
        client_id: str | None = request.get("id")
        if client_id is not None and client_id in live.client_ids:  # stored: none pending
            return _turn_frames(self.practice.repeated_in(connection, live, client_id), 0.0)
        conversation = live.conversation
        if conversation is None:
            raise TurnError("internal", live.problem or "this session cannot go on")
        if conversation.ended:
            raise FinishedError(f"the meeting is over (outcome: {conversation.outcome})")
        started = time.perf_counter()
        score = score_reply(text, conversation.stage, conversation.prepared)
        scoring = time.perf_counter() - started
        turn = conversation.apply(text, score)
        write = self.practice.turn_write(live, turn, client_id)
        # Written at the end of the batch; its outcome will be the next one in the batch's list.
        self._replies.append((len(self._outcomes), write))
        if client_id is not None:
            live.client_ids.add(client_id)
        return _turn_frames(write.result, scoring)

    def _leave(self, connection: Connection, request: dict[str, Any]) -> Answer:
        live = self._live(connection, request)
        session = self.practice.leave_in(connection, live)
        self.live.pop(live.id, None)
        return [json_text(end_frame(session))]

    def _drop(self, _connection: Connection, request: dict[str, Any]) -> Answer:
        """The connection closed: forget the conversation (the database has all of it)."""
        live = self.live.get(request["sid"])
        if live is not None and live.token == request["token"]:
            del self.live[request["sid"]]
        return []


class _NextBatch(Exception):  # noqa: N818 - a signal, not an error
    """This request must wait for the next batch (see TurnService._reply, TurnService._open)."""


def _refusal(exc: Exception) -> TurnError:
    if isinstance(exc, TurnError):
        return exc
    if isinstance(exc, ReplyRejectedError):
        return TurnError(exc.code, exc.message)
    codes = {NotFoundError: "not_found", SupersededError: "superseded", FinishedError: "finished"}
    return TurnError(codes[type(exc)], str(exc))


def _turn_frames(result: TurnResult, scoring_seconds: float) -> Answer:
    """score, manager (with `ends`), end or null, and the seconds spent scoring."""
    ended = result.session["outcome"] is not None
    return [
        result.score_frame,
        json_text({**result.manager_frame, "ends": ended}),
        json_text(end_frame(result.session)) if ended else "null",
        json_text(round(scoring_seconds, 6)),
    ]
