"""The load client (its own process): N virtual users, each playing whole scripted conversations
with a think time between replies, against Rehearse or the floor. Prints JSON figures.

    python -m bench.load_client --url http://127.0.0.1:8000 --sessions 1000 --duration 20
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import statistics
import sys
import time
import urllib.parse
from typing import Any

import websockets

from bench.machine import busy_percent, machine_ticks

POST_TIMEOUT = 30  # seconds

SCRIPT = [
    "Hi Priya, could we book 30 minutes on Thursday to discuss my performance and a bonus?",
    "Thanks for making time. I wanted to review my performance this year and discuss a bonus.",
    "I rebuilt the ranking model; click-through rose 12%, about $400k a year in revenue.",
    "I'd like a bonus of 8%, in line with market data for my level.",
    "Thank you, I really appreciate it. I'm committed to the team.",
    "Hi Priya, thanks for today. To recap: you'll put the 8% forward at calibration this week.",
]


class Stats:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}
        self.conversations = 0

    def error(self, code: str) -> None:
        self.errors[code] = self.errors.get(code, 0) + 1


class PostRefusedError(OSError):
    """POST /api/sessions did not answer 201 with a session; counted under `http STATUS`."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


async def post_session(base: str, cookie: str) -> tuple[str, str]:
    """POST /api/sessions on a new connection, closed after the answer - as a browser's does
    when the server's keep-alive (5 s) ran out during the last conversation. Plain asyncio:
    urllib in a thread pool cost this process about as much CPU as its websockets."""
    address = urllib.parse.urlsplit(base)
    body = json.dumps({"scenario": "supportive"}).encode()
    head = (f"POST {address.path.rstrip('/')}/api/sessions HTTP/1.1\r\n"
            f"Host: {address.netloc}\r\nContent-Type: application/json\r\n"
            f"Connection: close\r\nContent-Length: {len(body)}\r\n"
            + (f"Cookie: {cookie}\r\n" if cookie else "") + "\r\n")  # fmt: skip
    connecting = asyncio.open_connection(address.hostname, address.port or 80)
    reader, writer = await asyncio.wait_for(connecting, POST_TIMEOUT)
    try:
        writer.write(head.encode("latin-1") + body)
        return await asyncio.wait_for(read_created(reader, cookie), POST_TIMEOUT)
    finally:
        writer.close()


async def read_created(reader: asyncio.StreamReader, cookie: str) -> tuple[str, str]:
    """The session's websocket path and the identity cookie, from the answer to the POST."""
    try:
        status_line, *lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        headers = {name.strip().lower(): value.strip()
                   for name, _, value in (line.partition(":") for line in lines if line)}  # fmt: skip
        status = status_line.split(" ", 2)[1] if " " in status_line else "none"
        if status != "201":
            raise PostRefusedError(f"http {status}")
        created = json.loads(await reader.readexactly(int(headers["content-length"])))
        ws_path: str = created["ws"]
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, KeyError) as exc:
        raise PostRefusedError(f"http answer unreadable ({type(exc).__name__})") from exc
    return ws_path, headers.get("set-cookie", "").split(";")[0] or cookie


async def _machine_busy(measure_from: float, measure_to: float) -> float | None:
    """How busy the machine was while every virtual user was playing (after the ramp)."""
    await asyncio.sleep(max(0.0, measure_from - time.monotonic()))
    before = machine_ticks()
    await asyncio.sleep(max(0.0, measure_to - time.monotonic()))
    return busy_percent(before, machine_ticks())


async def _user(  # noqa: PLR0917 - one caller, in this module
    number: int, base: str, cookie: str, args: argparse.Namespace, stats: Stats, stop_at: float
) -> None:
    rng = random.Random(number)
    await asyncio.sleep(rng.uniform(0, args.ramp))
    compression = None if args.compression == "none" else "deflate"
    while time.monotonic() < stop_at:
        try:
            ws_path, _ = await post_session(base, cookie)
            url = base.replace("http://", "ws://") + ws_path
            headers = {"Cookie": cookie} if cookie else {}
            async with websockets.connect(
                url,
                additional_headers=headers,
                compression=compression,
                open_timeout=30,
                proxy=None,
            ) as ws:
                await ws.recv()  # the snapshot
                for text in SCRIPT:
                    await asyncio.sleep(
                        max(0.0, args.think + rng.uniform(-args.jitter, args.jitter))
                    )
                    if time.monotonic() >= stop_at:
                        return
                    sent = time.perf_counter()
                    await ws.send(
                        json.dumps({"type": "reply", "text": text, "id": f"{number}-{time.time()}"})
                    )
                    ended = False
                    while True:
                        frame = json.loads(await ws.recv())
                        if frame["type"] == "manager":
                            stats.latencies.append(time.perf_counter() - sent)
                            ended = bool(frame.get("ends"))
                            break
                        if frame["type"] == "error":
                            stats.error(frame["code"])
                            break
                    if ended:
                        await ws.recv()  # the end frame
                        stats.conversations += 1
                        break
        except (OSError, websockets.exceptions.WebSocketException, TimeoutError) as exc:
            stats.error(exc.what if isinstance(exc, PostRefusedError) else type(exc).__name__)
            await asyncio.sleep(0.5)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


async def run(args: argparse.Namespace) -> dict[str, Any]:
    _, cookie = await post_session(args.url, "")
    stats = Stats()
    started = time.monotonic()
    stop_at = started + args.ramp + args.duration
    busy, *_ = await asyncio.gather(
        _machine_busy(started + args.ramp, stop_at),
        *(_user(n, args.url, cookie, args, stats, stop_at) for n in range(args.sessions)),
    )
    elapsed = time.monotonic() - started
    lat = [x * 1000 for x in stats.latencies]
    return {
        "sessions": args.sessions,
        "turns": len(lat),
        "turns_per_second": round(len(lat) / max(elapsed - args.ramp / 2, 1e-9), 1),
        "p50_ms": round(statistics.median(lat), 2) if lat else None,
        "p99_ms": round(_percentile(lat, 0.99), 2) if lat else None,
        "max_ms": round(max(lat), 2) if lat else None,
        "errors": stats.errors,
        "conversations": stats.conversations,
        "machine_busy_percent": busy,
        "nice": os.nice(0),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--ramp", type=float, default=3)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--jitter", type=float, default=0.5)
    parser.add_argument("--compression", choices=("deflate", "none"), default="deflate")
    parser.add_argument(
        "--nice", type=int, default=0, help="run at this niceness, below the server under test"
    )
    args = parser.parse_args()
    if args.nice:
        os.nice(args.nice)
    # No collections while it measures. Its thousand connections made a full collection hold
    # the client for up to 88 ms (young ones up to 32 ms); then all its timers fired at once
    # and the server got a burst of replies that a thousand separate browsers never send: the
    # server's slowest turns followed those pauses. What it leaves is freed when it exits.
    gc.freeze()
    gc.disable()
    try:
        import uvloop  # noqa: PLC0415 - optional speed-up for the client side

        uvloop.install()
    except ImportError:
        pass
    print(json.dumps(asyncio.run(run(args))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
