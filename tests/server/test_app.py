"""The scoring API and page, through the in-process client."""

from __future__ import annotations

from fastapi.testclient import TestClient

from server.app import create_app

client = TestClient(create_app())


def test_healthz() -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_score_endpoint_returns_the_scorers_json() -> None:
    response = client.post(
        "/api/score", json={"text": "Thanks! I'd like a bonus of 8%.", "stage": "ask"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["ask"] == {"percent": 8}
    assert "gratitude" in body["detected"]


def test_empty_reply_is_a_422_with_its_code() -> None:
    response = client.post("/api/score", json={"text": "  "})
    assert response.status_code == 422
    assert response.json()["detail"]["code"] == "empty"


def test_unknown_stage_is_a_422_naming_it() -> None:
    response = client.post("/api/score", json={"text": "hello", "stage": "closng"})
    assert response.status_code == 422
    assert "closng" in response.text


def test_pages_carry_a_content_security_policy() -> None:
    response = client.get("/")
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "default-src 'self'" in policy
    assert "/static/score.js" in response.text
    assert client.get("/static/score.js").status_code == 200
