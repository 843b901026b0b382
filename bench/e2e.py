"""End to end: Rehearse against its floor under the same load, memory per session, reconnect
storm, cold start, and the PostgreSQL two-worker run. Figures are shown beside the floor's."""

from __future__ import annotations

import asyncio
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import psycopg
import websockets

from bench.load_client import post_session
from bench.postgres import fresh_postgres_database
from bench.procs import (
    floor_command,
    healthy,
    postgres_cpu_seconds,
    rehearse_command,
    rss_bytes,
    running,
    server_cpu_seconds,
)

SESSIONS = int(os.environ.get("BENCH_SESSIONS", "1000"))
DURATION = float(os.environ.get("BENCH_DURATION", "20"))
# Enough sessions to offer ~10% more than 1,000 turns/s at a 1 s +/- 0.5 s think time (~1,100),
# so the figure is the server's, not the load client's limit.
CAPACITY_SESSIONS = int(os.environ.get("BENCH_CAPACITY_SESSIONS", "1250"))
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
TARGETS = {
    "server_p99_ms": 5.0,
    "cold_start_s": 2.0,
    "storm_s": 2.0,
    "bytes_per_session_deflate": 100 * 1024,
    "bytes_per_session_plain": 40 * 1024,
    "postgres_p99_ms": 25.0,
    # The client p99 may be at most 1.5x the floor's + 5 ms: this is how far past that it is.
    "client_p99_over_allowance_ms": 0.0,
    "cpu_ratio_to_floor": 8.0,
    "capacity_p99_ms": 100.0,
}
MINIMUMS = {"capacity_turns_per_second": 1000.0}
# Above this share of both cores busy, latencies are mostly processes queueing for a core.
SATURATED_PERCENT = 85
# The load client stands for a thousand browsers on other machines. On this one it shares the
# cores with the server under test, so it runs at a lower priority: when both want a core, the
# server gets it. The floor's run has the same client at the same niceness.
CLIENT_NICE = int(os.environ.get("BENCH_CLIENT_NICE", "10"))


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _load(url: str, sessions: int, duration: float, compression: str = "deflate") -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.load_client", "--url", url, "--sessions", str(sessions),
               "--duration", str(duration), "--compression", compression,
               "--nice", str(CLIENT_NICE)]  # fmt: skip
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=duration + 300
    )
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    result: dict[str, Any] = json.loads(done.stdout)
    # The load client shares the machine with the server: its CPU is what the server lacked.
    client_cpu = (children.ru_utime - children_before.ru_utime) + (
        children.ru_stime - children_before.ru_stime
    )
    result["client_cpu_us_per_turn"] = round(client_cpu / (result["turns"] or 1) * 1e6, 1)
    return result


def _server_histogram(url: str) -> dict[str, Any]:
    """Server-side turn time from /metrics: p50/p99 estimated from the histogram buckets."""
    with urllib.request.urlopen(url + "/metrics", timeout=10) as response:
        text = response.read().decode()
    buckets: list[tuple[float, float]] = []
    count = turns = scoring_sum = 0.0
    for line in text.splitlines():
        if line.startswith("rehearse_turn_seconds_bucket"):
            edge = line.split('le="')[1].split('"')[0]
            buckets.append(
                (float("inf") if edge == "+Inf" else float(edge), float(line.split()[-1]))
            )
        elif line.startswith("rehearse_turn_seconds_count"):
            count = float(line.split()[-1])
        elif line.startswith("rehearse_turns_total"):
            turns = float(line.split()[-1])
        elif line.startswith("rehearse_scoring_seconds_sum"):
            scoring_sum = float(line.split()[-1])

    def quantile(share: float) -> float | None:
        for edge, cumulative in buckets:
            if count and cumulative >= share * count:
                return edge * 1000
        return None

    return {"server_p50_ms_at_most": quantile(0.5), "server_p99_ms_at_most": quantile(0.99),
            "turns": turns, "scoring_cpu_us_per_turn": round(scoring_sum / turns * 1e6, 1) if turns else None}  # fmt: skip


def _measured(
    url: str, pid: int, sessions: int, duration: float, postgres: bool = False
) -> dict[str, Any]:
    """The load's figures (the client's, with how busy the machine was between the end of
    its ramp and its stop), and the server's CPU per turn; PostgreSQL's too if `postgres`."""
    cpu_before, turns_before = server_cpu_seconds(pid)
    postgres_before = postgres_cpu_seconds() if postgres else 0.0
    load = _load(url, sessions, duration)
    cpu_after, turns_after = server_cpu_seconds(pid)
    cpu, in_turn_processes = cpu_after - cpu_before, turns_after - turns_before
    messages = load["turns"] or 1
    load["server_cpu_us_per_turn"] = round(cpu / messages * 1e6, 1)
    load["turn_process_cpu_us_per_turn"] = round(in_turn_processes / messages * 1e6, 1)
    if postgres:
        spent = postgres_cpu_seconds() - postgres_before
        load["postgres_cpu_us_per_turn"] = round(spent / messages * 1e6, 1)
    return load


