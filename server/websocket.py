"""The practice websocket: one snapshot on connect, then replies and the frames they produce.

Client -> server: {"type":"reply","text":...,"id"?:...}, {"type":"leave"} (and "ping").
Server -> client: snapshot, score, manager, end, error{code,message} (and "pong").
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, Final

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from dialogue import ReplyRejectedError
from dialogue.errors import check_reply_text
from server.guards import same_origin
from server.identity import Signer, owner_of
from server.json_text import json_text
from server.metrics import ACTIVE_SESSIONS, ERRORS, SCORING_SECONDS, TURN_SECONDS, TURNS
from server.settings import MAX_FRAME_BYTES
from server.turn_service import TurnError
from server.turns import Turns

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


class BadMessageError(ValueError):
    """A frame that is JSON but not a message we understand."""


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
    """One websocket playing one session; the turn process does the work of each turn."""

    # A thousand of these stay open at once: no per-instance dict.
    __slots__ = ("_lock", "_recent", "hub", "owner", "rate", "retired", "session_id", "token",
                 "turns", "websocket")  # fmt: skip

    def __init__(
        self, websocket: WebSocket, *, session_id: str, turns: Turns, hub: Hub, rate: int
    ) -> None:
        self.websocket = websocket
        self.session_id = session_id
        self.turns = turns
        self.hub = hub
        self.rate = rate
        self.owner = ""
        self.token = ""  # this connection's claim on the session
        self.retired = False
        self._recent: list[float] = []  # times of the last `rate` replies
        self._lock = asyncio.Lock()

    async def send(self, frame: dict[str, Any]) -> None:
        await self.send_text(json_text(frame))

    async def send_text(self, text: str) -> None:
        if self.websocket.application_state == WebSocketState.CONNECTED:
            await self.websocket.send_text(text)

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

    def _ask(self, op: str, **arguments: Any) -> Any:
        return self.turns.call(
            op, sid=self.session_id, owner=self.owner, token=self.token, **arguments
        )

    async def run(self, signer: Signer) -> None:
        if not same_origin(self.websocket):
            await self.websocket.close(code=1008)  # before accept: the handshake gets 403
            return
        await self.websocket.accept()
        owner = owner_of(self.websocket, signer)
        try:
            if owner is None:
                raise TurnError("not_found", "no identity")
            self.owner = owner
            snapshot, token = await self.turns.call("open", sid=self.session_id, owner=owner)
        except TurnError as exc:
            if exc.code != "not_found":
                await self.error(exc.code, exc.message)
                await self._close(1011)
                return
            await self.error("not_found", f"no practice session {self.session_id!r}")
            await self._close(CLOSE_NOT_FOUND)
            return
        self.token = json.loads(token)
        await self.hub.take_over(self.session_id, self)
        ACTIVE_SESSIONS.inc()
        try:
            await self.send_text(snapshot)
            await self._loop()
        except WebSocketDisconnect:
            pass
        finally:
            ACTIVE_SESSIONS.dec()
            self.hub.leave(self.session_id, self)
            self.turns.tell("drop", sid=self.session_id, token=self.token)

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
        except TurnError as exc:
            return await self._refused(exc)
        except Exception:  # a fault of ours must not cost the user the connection
            log.exception("turn failed in session %s", self.session_id)
            await self.error("internal", "something went wrong on our side; nothing was saved")
            return True

    async def _refused(self, exc: TurnError) -> bool:
        """Tell the client why; close when the session is no longer this connection's."""
        if exc.code == "superseded":
            await self.error("superseded", exc.message)
            await self._close(CLOSE_SUPERSEDED)
            return False
        if exc.code == "not_found":
            await self.error("not_found", f"no practice session {self.session_id!r}")
            await self._close(CLOSE_NOT_FOUND)
            return False
        await self.error(exc.code, exc.message)
        return True

    async def _dispatch(self, message: dict[str, Any]) -> bool:
        if message["type"] == "ping":
            await self.send({"type": "pong"})
            return True
        if message["type"] == "leave":
            (end,) = await self._ask("leave")
            await self.send_text(end)
            await self._close(1000)
            return False
        return await self._reply(message["text"], message.get("id"))

    def _limited(self) -> bool:
        now = time.monotonic()
        self._recent = [moment for moment in self._recent if now - moment < 1.0]
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
            check_reply_text(text)  # here too, so a bad reply costs no round trip
        except ReplyRejectedError as exc:
            await self.error(exc.code, exc.message)
            return True
        score, manager, end, scoring = await self._ask("reply", text=text, id=client_id)
        await self.send_text(score)
        # The manager frame carries `ends`: a client knows an `end` frame follows.
        await self.send_text(manager)
        TURN_SECONDS.observe(time.perf_counter() - received)
        TURNS.inc()
        scoring_seconds = float(scoring)
        if scoring_seconds > 0:  # 0: answered from a stored turn
            SCORING_SECONDS.observe(scoring_seconds)
        if end != "null":
            await self.send_text(end)
        return True
