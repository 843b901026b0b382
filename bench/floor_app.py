"""The floor: a bare FastAPI websocket that answers each reply with two frames and does no work.

Same routes and frame sizes as Rehearse, so the load client can drive both the same way.
"""

from __future__ import annotations

import json
import secrets

from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()

_SCORE = {"type": "score", "turn": 1, "score": 80, "detected": ["purpose_stated"],
          "criteria": {f"criterion_{i}": {"met": False, "evidence": []} for i in range(18)},
          "feedback": [{"criterion": "gratitude", "section": "script", "message": "x" * 180}] * 3,
          "tone": 0.5, "ask": None}  # fmt: skip
_MANAGER = {"type": "manager", "index": 2, "text": "y" * 140, "kind": "greeting",
            "state": "opening", "stage": "opening", "ends": False}  # fmt: skip


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/api/sessions", status_code=201)
async def create() -> dict[str, str]:
    session_id = secrets.token_urlsafe(16)
    return {"id": session_id, "ws": f"/ws/sessions/{session_id}"}


@app.websocket("/ws/sessions/{session_id}")
async def session(websocket: WebSocket, session_id: str) -> None:
    await websocket.accept()
    await websocket.send_text(json.dumps({"type": "snapshot", "session": {"id": session_id}}))
    try:
        while True:
            message = json.loads(await websocket.receive_text())
            turn = dict(_SCORE, text=message.get("text", ""))
            await websocket.send_text(json.dumps(turn))
            await websocket.send_text(json.dumps(_MANAGER))
    except WebSocketDisconnect:
        return