async def _hold(url: str, count: int, compression: str | None) -> list[Any]:
    connections = []
    for number in range(count):
        ws_path, cookie = await post_session(url, _COOKIE.get(url, ""))
        _COOKIE.setdefault(url, cookie)
        ws = await websockets.connect(url.replace("http://", "ws://") + ws_path, compression=compression,
                                      additional_headers={"Cookie": cookie})  # fmt: skip
        await ws.recv()
        connections.append(ws)
        if number % 100 == 99:
            await asyncio.sleep(0)
    return connections


_COOKIE: dict[str, str] = {}  # the identity each server gave us on our first session


async def _storm(url: str, paths: list[str]) -> float:
    """Seconds until every session, reconnecting at once, has its snapshot."""
    started = time.perf_counter()

    async def reconnect(path: str) -> None:
        ws = await websockets.connect(url.replace("http://", "ws://") + path, compression=None,
                                      additional_headers={"Cookie": _COOKIE[url]}, open_timeout=30)  # fmt: skip
        await ws.recv()
        await ws.close()

    await asyncio.gather(*(reconnect(p) for p in paths))
    return round(time.perf_counter() - started, 3)


async def _memory(url: str, pid: int, count: int, compression: str | None) -> dict[str, Any]:
    """RSS per connected session on a fresh server (freed memory is not given back to the OS,
    so each mode gets its own process); then, with them closed, the reconnect storm."""
    warm = await _hold(url, 5, compression)  # first connections pay one-time costs
    for ws in warm:
        await ws.close()
    before = rss_bytes(pid)
    held = await _hold(url, count, compression)
    per_session = round((rss_bytes(pid) - before) / count)
    paths = [ws.request.path for ws in held]
    for ws in held:
        await ws.close()
    await asyncio.sleep(0.5)
    return {"bytes": per_session, "storm_s": await _storm(url, paths)}


def _memory_run(workdir: Path, label: str, compression: str | None) -> dict[str, Any]:
    port = _port()
    url = f"http://127.0.0.1:{port}"
    db = f"sqlite:///{workdir / f'memory-{label}.sqlite3'}"
    with running(rehearse_command(port, db), workdir) as server:
        healthy(url)
        return asyncio.run(_memory(url, server.pid, SESSIONS, compression))


def run() -> dict[str, Any]:
    results: dict[str, Any] = {
        "sessions": SESSIONS,
        "duration_s": DURATION,
        "client_nice": CLIENT_NICE,
    }
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        port = _port()
        url = f"http://127.0.0.1:{port}"
        db = f"sqlite:///{workdir / 'bench.sqlite3'}"
        started = time.perf_counter()
        with running(rehearse_command(port, db), workdir) as server:
            healthy(url)
            results["cold_start_s"] = round(time.perf_counter() - started, 3)
            results["rehearse"] = _measured(url, server.pid, SESSIONS, DURATION)
            results["rehearse"].update(_server_histogram(url))
            # Capacity: more load on the same server, p99 and turns/s (target: 1,000 turns/s
            # before the p99 passes 100 ms).
            results["capacity"] = _measured(url, server.pid, CAPACITY_SESSIONS, DURATION)
        deflate = _memory_run(workdir, "deflate", "deflate")
        plain = _memory_run(workdir, "plain", None)
        results["bytes_per_session_deflate"] = deflate["bytes"]
        results["bytes_per_session_plain"] = plain["bytes"]
        results["storm_s"] = max(deflate["storm_s"], plain["storm_s"])
        floor_port = _port()
        floor_url = f"http://127.0.0.1:{floor_port}"
        with running(floor_command(floor_port), Path(__file__).parent.parent) as floor:
            healthy(floor_url)
            results["floor"] = _measured(floor_url, floor.pid, SESSIONS, DURATION)
        pg_port = _port()
        pg_url = f"http://127.0.0.1:{pg_port}"
        try:
            with (
                fresh_postgres_database(POSTGRES) as database,
                running(rehearse_command(pg_port, database, workers=2), workdir) as pg,
            ):
                healthy(pg_url)
                results["postgres_2_workers"] = _measured(
                    pg_url, pg.pid, SESSIONS, DURATION, postgres=True
                )
        except (OSError, TimeoutError, subprocess.CalledProcessError, psycopg.Error) as exc:
            results["postgres_2_workers"] = {"error": str(exc)}
    results["server_p99_ms"] = results["rehearse"].get("server_p99_ms_at_most")
    results["postgres_p99_ms"] = results["postgres_2_workers"].get("p99_ms")
    results.update(against_the_floor(results["rehearse"], results["floor"]))
    results["capacity_p99_ms"] = results["capacity"]["p99_ms"]
    results["capacity_turns_per_second"] = results["capacity"]["turns_per_second"]
    results["targets"] = TARGETS
    results["minimums"] = MINIMUMS
    return results


