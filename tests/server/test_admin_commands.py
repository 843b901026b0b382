"""`rehearse db upgrade` and `rehearse export`, on a database a server wrote."""

from __future__ import annotations

import json

from tests.conversations import GRANTED
from tests.server.client import Browser
from tests.server.test_score_command import rehearse
from tests.server.test_websocket import play


def test_db_upgrade_is_idempotent(db_url: str) -> None:
    for _ in range(2):
        done = rehearse("db", "upgrade", "--db", db_url)
        assert done.returncode == 0, done.stderr
        assert b"up to date" in done.stdout


def test_export_writes_a_transcript(server: str, db_url: str) -> None:
    browser = Browser(server)
    session_id = browser.start("supportive")["id"]
    play(browser, session_id, GRANTED[:2])
    md = rehearse("export", session_id, "--format", "md", "--db", db_url)
    assert md.returncode == 0, md.stderr
    text = md.stdout.decode()
    assert text.startswith("# The supportive manager") and GRANTED[1] in text
    js = rehearse("export", session_id, "--format", "json", "--db", db_url)
    exported = json.loads(js.stdout)
    assert exported == browser.get(f"/api/sessions/{session_id}").json()
    missing = rehearse("export", "nope", "--db", db_url)
    assert missing.returncode == 1 and b"no practice session 'nope'" in missing.stderr
