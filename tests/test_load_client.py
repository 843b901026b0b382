"""The benchmark's load client: whole conversations against a real server, and the answers to
its POSTs read as a browser's would be."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.load_client import PostRefusedError, read_created
from tests.live import serving

REPO = Path(__file__).resolve().parent.parent


def test_the_load_client_plays_conversations_to_their_end_without_errors(tmp_path: Path) -> None:
    with serving("--db", f"sqlite:///{tmp_path / 'load.sqlite3'}") as base_url:
        done = subprocess.run(
            [sys.executable, "-m", "bench.load_client", "--url", base_url, "--sessions", "4",
             "--duration", "4", "--ramp", "0.2", "--think", "0.3", "--jitter", "0.05",
             "--nice", "5"],
            capture_output=True, text=True, timeout=60, check=True, cwd=REPO,
        )  # fmt: skip
    figures = json.loads(done.stdout)
    assert figures["errors"] == {}
    assert figures["conversations"] >= 4  # each played its six replies to the meeting's end
    assert figures["turns"] >= 6 * figures["conversations"]
    assert 0 < figures["p50_ms"] <= figures["p99_ms"]
    assert 0 < figures["machine_busy_percent"] <= 100
    assert figures["nice"] == min(19, os.nice(0) + 5)  # below the server it measures


def _read(answer: bytes, cookie: str = "") -> tuple[str, str]:
    async def read() -> tuple[str, str]:
        reader = asyncio.StreamReader()
        reader.feed_data(answer)
        reader.feed_eof()
        return await read_created(reader, cookie)

    return asyncio.run(read())


def test_a_created_session_gives_its_websocket_path_and_the_identity_cookie() -> None:
    body = b'{"id":"abc","ws":"/ws/sessions/abc"}'
    answer = (b"HTTP/1.1 201 Created\r\ncontent-type: application/json\r\n"
              b"set-cookie: rehearse_id=signed; Path=/; HttpOnly\r\n"
              b"content-length: %d\r\n\r\n%s") % (len(body), body)  # fmt: skip
    assert _read(answer) == ("/ws/sessions/abc", "rehearse_id=signed")
    no_cookie = answer.replace(b"set-cookie: rehearse_id=signed; Path=/; HttpOnly\r\n", b"")
    assert _read(no_cookie, "rehearse_id=kept") == ("/ws/sessions/abc", "rehearse_id=kept")


@pytest.mark.parametrize(
    ("answer", "counted_as"),
    [
        (b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 2\r\n\r\n{}", "http 503"),
        (b'HTTP/1.1 201 Created\r\ncontent-length: 40\r\n\r\n{"ws":', "http answer unreadable"),
        (b"HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\n{}", "http answer unreadable"),
        (b"", "http answer unreadable"),
    ],
)
def test_a_refused_or_broken_answer_is_an_error_to_count_not_a_crash(
    answer: bytes, counted_as: str
) -> None:
    with pytest.raises(PostRefusedError) as refused:
        _read(answer)
    assert refused.value.what.startswith(counted_as)
