"""kill -9 at any moment loses no acknowledged turn; the client reconnects and carries on."""

from __future__ import annotations

import json
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from tests.conversations import GRANTED
from tests.live import ServerProcess
from tests.server.client import Browser, receive, reply


def _turns(snapshot: dict[str, Any]) -> list[tuple[int, str, str]]:
    return [(t["index"], t["speaker"], t["text"]) for t in snapshot["session"]["turns"]]


def test_kill_9_loses_no_acknowledged_turn(killable: ServerProcess) -> None:
    browser = Browser(killable.base_url)
    session_id = browser.start("supportive")["id"]
    opening = browser.get(f"/api/sessions/{session_id}").json()["turns"][0]
    acknowledged = [(0, "manager", opening["text"])]
    for number, text in enumerate(GRANTED):
        client_id = f"reply-{number}"
        with browser.ws(f"/ws/sessions/{session_id}") as ws:
            stored = _turns(receive(ws))
            assert stored[: len(acknowledged)] == acknowledged
            if number % 2:
                # Kill while the turn is in flight: afterwards it is stored whole or not at all.
                ws.send(json.dumps({"type": "reply", "text": text, "id": client_id}))
                killable.kill9()
                with pytest.raises((ConnectionClosed, TimeoutError)):
                    while True:
                        ws.recv(timeout=5)
        if number % 2:
            killable.start()
            with browser.ws(f"/ws/sessions/{session_id}") as ws:
                stored = _turns(receive(ws))
                assert len(stored) in (len(acknowledged), len(acknowledged) + 2)  # whole or nothing
                frames = reply(ws, text, client_id)  # the retry is applied once, either way
        else:
            with browser.ws(f"/ws/sessions/{session_id}") as ws:
                receive(ws)
                frames = reply(ws, text, client_id)
            killable.kill9()  # right after the answer arrived
            killable.start()
        score, manager = frames[0], frames[1]
        acknowledged += [
            (score["turn"], "user", text),
            (manager["index"], "manager", manager["text"]),
        ]
    with browser.ws(f"/ws/sessions/{session_id}") as ws:
        final = receive(ws)["session"]
    assert _turns({"session": final}) == acknowledged
    assert final["outcome"] == "granted"
