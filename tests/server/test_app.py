"""The app in-process (its lifespan runs migrations on a temporary SQLite file)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server.app import create_app, practice_session_id
from server.settings import Settings


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(db=f"sqlite:///{tmp_path / 'app.sqlite3'}", secret_key="test-key")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_is_503_when_the_database_is_gone(client: TestClient) -> None:
    client.app.state.engine.dispose()  # type: ignore[attr-defined]
    client.app.state.engine = __import__("sqlalchemy").create_engine(  # type: ignore[attr-defined]
        "sqlite:////nonexistent/dir/x.sqlite3"
    )
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["status"] == "unavailable"


def test_score_endpoint_returns_the_scorers_json(client: TestClient) -> None:
    response = client.post(
        "/api/score", json={"text": "Thanks! I'd like a bonus of 8%.", "stage": "ask"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["ask"] == {"percent": 8}
    assert "gratitude" in body["detected"]


def test_empty_reply_is_a_422_with_its_code(client: TestClient) -> None:
    response = client.post("/api/score", json={"text": "  "})
    assert response.status_code == 422
    assert response.json()["detail"]["code"] == "empty"


def test_unknown_stage_is_a_422_naming_it(client: TestClient) -> None:
    response = client.post("/api/score", json={"text": "hello", "stage": "closng"})
    assert response.status_code == 422
    assert "closng" in response.text


@pytest.mark.parametrize(
    ("path", "root_path", "session_id"),
    [
        ("/ws/sessions/abc123", "", "abc123"),
        ("/rehearse/ws/sessions/abc123", "/rehearse", "abc123"),
        ("/ws/sessions/", "", None),
        ("/ws/sessions/a/b", "", None),
        ("/ws/sessionsabc", "", None),
        ("/api/sessions/abc", "", None),
    ],
)
def test_the_practice_socket_path_names_one_session(
    path: str, root_path: str, session_id: str | None
) -> None:
    assert practice_session_id(path, root_path) == session_id
