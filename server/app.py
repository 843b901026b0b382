"""The FastAPI application: pages, the JSON API, the practice websocket, health."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Final

from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from dialogue.lexicon import compile_all
from dialogue.resources import web_root
from dialogue.scenario_loader import load_library
from server import api, pages
from server.db.database import make_engine, ping
from server.db.migrate import secret_key, upgrade
from server.gc_tuning import COLLECTOR
from server.identity import Signer
from server.metrics import GC_RECLAIM_SECONDS, GC_RECLAIMED, metrics
from server.middleware import IdentityAndGuards
from server.practice import Practice
from server.settings import Settings
from server.turns import Turns
from server.websocket import Hub, SessionSocket

log = logging.getLogger("rehearse")

PRACTICE_SOCKET_PREFIX: Final = "/ws/sessions/"


class RehearseApp(FastAPI):
    """FastAPI, with the practice websocket answered before FastAPI's middleware and routing.

    A thousand practice websockets stay open at once. Through the full stack each one kept 24
    coroutines and ~200 other objects alive (exit stacks, solved dependencies, wrappers), which
    every full garbage collection walked: 60-110 ms pauses at 1,000 connections. The socket
    checks its own origin and identity, so it needs none of those layers.
    """

    replies_per_second: int  # set by create_app, from the settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            session_id = practice_session_id(scope["path"], scope.get("root_path", ""))
            if session_id is not None:
                scope["app"] = self
                await self._practice_socket(WebSocket(scope, receive, send), session_id)
                return
        await super().__call__(scope, receive, send)

    async def _practice_socket(self, websocket: WebSocket, session_id: str) -> None:
        state = self.state
        socket = SessionSocket(
            websocket,
            session_id=session_id,
            turns=state.turns,
            hub=state.hub,
            rate=self.replies_per_second,
        )
        await socket.run(state.signer)


def practice_session_id(path: str, root_path: str = "") -> str | None:
    """The session id in /ws/sessions/{id} (below the root path a proxy mounts us at), or None
    for any other path."""
    if root_path and path.startswith(root_path):
        path = path[len(root_path) :]
    if not path.startswith(PRACTICE_SOCKET_PREFIX):
        return None
    session_id = path[len(PRACTICE_SOCKET_PREFIX) :]
    return session_id if session_id and "/" not in session_id else None


def _quiet_websocket_lines(record: logging.LogRecord) -> bool:
    """uvicorn and websockets log each websocket connection on the error log; with the access
    log off, drop those lines too."""
    message = str(record.msg)
    return not (message.startswith('%s - "WebSocket ') or message == "connection open")


def _count_reclaim(found: int, seconds: float) -> None:
    """A reclaim of the collector's (server.gc_tuning), at /metrics and in the log."""
    GC_RECLAIM_SECONDS.observe(seconds)
    GC_RECLAIMED.inc(found)
    log.info("garbage collector: reclaimed %d objects in %.0f ms", found, seconds * 1000)


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
        COLLECTOR.install(on_reclaim=_count_reclaim)
        # POST /api/score scores here, on the event loop: compile the scorer's phrase groups
        # now, beside the first requests, rather than a few at a time inside early scorings.
        threading.Thread(target=compile_all, name="compile-phrases", daemon=True).start()
        try:
            yield
        finally:
            COLLECTOR.uninstall()
            await app.state.turns.close()
            engine.dispose()

    app = RehearseApp(title="Rehearse", version="0.1.0", lifespan=lifespan)
    app.replies_per_second = config.replies_per_second
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

    app.add_route("/metrics", metrics, include_in_schema=False)
    app.include_router(api.router)
    app.include_router(pages.router)
    return app