def against_the_floor(rehearse: dict[str, Any], floor: dict[str, Any]) -> dict[str, Any]:
    """The targets stated against the floor's figures in the same run (None where a run
    measured nothing, which the judging passes over and the table shows)."""
    figures = (rehearse.get("p99_ms"), floor.get("p99_ms"),
               rehearse.get("server_cpu_us_per_turn"), floor.get("server_cpu_us_per_turn"))  # fmt: skip
    if not all(isinstance(x, int | float) and x > 0 for x in figures):
        return dict.fromkeys(
            ("client_p99_allowance_ms", "client_p99_over_allowance_ms", "cpu_ratio_to_floor")
        )
    allowance = 1.5 * floor["p99_ms"] + 5
    return {
        "client_p99_allowance_ms": round(allowance, 2),
        "client_p99_over_allowance_ms": round(rehearse["p99_ms"] - allowance, 2),
        "cpu_ratio_to_floor": round(
            rehearse["server_cpu_us_per_turn"] / floor["server_cpu_us_per_turn"], 2
        ),
    }


def table(figures: dict[str, Any]) -> str:
    r, f = figures["rehearse"], figures["floor"]
    pg = figures.get("postgres_2_workers", {})

    def ratio(a: Any, b: Any) -> str:
        return (
            f"{a / b:.1f}x"
            if isinstance(a, int | float) and isinstance(b, int | float) and b
            else "-"
        )

    rows = [
        ("client p50 (ms)", r["p50_ms"], f["p50_ms"], ratio(r["p50_ms"], f["p50_ms"])),
        ("client p99 (ms)", r["p99_ms"], f["p99_ms"], ratio(r["p99_ms"], f["p99_ms"])),
        ("turns per second", r["turns_per_second"], f["turns_per_second"], ratio(r["turns_per_second"], f["turns_per_second"])),
        ("server CPU per turn (us)", r["server_cpu_us_per_turn"], f["server_cpu_us_per_turn"],
         ratio(r["server_cpu_us_per_turn"], f["server_cpu_us_per_turn"])),
        ("errors", r["errors"] or 0, f["errors"] or 0, ""),
        ("load client CPU per turn (us)", r.get("client_cpu_us_per_turn"), f.get("client_cpu_us_per_turn"), ""),
        ("machine busy (%, all cores)", r.get("machine_busy_percent"), f.get("machine_busy_percent"), ""),
    ]  # fmt: skip
    lines = [f"End to end ({figures['sessions']} sessions, {figures['duration_s']} s, think 1 s +/- 0.5 s,"
             f" load client at nice {figures.get('client_nice', 0)})",
             f"{'':30}{'rehearse':>12}{'floor':>12}{'ratio':>8}"]  # fmt: skip
    lines += [f"{name:30}{a!s:>12}{b!s:>12}{c:>8}" for name, a, b, c in rows]
    lines += [
        f"{'  of which turn process (us)':30}{r.get('turn_process_cpu_us_per_turn')!s:>12}",
        f"{'  of which scoring (us)':30}{r.get('scoring_cpu_us_per_turn')!s:>12}",
        f"{'client p99 allowance (ms)':30}{figures['client_p99_allowance_ms']!s:>12}   1.5x floor p99 + 5",
        f"{'server CPU / floor':30}{figures['cpu_ratio_to_floor']!s:>12}   target 8",
        f"{'server turn p99 (ms, <=)':30}{r.get('server_p99_ms_at_most')!s:>12}   target 5",
        f"{'RSS per session, deflate (B)':30}{figures['bytes_per_session_deflate']!s:>12}   target 102400",
        f"{'RSS per session, plain (B)':30}{figures['bytes_per_session_plain']!s:>12}   target 40960",
        f"{'reconnect storm (s)':30}{figures['storm_s']!s:>12}   target 2",
        f"{'cold start (s)':30}{figures['cold_start_s']!s:>12}   target 2",
        f"{'capacity: turns per second':30}{figures['capacity_turns_per_second']!s:>12}   target 1000 ({figures['capacity']['sessions']} sessions)",
        f"{'  p99 at that load (ms)':30}{figures['capacity_p99_ms']!s:>12}   target 100",
        f"{'  machine busy (%)':30}{figures['capacity'].get('machine_busy_percent')!s:>12}",
        f"{'PostgreSQL, 2 workers p99 (ms)':30}{pg.get('p99_ms', pg.get('error'))!s:>12}   target 25",
        f"{'  turns per second':30}{pg.get('turns_per_second')!s:>12}",
        f"{'  server / PostgreSQL CPU (us)':30}{pg.get('server_cpu_us_per_turn')!s:>12}{pg.get('postgres_cpu_us_per_turn')!s:>12}   per turn",
        f"{'  machine busy (%)':30}{pg.get('machine_busy_percent')!s:>12}",
    ]
    saturated = [name for name, run in (("rehearse", r), ("capacity", figures["capacity"]),
                                        ("PostgreSQL", pg))
                 if (run.get("machine_busy_percent") or 0) >= SATURATED_PERCENT]  # fmt: skip
    if saturated:
        lines.append(f"note: the machine was at least {SATURATED_PERCENT}% busy during the "
                     f"{', '.join(saturated)} run(s): their latencies measure waiting for a core.")  # fmt: skip
    return "\n".join(lines)
