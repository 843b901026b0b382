"""The HTTP contract through a real uvicorn, on SQLite and on PostgreSQL."""

from __future__ import annotations

from tests.server.client import Browser


def test_healthz(browser: Browser) -> None:
    reply = browser.get("/healthz")
    assert reply.status == 200 and reply.json() == {"status": "ok"}


def test_scenarios_describe_managers_and_drills(browser: Browser) -> None:
    scenarios = browser.get("/api/scenarios").json()
    assert len(scenarios) >= 6
    first = next(s for s in scenarios if s["id"] == "supportive")
    assert {"id", "title", "description", "difficulty", "tags", "manager", "drills"} <= set(first)
    assert set(first["manager"]) == {"name", "role", "style"}
    assert {"state", "label"} <= set(first["drills"][0])


def test_first_request_sets_a_signed_httponly_samesite_cookie(browser: Browser) -> None:
    reply = browser.get("/api/sessions")
    cookie = reply.headers["set-cookie"]
    assert cookie.startswith("rehearse_owner=") and "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert browser.get("/api/sessions").headers.get("set-cookie") is None  # kept, not renewed


def test_create_a_session_and_read_its_opening_line(browser: Browser) -> None:
    created = browser.start("supportive")
    session_id = created["id"]
    assert created["ws"] == f"/ws/sessions/{session_id}"
    assert created["transcript"] == f"/transcripts/{session_id}"
    session = browser.get(f"/api/sessions/{session_id}").json()
    assert {"id", "scenario", "seed", "state", "stage", "started", "finished", "outcome",
            "score", "summary", "turns"} <= set(session)  # fmt: skip
    assert session["finished"] is None and session["seed"] == 1
    opening = session["turns"][0]
    assert opening["index"] == 0 and opening["speaker"] == "manager"
    assert opening["kind"] == "narration" and opening["stage"] == "meeting_request"


def test_a_drill_starts_at_its_state_with_what_was_prepared(browser: Browser) -> None:
    prepared = {"ask": "10%", "market_research": "Levels.fyi: 8-12%", "accomplishments": ["x 5%"]}
    created = browser.start("supportive", start="counter", prepared=prepared)
    session = browser.get(f"/api/sessions/{created['id']}").json()
    assert session["turns"][0]["state"] == "counter" and session["prepared"]["ask"] == "10%"


def test_unknown_scenario_is_404_naming_it(browser: Browser) -> None:
    reply = browser.post("/api/sessions", {"scenario": "nope"})
    assert reply.status == 404 and "nope" in reply.text and "supportive" in reply.text


def test_unknown_state_or_bad_field_is_422_naming_it(browser: Browser) -> None:
    reply = browser.post("/api/sessions", {"scenario": "supportive", "start": "closng"})
    assert reply.status == 422 and "closng" in reply.text
    reply = browser.post("/api/sessions", {"scenario": "supportive", "seed": "soon"})
    assert reply.status == 422 and "seed" in reply.text
    reply = browser.post("/api/sessions", {"scenario": "supportive", "colour": "blue"})
    assert reply.status == 422 and "colour" in reply.text


def test_sessions_are_listed_newest_first(browser: Browser) -> None:
    first = browser.start("supportive")["id"]
    second = browser.start("budget-freeze")["id"]
    listed = browser.get("/api/sessions").json()
    assert [s["id"] for s in listed[:2]] == [second, first]
    assert {"id", "scenario", "started", "finished", "outcome", "score"} <= set(listed[0])


def test_exports(browser: Browser) -> None:
    session_id = browser.start("supportive")["id"]
    md = browser.get(f"/api/sessions/{session_id}/export?format=md")
    assert md.status == 200 and md.headers["content-type"].startswith("text/markdown")
    assert md.text.startswith("# The supportive manager")
    js = browser.get(f"/api/sessions/{session_id}/export?format=json")
    assert js.json()["id"] == session_id
    assert browser.get(f"/api/sessions/{session_id}/export?format=pdf").status == 422


def test_delete_removes_a_session_for_good(browser: Browser) -> None:
    session_id = browser.start("supportive")["id"]
    assert browser.delete(f"/api/sessions/{session_id}").status == 204
    assert browser.get(f"/api/sessions/{session_id}").status == 404
    assert session_id not in [s["id"] for s in browser.get("/api/sessions").json()]
    assert browser.delete(f"/api/sessions/{session_id}").status == 404


def test_owners_cannot_see_each_others_sessions(server: str) -> None:
    alice, mallory = Browser(server), Browser(server)
    session_id = alice.start("supportive")["id"]
    assert mallory.get(f"/api/sessions/{session_id}").status == 404
    assert mallory.get(f"/transcripts/{session_id}").status == 404
    assert mallory.get(f"/api/sessions/{session_id}/export?format=json").status == 404
    assert mallory.delete(f"/api/sessions/{session_id}").status == 404
    assert session_id not in [s["id"] for s in mallory.get("/api/sessions").json()]
    assert alice.get(f"/api/sessions/{session_id}").status == 200


def test_a_forged_cookie_is_a_new_owner(server: str) -> None:
    alice = Browser(server)
    session_id = alice.start("supportive")["id"]
    value = next(c for c in alice.jar if c.name == "rehearse_owner").value
    assert value is not None
    owner = value.split(".")[0]
    forged = Browser(server)
    reply = forged.get(f"/api/sessions/{session_id}", {"Cookie": f"rehearse_owner={owner}.bad"})
    assert reply.status == 404


def test_state_changes_refuse_a_foreign_origin_and_non_json(browser: Browser, server: str) -> None:
    evil = {"Origin": "https://evil.example"}
    reply = browser.post("/api/sessions", {"scenario": "supportive"}, evil)
    assert reply.status == 403 and "forbidden_origin" in reply.text
    session_id = browser.start("supportive")["id"]
    assert browser.delete(f"/api/sessions/{session_id}", evil).status == 403
    form = browser.post(
        "/api/sessions",
        b"scenario=supportive",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert form.status == 415
    same = {"Origin": server}
    assert browser.post("/api/sessions", {"scenario": "supportive"}, same).status == 201


def test_score_endpoint(browser: Browser) -> None:
    reply = browser.post("/api/score", {"text": "Thanks! I'd like a bonus of 8%.", "stage": "ask"})
    assert reply.status == 200 and reply.json()["ask"] == {"percent": 8}
    assert browser.post("/api/score", {"text": " "}).status == 422


def test_a_transcript_with_markup_renders_inert(browser: Browser) -> None:
    session_id = browser.start("supportive")["id"]
    from tests.server.test_websocket import play  # noqa: PLC0415 - shared helper

    play(browser, session_id, ["<script>alert('x')</script> could we book 30 minutes?"])
    page = browser.get(f"/transcripts/{session_id}").text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page


def test_pages_carry_a_content_security_policy(browser: Browser) -> None:
    policy = browser.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in policy and "default-src 'self'" in policy
