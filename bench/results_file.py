"""Where benchmark results are written, so runs can be compared."""

from __future__ import annotations

import functools
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
REFERENCE_LOOP_STEPS = 3_000_000


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


@functools.cache
def reference_loop_seconds() -> float:
    """CPU seconds of a fixed pure-Python loop, best of three: the same code ran two to three
    times slower on one virtual machine than on another, so every run records how fast its
    host was (lower is faster)."""
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        total = 0
        for step in range(REFERENCE_LOOP_STEPS):
            total += step
        best = min(best, time.process_time() - started)
    return round(best, 3)


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "processor": _cpu_model(),
        "reference_loop_s": reference_loop_seconds(),
    }


def save(name: str, figures: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    path = RESULTS / f"{name}-{stamp}.json"
    payload = {"benchmark": name, "when": stamp, "machine": machine(), "figures": figures}
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return path
