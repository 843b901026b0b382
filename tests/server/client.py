"""A test client that behaves like one browser: it keeps its cookie across HTTP and websocket."""

from __future__ import annotations

import http.cookiejar
import json
import time
import urllib.error
import urllib.request
from typing import Any

from websockets.sync.client import ClientConnection, connect

Headers = dict[str, str]


class Reply:
    def __init__(self, status: int, body: bytes, headers: Any) -> None:
        self.status = status
        self.body = body
        self.headers = headers

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


class Browser:
    """One visitor (one cookie jar) talking to a running server."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(
        self, method: str, path: str, body: Any = None, headers: Headers | None = None
    ) -> Reply:
        data = None
        sent = dict(headers or {})
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            sent.setdefault("Content-Type", "application/json")
        request = urllib.request.Request(self.base_url + path, data, sent, method=method)
        try:
            with self.opener.open(request, timeout=30) as response:
                return Reply(response.status, response.read(), response.headers)
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, exc.read(), exc.headers)

    def get(self, path: str, headers: Headers | None = None) -> Reply:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, body: Any, headers: Headers | None = None) -> Reply:
        return self.request("POST", path, body, headers)

    def delete(self, path: str, headers: Headers | None = None) -> Reply:
        return self.request("DELETE", path, headers=headers)

    def start(self, scenario: str = "supportive", **extra: Any) -> dict[str, Any]:
        reply = self.post("/api/sessions", {"scenario": scenario, "seed": 1, **extra})
        assert reply.status == 201, reply.text
        created: dict[str, Any] = reply.json()
        return created

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def ws(self, path: str, origin: str | None = None, **options: Any) -> ClientConnection:
        ws_url = self.base_url.replace("http://", "ws://") + path
        headers = {"Cookie": self.cookie_header()} if self.cookie_header() else {}
        if origin:
            headers["Origin"] = origin
        connection: ClientConnection = connect(
            ws_url, additional_headers=headers, open_timeout=10, **options
        )
        return connection


def receive(ws: ClientConnection, timeout: float = 15) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(ws.recv(timeout=timeout))
    return frame


PACE = 0.21  # seconds between replies: the server allows five a second


def reply(ws: ClientConnection, text: str, client_id: str | None = None) -> list[dict[str, Any]]:
    """Send a reply and collect its frames: score, manager and, at the end, end.

    Paced like a person typing fast, so as not to trip the five-a-second limit."""
    time.sleep(PACE)
    message: dict[str, Any] = {"type": "reply", "text": text}
    if client_id is not None:
        message["id"] = client_id
    ws.send(json.dumps(message))
    frames = [receive(ws)]
    if frames[0]["type"] == "error":
        return frames
    frames.append(receive(ws))
    if frames[-1].get("ends"):
        frames.append(receive(ws))
    return frames
