"""The practice websocket: one snapshot on connect, then replies and the frames they produce.

Client -> server: {"type":"reply","text":...,"id"?:...}, {"type":"leave"} (and "ping").
Server -> client: snapshot, score, manager, end, error{code,message} (and "pong").
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import deque
from functools import partial
from typing import Any, Final

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from dialogue import ReplyRejectedError, score_reply
from dialogue.errors import check_reply_text
from server.guards import same_origin
from server.identity import Signer, owner_of
from server.metrics import ACTIVE_SESSIONS, ERRORS, SCORING_SECONDS, TURN_SECONDS, TURNS
from server.practice import (
    FinishedError,
    LiveSession,
    NotFoundError,
    Opened,
    Practice,
    SupersededError,
    TurnResult,
)
from server.settings import MAX_FRAME_BYTES
from server.transcripts import end_frame, manager_frame, score_frame
from server.writer import Writer

log = logging.getLogger("rehearse")

CLOSE_SUPERSEDED: Final = 4000
CLOSE_NOT_FOUND: Final = 4404
CLOSE_TOO_BIG: Final = 1009
MAX_ID_CHARS: Final = 200

# The protocol's vocabulary (documented in docs/protocol.md; a test checks it stays so).
CLIENT_MESSAGES: Final = ("reply", "leave", "ping")
SERVER_MESSAGES: Final = ("snapshot", "score", "manager", "end", "error", "pong")
ERROR_CODES: Final = (
    "bad_json", "bad_message", "empty", "too_long", "finished", "rate_limited", "superseded",
    "not_found", "internal",
)  # fmt: skip


def to_json_text(frame: dict[str, Any]) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


class BadMessageError(ValueError):
    """A frame that is JSON but not a message we understand."""


class UnplayableError(RuntimeError):
    """The session's scenario changed or went since it was stored: it cannot go on."""


class Hub:
    """This process's open connection per session, so a newer one can retire the older."""

    def __init__(self) -> None:
        self._open: dict[str, SessionSocket] = {}

    async def take_over(self, session_id: str, newcomer: SessionSocket) -> None:
        older = self._open.get(session_id)
        self._open[session_id] = newcomer
        if older is not None:
            await older.retire()

    def leave(self, session_id: str, socket: SessionSocket) -> None:
        if self._open.get(session_id) is socket:
            del self._open[session_id]


def parse_message(raw: str) -> dict[str, Any]:
    """The message in a text frame. ValueError (bad_json) or BadMessageError (bad_message)."""
    message = json.loads(raw)
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise BadMessageError("a message is a JSON object with a string 'type'")
    kind = message["type"]
    if kind == "reply":
        if not isinstance(message.get("text"), str):
            raise BadMessageError("a reply needs 'text', a string")
        client_id = message.get("id")
        if client_id is not None and (
            not isinstance(client_id, str) or len(client_id) > MAX_ID_CHARS
        ):
            raise BadMessageError(f"'id' must be a string of at most {MAX_ID_CHARS} characters")
    elif kind not in CLIENT_MESSAGES:
        known = ", ".join(CLIENT_MESSAGES)
        raise BadMessageError(f"unknown message type {kind!r} (known: {known})")
    return message


