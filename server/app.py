"""The FastAPI application: for now the scoring API and a page to try it."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ConfigDict, Field

from dialogue import MAX_REPLY_CHARS, STAGES, ReplyRejectedError, Stage, score_reply
from dialogue.resources import web_root

_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


class ScoreRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=MAX_REPLY_CHARS * 2)
    stage: Stage | None = None


def create_app() -> FastAPI:
    app = FastAPI(title="Rehearse", version="0.1.0")
    root = web_root()
    templates = Jinja2Templates(directory=str(root / "templates"))
    app.mount("/static", StaticFiles(directory=str(root / "static")), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", _CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/score")
    async def api_score(body: ScoreRequest) -> dict[str, Any]:
        try:
            return score_reply(body.text, body.stage).to_json()
        except ReplyRejectedError as exc:
            raise HTTPException(status_code=422, detail=exc.to_json()) from exc

    @app.get("/", response_class=HTMLResponse)
    async def home(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(request, "score.html", {"stages": STAGES})

    return app
