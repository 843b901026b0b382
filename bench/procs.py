"""Server processes for the benchmarks, and what they cost (CPU time and memory, from /proc)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from server.serve_command import WEBSOCKET_BINDING

TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
BIN = Path(sys.executable).parent


def _stat(pid: int) -> tuple[str, list[str]] | None:
    """A process's command name and the fields after it in /proc/PID/stat (None: gone)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    head, _, rest = text.rpartition(")")
    return head.partition("(")[2], rest.split()


Processes = dict[int, tuple[str, list[str]]]


def _processes() -> Processes:
    """Every process now: its command name and the fields after it in /proc/PID/stat."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            found[int(entry.name)] = stat
    return found


def _descendants(pid: int, processes: Processes) -> list[int]:
    """`pid` and every process under it, from one reading of /proc."""
    children: dict[int, list[int]] = {}
    for child, (_, fields) in processes.items():
        children.setdefault(int(fields[1]), []).append(child)
    found, waiting = [], [pid]
    while waiting:
        each = waiting.pop()
        found.append(each)
        waiting.extend(children.get(each, ()))
    return found


def tree(pid: int) -> list[int]:
    return _descendants(pid, _processes())


def _is_turn_process(pid: int) -> bool:
    try:
        return b"server.turn_worker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _own_cpu_ticks(fields: list[str]) -> int:
    return int(fields[11]) + int(fields[12])  # utime, stime


def server_cpu_seconds(pid: int) -> tuple[float, float]:
    """User + system CPU of a process and its children (workers, turn processes), and of its
    turn processes alone, from one reading of /proc."""
    processes = _processes()
    every = turn = 0
    for each in _descendants(pid, processes):
        if each in processes:
            ticks = _own_cpu_ticks(processes[each][1])
            every += ticks
            turn += ticks if _is_turn_process(each) else 0
    return every / TICKS, turn / TICKS


def postgres_cpu_seconds() -> float:
    """User + system CPU of every PostgreSQL server on this machine: its postmaster, every
    live backend and worker, and (through the postmaster's account of its waited-for
    children) those that exited - a load's pooled connections and autovacuum workers come
    and go."""
    processes = _processes()
    total = 0
    for pid, (command, fields) in processes.items():
        parent = processes.get(int(fields[1]))
        if command != "postgres" or (parent is not None and parent[0] == "postgres"):
            continue  # not a postmaster
        total += int(fields[13]) + int(fields[14])  # children that exited
        total += sum(_own_cpu_ticks(processes[each][1]) for each in _descendants(pid, processes))
    return total / TICKS


def rss_bytes(pid: int) -> int:
    total = 0
    for each in tree(pid):
        try:
            total += int(Path(f"/proc/{each}/statm").read_text().split()[1]) * PAGE
        except OSError:
            continue
    return total


def healthy(url: str, timeout: float = 30) -> float:
    """Seconds until `url`/healthz answers 200."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as response:
                if response.status == 200:
                    return time.perf_counter() - started
        except OSError:
            time.sleep(0.02)
    raise TimeoutError(f"{url} not healthy after {timeout} s")


@contextmanager
def running(
    command: list[str], cwd: Path, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        command, cwd=cwd, env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def rehearse_command(port: int, db: str, workers: int = 1) -> list[str]:
    return [
        str(BIN / "rehearse"),
        "serve",
        "--port",
        str(port),
        "--db",
        db,
        "--workers",
        str(workers),
    ]


def floor_command(port: int) -> list[str]:
    # uvicorn's stock protocol of the binding `rehearse serve` builds on: a bare app's floor.
    return [str(BIN / "python"), "-m", "uvicorn", "bench.floor_app:app", "--port", str(port),
            "--log-level", "warning", "--ws-max-size", "65536", "--ws", WEBSOCKET_BINDING]  # fmt: skip
