"""The websocket protocol through a real uvicorn, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.conversations import GRANTED
from tests.server.client import PACE, Browser, receive, reply


def play(browser: Browser, session_id: str, replies: list[str]) -> list[list[dict[str, Any]]]:
    with browser.ws(f"/ws/sessions/{session_id}") as ws:
        assert receive(ws)["type"] == "snapshot"
        return [reply(ws, text) for text in replies]


def test_a_whole_conversation_speaks_the_protocol(browser: Browser) -> None:
    session_id = browser.start("supportive")["id"]
    with browser.ws(f"/ws/sessions/{session_id}") as ws:
        snapshot = receive(ws)
        assert snapshot["type"] == "snapshot" and snapshot["session"]["id"] == session_id
        assert len(snapshot["session"]["turns"]) == 1
        frames = [reply(ws, text) for text in GRANTED]
    score, manager = frames[0][:2]
    assert score["type"] == "score" and score["turn"] == 1
    assert {"score", "detected", "criteria", "feedback", "tone", "ask"} <= set(score)
    assert manager["type"] == "manager" and {"text", "kind", "state", "stage"} <= set(manager)
    end = frames[-1][-1]
    assert end["type"] == "end" and end["outcome"] == "granted"
    assert {"outcome", "score", "summary", "transcript"} <= set(end)
    session = browser.get(f"/api/sessions/{session_id}").json()
    assert session["outcome"] == "granted" and session["finished"] is not None
    assert [t["speaker"] for t in session["turns"]] == ["manager", "user"] * 6 + ["manager"]


def test_reconnecting_gets_one_snapshot_with_every_turn(browser: Browser) -> None:
    session_id = browser.start("supportive")["id"]
    play(browser, session_id, GRANTED[:2])
    with browser.ws(f"/ws/sessions/{session_id}") as ws:
        snapshot = receive(ws)
        assert len(snapshot["session"]["turns"]) == 5
        with pytest.raises(TimeoutError):
            ws.recv(timeout=0.3)  # nothing repeats what the snapshot holds
        frames = reply(ws, GRANTED[2])
    assert frames[0]["turn"] == 5


def test_a_retried_reply_is_answered_from_the_stored_turn(browser: Browser) -> None:
    session_id = browser.start("supportive")["id"]
    with browser.ws(f"/ws/sessions/{session_id}") as ws:
        receive(ws)
        first = reply(ws, GRANTED[0], client_id="r-1")
    with browser.ws(f"/ws/sessions/{session_id}") as ws:
        receive(ws)
        again = reply(ws, GRANTED[0], client_id="r-1")
    assert [f["type"] for f in again] == ["score", "manager"]
    assert again[0]["turn"] == first[0]["turn"] and again[1]["text"] == first[1]["text"]
    turns = browser.get(f"/api/sessions/{session_id}").json()["turns"]
    assert len(turns) == 3 and turns[1]["id"] == "r-1"


ERRORS = [
    ("not json", "bad_json"),
    ("[1, 2]", "bad_message"),
    ('{"type": "shout"}', "bad_message"),
    ('{"type": "reply"}', "bad_message"),
    ('{"type": "reply", "text": 42}', "bad_message"),
    ('{"type": "reply", "text": "hi", "id": 7}', "bad_message"),
    ('{"type": "reply", "text": "   "}', "empty"),
    (json.dumps({"type": "reply", "text": "x" * 2001}), "too_long"),
]


def test_bad_input_gets_its_error_and_the_connection_stays_usable(browser: Browser) -> None:
    session_id = browser.start("supportive")["id"]
    with browser.ws(f"/ws/sessions/{session_id}") as ws:
        receive(ws)
        for frame, code in ERRORS:
            ws.send(frame)
            error = receive(ws)
            assert error["type"] == "error" and error["code"] == code, frame
            assert error["message"]
            time.sleep(PACE)
        assert reply(ws, GRANTED[0])[0]["type"] == "score"
    turns = browser.get(f"/api/sessions/{session_id}").json()["turns"]
    assert len(turns) == 3  # none of the bad frames left a trace


def test_a_flood_is_rate_limited(browser: Browser) -> None:
    session_id = browser.start("supportive")["id"]
    with browser.ws(f"/ws/sessions/{session_id}") as ws:
        receive(ws)
        for _ in range(8):
            ws.send(json.dumps({"type": "reply", "text": "   "}))
        codes = [receive(ws)["code"] for _ in range(8)]
    assert codes.count("rate_limited") == 3 and codes.count("empty") == 5


def test_replies_after_the_end_are_refused(browser: Browser) -> None:
    session_id = browser.start("supportive", start="granted_close")["id"]
    with browser.ws(f"/ws/sessions/{session_id}") as ws:
        receive(ws)
        reply(ws, "Thank you, I'm committed to the team.")
        frames = reply(ws, "Hi Priya, thanks for today. To recap, we agreed on the bonus.")
        assert frames[-1]["type"] == "end"
        again = reply(ws, "one more thing")
    assert again[0]["code"] == "finished"


def test_leave_ends_the_session_abandoned(browser: Browser) -> None:
    session_id = browser.start("supportive")["id"]
    with browser.ws(f"/ws/sessions/{session_id}") as ws:
        receive(ws)
        reply(ws, GRANTED[0])
        ws.send(json.dumps({"type": "leave"}))
        end = receive(ws)
        assert end["type"] == "end" and end["outcome"] == "abandoned"
    assert browser.get(f"/api/sessions/{session_id}").json()["outcome"] == "abandoned"


def test_a_huge_frame_closes_with_1009_and_the_server_stays_up(browser: Browser) -> None:
    session_id = browser.start("supportive")["id"]
    with browser.ws(f"/ws/sessions/{session_id}", max_size=None) as ws:
        receive(ws)
        ws.send("x" * (64 * 1024 + 1))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
    assert browser.get("/healthz").status == 200


def test_a_newer_connection_supersedes_the_older(browser: Browser) -> None:
    session_id = browser.start("supportive")["id"]
    with browser.ws(f"/ws/sessions/{session_id}") as old:
        receive(old)
        with browser.ws(f"/ws/sessions/{session_id}") as new:
            receive(new)
            error = receive(old)
            assert error["type"] == "error" and error["code"] == "superseded"
            with pytest.raises(ConnectionClosed) as closed:
                old.recv(timeout=10)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4000
            assert reply(new, GRANTED[0])[0]["turn"] == 1
    turns = browser.get(f"/api/sessions/{session_id}").json()["turns"]
    assert [t["index"] for t in turns] == [0, 1, 2]


def test_a_foreign_origin_is_refused_before_the_handshake(browser: Browser) -> None:
    session_id = browser.start("supportive")["id"]
    with pytest.raises(InvalidStatus) as refused:
        browser.ws(f"/ws/sessions/{session_id}", origin="https://evil.example")
    assert refused.value.response.status_code == 403
    with browser.ws(f"/ws/sessions/{session_id}", origin=browser.base_url) as ws:
        assert receive(ws)["type"] == "snapshot"


@pytest.mark.parametrize("path", ["/ws/sessions/", "/ws/sessions/a/b", "/ws/other", "/ws"])
def test_a_websocket_to_any_other_path_is_refused(browser: Browser, path: str) -> None:
    # The practice socket is answered before FastAPI's routing; everything else still goes
    # through it, and a path nobody serves is refused at the handshake.
    with pytest.raises(InvalidStatus) as refused:
        browser.ws(path)
    assert refused.value.response.status_code == 403


def test_another_owner_is_refused(server: str) -> None:
    alice, mallory = Browser(server), Browser(server)
    session_id = alice.start("supportive")["id"]
    mallory.get("/api/sessions")  # mallory has a cookie of her own
    with mallory.ws(f"/ws/sessions/{session_id}") as ws:
        error = receive(ws)
        assert error["code"] == "not_found"
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4404
    with Browser(server).ws(f"/ws/sessions/{session_id}") as ws:  # no cookie at all
        assert receive(ws)["code"] == "not_found"


def test_metrics_count_turns_sessions_and_errors(browser: Browser) -> None:
    session_id = browser.start("supportive")["id"]
    with browser.ws(f"/ws/sessions/{session_id}") as ws:
        receive(ws)
        reply(ws, GRANTED[0])
        reply(ws, "   ")
        metrics = browser.get("/metrics").text
    assert "rehearse_turn_seconds_bucket" in metrics
    assert "rehearse_turns_total" in metrics and "rehearse_active_sessions" in metrics
    assert 'rehearse_errors_total{code="empty"}' in metrics
