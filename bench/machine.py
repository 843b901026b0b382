"""How busy the whole machine was: the load client and the server share its cores."""

from __future__ import annotations

from pathlib import Path


def machine_ticks() -> tuple[int, int]:
    """(busy, all) CPU ticks of every core so far, from /proc/stat: user, nice, system, idle,
    iowait, irq, softirq, steal (guest time is already inside user and nice)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = fields[3] + fields[4]  # idle and waiting for I/O
    return sum(fields) - idle, sum(fields)


def busy_percent(before: tuple[int, int], after: tuple[int, int]) -> float | None:
    """How busy the machine's cores were between two machine_ticks() readings, in percent."""
    busy, total = after[0] - before[0], after[1] - before[1]
    return round(100 * busy / total, 1) if total > 0 else None
