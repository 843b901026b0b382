"""Processes keep no session state: a conversation moves between servers sharing PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed

from tests.conversations import GRANTED
from tests.databases import postgres_database
from tests.live import ServerProcess
from tests.server.client import Browser, receive, reply


@pytest.fixture(scope="module")
def shared_postgres() -> Iterator[str]:
    with postgres_database() as url:
        yield url


@pytest.fixture
def two_servers(
    shared_postgres: str, tmp_path: Path
) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    first = ServerProcess("--db", shared_postgres, cwd=tmp_path)
    second = ServerProcess("--db", shared_postgres, cwd=tmp_path)
    first.start()
    second.start()
    try:
        yield first, second
    finally:
        first.stop()
        second.stop()


def test_a_live_conversation_moves_between_two_processes(
    two_servers: tuple[ServerProcess, ServerProcess],
) -> None:
    first, second = two_servers
    on_first = Browser(first.base_url)
    session_id = on_first.start("supportive")["id"]
    on_second = Browser(second.base_url)
    on_second.jar = on_first.jar  # the same browser; both servers accept its signed cookie
    with on_first.ws(f"/ws/sessions/{session_id}") as old:
        receive(old)
        for text in GRANTED[:2]:
            reply(old, text)
        with on_second.ws(f"/ws/sessions/{session_id}") as new:
            snapshot = receive(new)
            assert len(snapshot["session"]["turns"]) == 5
            frames = reply(new, GRANTED[2])
            assert frames[0]["turn"] == 5
            # The older connection, on the other process, learns it was superseded on its
            # next message, and nothing it sends is applied.
            old.send(json.dumps({"type": "reply", "text": GRANTED[3]}))
            assert receive(old)["code"] == "superseded"
            with pytest.raises(ConnectionClosed):
                old.recv(timeout=10)
            for text in GRANTED[3:]:
                frames = reply(new, text)
    assert frames[-1]["type"] == "end" and frames[-1]["outcome"] == "granted"
    turns = on_first.get(f"/api/sessions/{session_id}").json()["turns"]
    assert [t["index"] for t in turns] == list(range(13))


def test_several_workers_serve_one_conversation(shared_postgres: str, tmp_path: Path) -> None:
    server = ServerProcess("--db", shared_postgres, "--workers", "2", cwd=tmp_path)
    server.start()
    try:
        browser = Browser(server.base_url)
        session_id = browser.start("supportive")["id"]
        for text in GRANTED:  # a new connection per reply: any worker may take it
            with browser.ws(f"/ws/sessions/{session_id}") as ws:
                receive(ws)
                frames = reply(ws, text)
        assert frames[-1]["outcome"] == "granted"
    finally:
        server.stop()
