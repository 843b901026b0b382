"""The JSON API: scenarios, practice sessions, exports and the scorer."""

from __future__ import annotations

import json
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from dialogue import MAX_REPLY_CHARS, ReplyRejectedError, Stage, score_reply
from dialogue.prepared import Prepared
from server.deps import OwnerDep, PracticeDep, TurnsDep, practice_of
from server.practice import NotFoundError
from server.transcripts import markdown
from server.turn_service import TurnError
from server.turns import Turns

router = APIRouter(prefix="/api")


class NewSession(BaseModel):
    """What starts a practice session."""

    model_config = ConfigDict(extra="forbid")

    scenario: str = Field(min_length=1, max_length=100)
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1)
    start: str | None = Field(default=None, max_length=100)
    prepared: Prepared | None = None


class ScoreRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=MAX_REPLY_CHARS * 4)
    stage: Stage | None = None


def _not_found(session_id: str) -> HTTPException:
    return HTTPException(status_code=404, detail=f"no practice session {session_id!r}")


@router.get("/scenarios")
async def list_scenarios(request: Request) -> list[dict[str, Any]]:
    return practice_of(request).library.listing()


async def start_session(
    turns: Turns,
    *,
    owner: str,
    scenario: str,
    seed: int | None = None,
    start: str | None = None,
    prepared: Prepared | None = None,
) -> dict[str, Any]:
    """Create a session (in the turn process): {id, scenario, seed}, or a 404/422."""
    try:
        (created,) = await turns.call(
            "create",
            owner=owner,
            scenario=scenario,
            seed=seed,
            start=start,
            prepared=prepared.model_dump() if prepared else None,
        )
    except TurnError as exc:
        status = {"unknown_scenario": 404, "bad_start": 422}.get(exc.code, 503)
        raise HTTPException(status_code=status, detail=exc.message) from exc
    session: dict[str, Any] = json.loads(created)
    return session


@router.post("/sessions", status_code=201)
async def create_session(body: NewSession, owner: OwnerDep, turns: TurnsDep) -> Any:
    created = await start_session(
        turns,
        owner=owner,
        scenario=body.scenario,
        seed=body.seed,
        start=body.start,
        prepared=body.prepared,
    )
    session_id = created["id"]
    return {
        **created,
        "ws": f"/ws/sessions/{session_id}",
        "transcript": f"/transcripts/{session_id}",
        "practice": f"/practice/{session_id}",
    }


@router.get("/sessions")
async def list_sessions(practice: PracticeDep, owner: OwnerDep) -> list[dict[str, Any]]:
    return await run_in_threadpool(practice.sessions_of, owner)


@router.get("/sessions/{session_id}")
async def get_session(session_id: str, practice: PracticeDep, owner: OwnerDep) -> dict[str, Any]:
    try:
        return await run_in_threadpool(practice.transcript, session_id, owner)
    except NotFoundError as exc:
        raise _not_found(session_id) from exc


@router.get("/sessions/{session_id}/export", response_model=None)
async def export_session(
    session_id: str,
    practice: PracticeDep,
    owner: OwnerDep,
    format: Literal["md", "json"] = "md",
) -> Response:
    try:
        session = await run_in_threadpool(practice.transcript, session_id, owner)
    except NotFoundError as exc:
        raise _not_found(session_id) from exc
    filename = f"rehearse-{session['scenario']}-{session_id}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if format == "json":
        return JSONResponse(session, headers=headers)
    manager = practice.library.engines.get(session["scenario"])
    name = manager.spec.manager.name if manager else "Manager"
    return PlainTextResponse(
        markdown(session, name), media_type="text/markdown; charset=utf-8", headers=headers
    )


@router.delete("/sessions/{session_id}", status_code=204)
async def delete_session(session_id: str, practice: PracticeDep, owner: OwnerDep) -> Response:
    try:
        await run_in_threadpool(practice.delete, session_id, owner)
    except NotFoundError as exc:
        raise _not_found(session_id) from exc
    return Response(status_code=204)


@router.post("/score")
async def api_score(body: ScoreRequest) -> dict[str, Any]:
    try:
        return score_reply(body.text, body.stage).to_json()
    except ReplyRejectedError as exc:
        raise HTTPException(status_code=422, detail=exc.to_json()) from exc
