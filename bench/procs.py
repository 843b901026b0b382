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


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def tree(pid: int) -> list[int]:
    pids = [pid]
    for child in _children(pid):
        pids.extend(tree(child))
    return pids


def _is_turn_process(pid: int) -> bool:
    try:
        return b"server.turn_worker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def cpu_seconds(pid: int, turn_processes_only: bool = False) -> float:
    """User + system CPU of a process and its children (workers, turn processes); or of its
    turn processes only."""
    total = 0
    for each in tree(pid):
        if turn_processes_only and not _is_turn_process(each):
            continue
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICKS


def machine_ticks() -> tuple[int, int]:
    """(busy, all) CPU ticks of the whole machine so far, every core (from /proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and waiting for I/O
    return sum(fields) - idle, sum(fields)


def busy_percent(before: tuple[int, int], after: tuple[int, int]) -> float | None:
    """How busy the machine's cores were between two machine_ticks() readings, in percent."""
    busy, total = after[0] - before[0], after[1] - before[1]
    return round(100 * busy / total, 1) if total > 0 else None


def cpu_seconds_of_command(name: str) -> float:
    """User + system CPU of every process whose command is `name` (e.g. postgres)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command, rest = (entry / "stat").read_text().split(") ", 1)
        except (OSError, ValueError):
            continue
        if command.split(" (", 1)[-1] == name:
            fields = rest.split()
            total += int(fields[11]) + int(fields[12])
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
