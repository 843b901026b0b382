"""Server-rendered pages (Jinja2, autoescaped): user text is always shown as text."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from dialogue import STAGES
from dialogue.resources import web_root
from server.practice import NotFoundError, Practice

router = APIRouter()
templates = Jinja2Templates(directory=str(web_root() / "templates"))


def _practice(request: Request) -> Practice:
    practice: Practice = request.app.state.practice
    return practice


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(request, "score.html", {"stages": STAGES})


@router.get("/transcripts/{session_id}", response_class=HTMLResponse)
async def transcript_page(request: Request, session_id: str) -> HTMLResponse:
    practice = _practice(request)
    try:
        session: dict[str, Any] = await run_in_threadpool(
            practice.transcript, session_id, request.state.owner
        )
    except NotFoundError as exc:
        raise HTTPException(status_code=404, detail=f"no practice session {session_id!r}") from exc
    engine = practice.library.engines.get(session["scenario"])
    manager = engine.spec.manager.name if engine else "Manager"
    return templates.TemplateResponse(
        request, "transcript.html", {"session": session, "manager": manager}
    )
