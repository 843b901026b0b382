"""Scorer speed: per-reply CPU time over a realistic corpus, throughput, adversarial worst case."""

from __future__ import annotations

import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

from dialogue import MAX_REPLY_CHARS, STAGES, score_reply

CORPUS = [
    Path(__file__).parent.parent / "tests" / "data" / name
    for name in ("replies_tuning.jsonl", "replies_heldout.jsonl")
]
TARGETS = {"median_ms": 0.3, "p99_ms": 2.0, "adversarial_max_ms": 10.0}


def realistic_replies() -> list[tuple[str, str]]:
    replies = []
    for path in CORPUS:
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            if len(item["text"]) <= 600:
                replies.append((item["text"], item["stage"]))
    return replies


def adversarial_replies(seed: int = 7) -> list[str]:
    """Inputs shaped to provoke regex backtracking, all at or near the length limit."""
    rng = random.Random(seed)
    pieces = [
        "1", "1,", "1.", "$", "%", "k ", " to ", "-", "bonus ", "if ", "I'll ", "you ", "a ",
        "sorry ", "thanks ", "AB ", "   ", "\n", "!", "?", "'", "x" * 50, "revisit ", "or ",
    ]  # fmt: skip
    texts = [(piece * MAX_REPLY_CHARS)[:MAX_REPLY_CHARS] for piece in pieces]
    for _ in range(200):
        text = "".join(rng.choice(pieces) for _ in range(600))
        texts.append(text[:MAX_REPLY_CHARS])
    texts.append(("if " + "word " * 20 + "I'll ") * 70)
    texts.append(("1" * 30 + ",") * 60)
    return [t[:MAX_REPLY_CHARS] for t in texts if t.strip()]


def _time_ms(text: str, stage: str | None) -> float:
    # CPU time of this thread: what one core spends, whatever else the machine is running.
    start = time.thread_time_ns()
    score_reply(text, stage)
    return (time.thread_time_ns() - start) / 1e6


def run(rounds: int = 20) -> dict[str, Any]:
    replies = realistic_replies()
    for text, stage in replies:  # warm caches (rubric, spelling table) before timing
        score_reply(text, stage)
    samples = [_time_ms(text, stage) for _ in range(rounds) for text, stage in replies]
    samples.sort()
    cpu_start = time.process_time()
    count = 0
    for text, stage in replies * 5:
        score_reply(text, stage)
        count += 1
    cpu = time.process_time() - cpu_start
    # Each input's best of three passes over them all, not of three runs in a row: on a shared
    # virtual machine a neighbour's burst (tens of ms, counted as this thread's CPU time when
    # the hypervisor takes the core) could inflate three runs in a row; three passes apart
    # see the same input at three different moments.
    cases = [(text, stage) for text in adversarial_replies() for stage in (None, STAGES[3])]
    passes = [[_time_ms(text, stage) for text, stage in cases] for _ in range(3)]
    best = [min(times) for times in zip(*passes, strict=True)]
    worst = max(range(len(cases)), key=best.__getitem__)
    worst_ms, worst_text = best[worst], cases[worst][0]
    return {
        "replies": len(replies),
        "median_ms": round(statistics.median(samples), 4),
        "p99_ms": round(samples[int(len(samples) * 0.99) - 1], 4),
        "replies_per_cpu_second": round(count / cpu),
        "adversarial_max_ms": round(worst_ms, 3),
        "adversarial_worst_input": worst_text[:80],
        "targets": TARGETS,
    }


def table(figures: dict[str, Any]) -> str:
    rows = [
        ("median per reply (ms)", figures["median_ms"], TARGETS["median_ms"]),
        ("p99 per reply (ms)", figures["p99_ms"], TARGETS["p99_ms"]),
        (
            "slowest adversarial input (ms)",
            figures["adversarial_max_ms"],
            TARGETS["adversarial_max_ms"],
        ),
    ]
    lines = [
        f"Scorer ({figures['replies']} realistic replies)",
        f"{'':34}{'value':>10}{'target':>10}",
    ]
    lines += [f"{name:34}{value:>10}{'<= ' + str(target):>10}" for name, value, target in rows]
    lines.append(f"{'replies per CPU second':34}{figures['replies_per_cpu_second']:>10}")
    return "\n".join(lines)