class SessionSocket:
    """One websocket playing one session."""

    def __init__(
        self,
        websocket: WebSocket,
        *,
        session_id: str,
        practice: Practice,
        hub: Hub,
        rate: int,
        writer: Writer,
    ) -> None:
        self.websocket = websocket
        self.session_id = session_id
        self.practice = practice
        self.writer = writer
        self.hub = hub
        self.rate = rate
        self.live: LiveSession | None = None  # set once the session is claimed
        self.retired = False
        self._recent: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def send(self, frame: dict[str, Any]) -> None:
        if self.websocket.application_state == WebSocketState.CONNECTED:
            await self.websocket.send_text(to_json_text(frame))

    async def error(self, code: str, message: str) -> None:
        ERRORS.labels(code).inc()
        await self.send({"type": "error", "code": code, "message": message})

    async def retire(self) -> None:
        """Another connection took over: say so and close with 4000."""
        self.retired = True
        async with self._lock:
            await self.error("superseded", "this session was opened in another window")
            await self._close(CLOSE_SUPERSEDED)

    async def _close(self, code: int) -> None:
        if self.websocket.application_state == WebSocketState.CONNECTED:
            await self.websocket.close(code)

    async def run(self, signer: Signer) -> None:
        if not same_origin(self.websocket):
            await self.websocket.close(code=1008)  # before accept: the handshake gets 403
            return
        await self.websocket.accept()
        owner = owner_of(self.websocket, signer)
        try:
            if owner is None:
                raise NotFoundError("no identity")
            opened: Opened = await self.writer.submit(
                partial(self.practice.open_in, session_id=self.session_id, owner=owner)
            )
        except NotFoundError:
            await self.error("not_found", f"no practice session {self.session_id!r}")
            await self._close(CLOSE_NOT_FOUND)
            return
        self.live = opened.live
        await self.hub.take_over(self.session_id, self)
        ACTIVE_SESSIONS.inc()
        try:
            await self.send({"type": "snapshot", "session": opened.session})
            await self._loop()
        except WebSocketDisconnect:
            pass
        finally:
            ACTIVE_SESSIONS.dec()
            self.hub.leave(self.session_id, self)

    async def _loop(self) -> None:
        while not self.retired:
            raw = await self.websocket.receive()
            if raw["type"] == "websocket.disconnect":
                return
            text = raw.get("text")
            if text is None:
                await self.error("bad_message", "send text frames holding JSON")
                continue
            if len(text.encode("utf-8")) > MAX_FRAME_BYTES:
                await self._close(CLOSE_TOO_BIG)
                return
            async with self._lock:
                if self.retired:
                    return
                if not await self._handle(text):
                    return

    async def _handle(self, text: str) -> bool:
        """Answer one frame; False when the connection is over."""
        try:
            message = parse_message(text)
        except BadMessageError as exc:
            await self.error("bad_message", str(exc))
            return True
        except ValueError:
            await self.error("bad_json", "that frame is not valid JSON")
            return True
        try:
            return await self._dispatch(message)
        except SupersededError as exc:
            await self.error("superseded", str(exc))
            await self._close(CLOSE_SUPERSEDED)
            return False
        except NotFoundError:
            await self.error("not_found", f"no practice session {self.session_id!r}")
            await self._close(CLOSE_NOT_FOUND)
            return False
        except Exception:  # a fault of ours must not cost the user the connection
            log.exception("turn failed in session %s", self.session_id)
            await self.error("internal", "something went wrong on our side; nothing was saved")
            return True

    async def _dispatch(self, message: dict[str, Any]) -> bool:
        if message["type"] == "ping":
            await self.send({"type": "pong"})
            return True
        if message["type"] == "leave":
            assert self.live is not None
            session = await self.writer.submit(partial(self.practice.leave_in, live=self.live))
            await self.send(end_frame(session))
            await self._close(1000)
            return False
        return await self._reply(message["text"], message.get("id"))

    def _limited(self) -> bool:
        now = time.monotonic()
        while self._recent and now - self._recent[0] >= 1.0:
            self._recent.popleft()
        if len(self._recent) >= self.rate:
            return True
        self._recent.append(now)
        return False

    async def _reply(self, text: str, client_id: str | None) -> bool:
        received = time.perf_counter()
        if self._limited():
            await self.error("rate_limited", f"more than {self.rate} replies a second; slow down")
            return True
        try:
            check_reply_text(text)
            result = await self._turn(text, client_id)
        except ReplyRejectedError as exc:
            await self.error(exc.code, exc.message)
            return True
        except FinishedError as exc:
            await self.error("finished", str(exc))
            return True
        except UnplayableError as exc:
            await self.error("internal", str(exc))
            return True
        ended = result.session["outcome"] is not None
        await self.send(score_frame(result.user, result.strengths))
        # `ends` tells a client an `end` frame follows, so it need not wait to find out.
        await self.send({**manager_frame(result.manager), "ends": ended})
        TURN_SECONDS.observe(time.perf_counter() - received)
        TURNS.inc()
        if ended:
            await self.send(end_frame(result.session))
        return True

    async def _turn(self, text: str, client_id: str | None) -> TurnResult:
        """Apply a reply to the conversation in memory, then store it; the result once
        committed. A retried `id` is answered from the stored turn."""
        live = self.live
        assert live is not None
        if live.conversation is None and live.problem is None:
            await self.writer.submit(partial(self.practice.resume_in, live=live))
        if client_id is not None and client_id in live.client_ids:
            repeated: TurnResult = await self.writer.submit(
                partial(self.practice.repeated_in, live=live, client_id=client_id)
            )
            return repeated
        conversation = live.conversation
        if conversation is None:
            raise UnplayableError(live.problem or "this session cannot go on")
        if conversation.ended:
            raise FinishedError(f"the meeting is over (outcome: {conversation.outcome})")
        with SCORING_SECONDS.time():
            score = score_reply(text, conversation.stage, conversation.prepared)
        turn = conversation.apply(text, score)
        write = self.practice.turn_write(live, turn, client_id)
        try:
            result: TurnResult = await self.writer.submit(
                partial(self.practice.write_turn_in, write=write)
            )
        except BaseException:
            # The conversation in memory ran ahead of the database: re-read it next turn.
            live.conversation = None
            raise
        if client_id is not None:
            live.client_ids.add(client_id)
        return result
