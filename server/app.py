"""The FastAPI application: pages, the JSON API, the practice websocket, health."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from dialogue.resources import web_root
from dialogue.scenario_loader import load_library
from server import api, pages
from server.db.database import make_engine, ping
from server.db.migrate import secret_key, upgrade
from server.guards import is_json, same_origin
from server.identity import Signer, new_owner, owner_of, set_owner_cookie
from server.metrics import metrics
from server.practice import Practice
from server.settings import Settings
from server.websocket import Hub, SessionSocket
from server.writer import Writer

log = logging.getLogger("rehearse")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
Handler = Callable[[Request], Awaitable[Response]]


def _problem(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"detail": {"code": code, "message": message}}, status_code=status)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application for `settings` (default: from REHEARSE_* environment variables)."""
    config = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(config.db)
        await run_in_threadpool(upgrade, engine)
        secret = await run_in_threadpool(secret_key, engine, config.secret_key)
        library = load_library(config.scenario_dirs)
        for problem in library.problems:
            log.warning("scenario skipped or flagged: %s", problem)
        app.state.engine = engine
        app.state.practice = Practice(engine, library)
        app.state.signer = Signer(secret)
        app.state.hub = Hub()
        app.state.writer = Writer(engine)
        yield
        app.state.writer.close()
        engine.dispose()

    app = FastAPI(title="Rehearse", version="0.1.0", lifespan=lifespan)
    root = web_root()
    app.mount("/static", StaticFiles(directory=str(root / "static")), name="static")

    @app.middleware("http")
    async def identity_and_guards(request: Request, call_next: Handler) -> Response:
        if request.method in UNSAFE_METHODS and request.url.path.startswith("/api/"):
            if not same_origin(request):
                return _problem(403, "forbidden_origin", "requests from other sites are refused")
            if request.method != "DELETE" and not is_json(request.headers.get("content-type")):
                return _problem(415, "unsupported_media_type", "send application/json")
        signer: Signer = request.app.state.signer
        owner = owner_of(request, signer)
        fresh = owner is None
        request.state.owner = owner or new_owner()
        response = await call_next(request)
        if fresh:
            secure = request.url.scheme == "https"
            set_owner_cookie(response, signer, request.state.owner, secure)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    @app.get("/healthz", response_model=None)
    async def healthz(request: Request) -> Any:
        try:
            await run_in_threadpool(ping, request.app.state.engine)
        except Exception as exc:
            return JSONResponse({"status": "unavailable", "detail": str(exc)[:200]}, 503)
        return {"status": "ok"}

    @app.websocket("/ws/sessions/{session_id}")
    async def practice_socket(websocket: WebSocket, session_id: str) -> None:
        state = websocket.app.state
        socket = SessionSocket(
            websocket,
            session_id=session_id,
            practice=state.practice,
            hub=state.hub,
            rate=config.replies_per_second,
            writer=state.writer,
        )
        await socket.run(state.signer)

    app.add_route("/metrics", metrics, include_in_schema=False)
    app.include_router(api.router)
    app.include_router(pages.router)
    return app
