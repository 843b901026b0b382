"""The turn process (scoring, the conversation, the writes) can die at any moment: the web server
stays up, tells the client, starts another, and no acknowledged turn is lost or applied twice."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from tests.conversations import GRANTED
from tests.live import ServerProcess
from tests.server.client import Browser, receive, reply


def _turn_process(server_pid: int, timeout: float = 20) -> int:
    """The pid of the server's turn process (waiting for one to be running)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat[1]) == server_pid and b"server.turn_worker" in command:
                return int(entry.name)
        time.sleep(0.05)
    raise AssertionError("the server has no turn process")


def test_killing_the_turn_process_loses_nothing_acknowledged(killable: ServerProcess) -> None:
    server = killable
    assert server.process is not None
    browser = Browser(server.base_url)
    session_id = browser.start("supportive")["id"]
    acknowledged: list[str] = []
    with browser.ws(f"/ws/sessions/{session_id}") as ws:
        receive(ws)
        for number, text in enumerate(GRANTED):
            client_id = f"reply-{number}"
            if number in (1, 3):
                # Killed with the reply in flight: the client is told, the connection stays.
                worker = _turn_process(server.process.pid)
                time.sleep(0.21)
                ws.send(f'{{"type":"reply","text":"{text}","id":"{client_id}"}}')
                os.kill(worker, signal.SIGKILL)
                first = receive(ws)
                if first["type"] == "error":
                    assert first["code"] == "internal", first
                else:  # it was answered before it died: drain the manager frame
                    assert first["type"] == "score"
                    receive(ws)
                assert _turn_process(server.process.pid) != worker  # a new one took over
            frames = reply(ws, text, client_id)  # a retry is applied once, either way
            while frames[0]["type"] == "error" and frames[0]["code"] == "internal":
                time.sleep(0.2)  # the new turn process is still starting
                frames = reply(ws, text, client_id)
            assert [f["type"] for f in frames[:2]] == ["score", "manager"], frames
            acknowledged.append(text)
    transcript = browser.get(f"/api/sessions/{session_id}").json()
    user_turns = [t["text"] for t in transcript["turns"] if t["speaker"] == "user"]
    assert user_turns == acknowledged == GRANTED
    assert transcript["outcome"] == "granted"
    assert browser.get("/healthz").status == 200
