"""The FastAPI application: pages, the JSON API, the practice websocket, health."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from dialogue.resources import web_root
from dialogue.scenario_loader import load_library
from server import api, pages
from server.db.database import make_engine, ping
from server.db.migrate import secret_key, upgrade
from server.gc_tuning import quiet_garbage_collector
from server.identity import Signer
from server.metrics import metrics
from server.middleware import IdentityAndGuards
from server.practice import Practice
from server.settings import Settings
from server.turns import Turns
from server.websocket import Hub, SessionSocket

log = logging.getLogger("rehearse")


def _quiet_websocket_lines(record: logging.LogRecord) -> bool:
    """uvicorn and websockets log each websocket connection on the error log; with the access
    log off, drop those lines too."""
    message = str(record.msg)
    return not (message.startswith('%s - "WebSocket ') or message == "connection open")


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application for `settings` (default: from REHEARSE_* environment variables)."""
    config = settings or Settings()
    if not config.access_log:
        logging.getLogger("uvicorn.error").addFilter(_quiet_websocket_lines)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The turn process starts first: it loads its scenarios while this one migrates.
        # Requests sent before it is ready wait in its pipe, so start-up does not wait for it.
        app.state.turns = Turns(config)
        await app.state.turns.start()
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
        quiet_garbage_collector()
        yield
        await app.state.turns.close()
        engine.dispose()

    app = FastAPI(title="Rehearse", version="0.1.0", lifespan=lifespan)
    root = web_root()
    app.mount("/static", StaticFiles(directory=str(root / "static")), name="static")

    app.add_middleware(IdentityAndGuards)

    @app.get("/healthz", response_model=None)
    async def healthz(request: Request) -> Any:
        try:
            await run_in_threadpool(ping, request.app.state.engine)
        except Exception as exc:
            return JSONResponse({"status": "unavailable", "detail": str(exc)[:200]}, 503)
        if not request.app.state.turns.alive:
            detail = "the turn process is restarting"
            return JSONResponse({"status": "unavailable", "detail": detail}, 503)
        return {"status": "ok"}

    @app.websocket("/ws/sessions/{session_id}")
    async def practice_socket(websocket: WebSocket, session_id: str) -> None:
        state = websocket.app.state
        socket = SessionSocket(
            websocket,
            session_id=session_id,
            turns=state.turns,
            hub=state.hub,
            rate=config.replies_per_second,
        )
        await socket.run(state.signer)

    app.add_route("/metrics", metrics, include_in_schema=False)
    app.include_router(api.router)
    app.include_router(pages.router)
    return app
