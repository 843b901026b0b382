"""The benchmark's load client plays whole conversations against a real server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.live import serving


def test_the_load_client_plays_conversations_to_their_end_without_errors(tmp_path: Path) -> None:
    with serving("--db", f"sqlite:///{tmp_path / 'load.sqlite3'}") as base_url:
        done = subprocess.run(
            [sys.executable, "-m", "bench.load_client", "--url", base_url, "--sessions", "4",
             "--duration", "4", "--ramp", "0.2", "--think", "0.3", "--jitter", "0.05"],
            capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
    figures = json.loads(done.stdout)
    assert figures["errors"] == {}
    assert figures["conversations"] >= 4  # each played its six replies to the meeting's end
    assert figures["turns"] >= 6 * figures["conversations"]
    assert 0 < figures["p50_ms"] <= figures["p99_ms"]
