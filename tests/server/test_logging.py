"""The access log: off by default (one line per request and per websocket costs CPU under load),
on with --access-log."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.live import REHEARSE, free_port, wait_healthy
from tests.server.client import Browser, receive


def _log_of_one_session(tmp_path: Path, *flags: str) -> str:
    port = free_port()
    log_file = tmp_path / "server.log"
    command = [str(REHEARSE), "serve", "--host", "127.0.0.1", "--port", str(port),
               "--db", f"sqlite:///{tmp_path / 'r.sqlite3'}", *flags]  # fmt: skip
    with log_file.open("wb") as sink:
        process = subprocess.Popen(command, cwd=tmp_path, stdout=sink, stderr=sink)
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_healthy(base_url, process)
            browser = Browser(base_url)
            session_id = browser.start("supportive")["id"]
            with browser.ws(f"/ws/sessions/{session_id}") as ws:
                receive(ws)
        finally:
            process.terminate()
            process.wait(timeout=15)
    return log_file.read_text()


@pytest.mark.parametrize(("flags", "logged"), [((), False), (("--access-log",), True)])
def test_requests_and_websockets_are_logged_only_when_asked(
    tmp_path: Path, flags: tuple[str, ...], logged: bool
) -> None:
    text = _log_of_one_session(tmp_path, *flags)
    assert ("POST /api/sessions" in text) is logged, text
    assert ('"WebSocket /ws/sessions/' in text) is logged, text
    assert "Uvicorn running on" in text  # start-up lines are always there
