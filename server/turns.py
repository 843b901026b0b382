"""The web server's side of the turn process (server.turn_worker): start it, ask, await answers.

One turn process per web server process. If it dies, every request it had not answered fails
with `internal` (nothing of those was acknowledged, so nothing acknowledged is lost), and a new
one starts; the conversations it held are read again from the database on their next turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import sys
from typing import Any, Final

from server.settings import Settings
from server.turn_service import NO_ANSWER, TurnError

log = logging.getLogger("rehearse")

LINE_LIMIT: Final = 64 * 1024 * 1024  # a snapshot frame holds the whole transcript
RESTART_DELAY: Final = 0.5  # seconds: a process that cannot start does not spin


class Turns:
    """Sends requests to the turn process and hands back its answers."""

    def __init__(self, settings: Settings) -> None:
        self._env = {
            **os.environ,
            "REHEARSE_DB": settings.db,
            "REHEARSE_SCENARIO_DIRS": json.dumps(settings.scenario_dirs),
        }
        self._numbers = itertools.count(1)
        self._pending: dict[int, asyncio.Future[list[str]]] = {}
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._closing = False
        self._starting: asyncio.Future[None] | None = None

    async def start(self) -> None:
        """Start the process; requests sent before it has started wait in its pipe."""
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "server.turn_worker",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env=self._env,
            limit=LINE_LIMIT,
        )
        self._reader = asyncio.create_task(self._read(self._process))

    @property
    def alive(self) -> bool:
        """Running (perhaps still starting: requests wait for it), not exited."""
        return self._process is not None and self._process.returncode is None

    async def close(self) -> None:
        self._closing = True
        process = self._process
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def call(self, op: str, **arguments: Any) -> list[str]:
        """The answer's JSON texts; TurnError when the request is refused or fails."""
        process = self._process
        assert process is not None and process.stdin is not None, "start() first"
        if process.returncode is not None or process.stdin.is_closing():
            raise TurnError("internal", "the server is restarting a part of itself; try again")
        number = next(self._numbers)
        future: asyncio.Future[list[str]] = asyncio.get_running_loop().create_future()
        self._pending[number] = future
        process.stdin.write(_line(number, op, arguments))
        try:
            return await future
        finally:
            self._pending.pop(number, None)

    def tell(self, op: str, **arguments: Any) -> None:
        """Send a request that wants no answer (closing a connection)."""
        process = self._process
        if process is not None and process.stdin is not None and not process.stdin.is_closing():
            process.stdin.write(_line(NO_ANSWER, op, arguments))

    async def _read(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        try:
            while line := await process.stdout.readline():
                if line != b"ready\n":  # the first line says it has started
                    self._answer(line)
        finally:
            self._fail_all()
            code = await process.wait()
            if not self._closing:
                log.error("the turn process stopped (exit %s); starting another", code)
                asyncio.get_running_loop().call_later(RESTART_DELAY, self._restart)

    def _answer(self, line: bytes) -> None:
        number, status, *parts = line.rstrip(b"\n").decode("utf-8").split("\t")
        future = self._pending.get(int(number))
        if future is None or future.done():
            return
        if status == "ok":
            future.set_result(parts)
        else:
            future.set_exception(TurnError(json.loads(parts[0]), json.loads(parts[1])))

    def _fail_all(self) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(
                    TurnError("internal", "the server restarted a part of itself; try again")
                )
        self._pending.clear()

    def _restart(self) -> None:
        if not self._closing:
            self._starting = asyncio.ensure_future(self.start())


def _line(number: int, op: str, arguments: dict[str, Any]) -> bytes:
    message = {"n": number, "op": op, **arguments}
    return (json.dumps(message, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
