"""Engine costs: building conversations, a turn without scoring, snapshot and restore, memory."""

from __future__ import annotations

import gc
import json
import statistics
import time
import tracemalloc
from typing import Any

from dialogue import score_reply
from dialogue.scenario_loader import load_library

SCENARIO = "supportive"
COUNT = 10_000
TIMED = 2_000  # conversations timed (a turn, a snapshot, a restore each)
TARGETS = {"bytes_per_conversation": 10_240}
REPLY = "Hi Priya, could we book 30 minutes on Thursday to discuss my performance and a bonus?"


def _timings(engine: Any, score: Any) -> tuple[float, float, float, float]:
    """Create, turn, snapshot and restore times (us), measured without tracemalloc, which
    slows every allocation several times over."""
    started = time.perf_counter()
    conversations = [engine.new_conversation(seed=i) for i in range(TIMED)]
    create_us = (time.perf_counter() - started) * 1e6 / TIMED
    turn_times, snap_times, restore_times = [], [], []
    for conversation in conversations:
        t0 = time.perf_counter_ns()
        conversation.apply(REPLY, score)
        t1 = time.perf_counter_ns()
        snapshot = json.dumps(conversation.snapshot())
        t2 = time.perf_counter_ns()
        engine.restore(json.loads(snapshot))
        t3 = time.perf_counter_ns()
        turn_times.append((t1 - t0) / 1e3)
        snap_times.append((t2 - t1) / 1e3)
        restore_times.append((t3 - t2) / 1e3)
    turn, snap, restore = (statistics.median(t) for t in (turn_times, snap_times, restore_times))
    return create_us, turn, snap, restore


def run() -> dict[str, Any]:
    engine = load_library().get(SCENARIO)
    engine.new_conversation(seed=0)
    score = score_reply(REPLY, "meeting_request")  # warms the scorer's one-time caches
    create_us, turn_us, snapshot_us, restore_us = _timings(engine, score)
    gc.collect()
    tracemalloc.start()
    baseline = tracemalloc.get_traced_memory()[0]
    conversations = [engine.new_conversation(seed=i) for i in range(COUNT)]
    live = tracemalloc.get_traced_memory()[0] - baseline
    for conversation in conversations[:TIMED]:
        conversation.apply(REPLY, score)
    after_turn = tracemalloc.get_traced_memory()[0] - baseline - live
    del conversations, conversation
    gc.collect()
    retained = tracemalloc.get_traced_memory()[0] - baseline
    tracemalloc.stop()
    return {
        "conversations": COUNT,
        "create_us_each": round(create_us, 1),
        "bytes_per_conversation": round(live / COUNT),
        "bytes_per_conversation_after_a_turn": round((live + after_turn * COUNT / TIMED) / COUNT),
        "turn_without_scoring_us_median": round(turn_us, 1),
        "snapshot_us_median": round(snapshot_us, 1),
        "restore_us_median": round(restore_us, 1),
        "bytes_retained_after_they_end": retained,
        "machine_models_after": len(engine.machine.models),
        "targets": TARGETS,
    }


def table(figures: dict[str, Any]) -> str:
    rows = [
        ("create a conversation (us)", figures["create_us_each"]),
        ("memory per conversation (bytes)", f"{figures['bytes_per_conversation']} (<= 10240)"),
        ("  after one turn (bytes)", figures["bytes_per_conversation_after_a_turn"]),
        ("turn without scoring, median (us)", figures["turn_without_scoring_us_median"]),
        ("snapshot, median (us)", figures["snapshot_us_median"]),
        ("restore, median (us)", figures["restore_us_median"]),
        ("memory left after they end (bytes)", figures["bytes_retained_after_they_end"]),
        ("conversations held by the machine", figures["machine_models_after"]),
    ]
    lines = [f"Engine ({figures['conversations']} conversations on {SCENARIO!r})"]
    lines += [f"{name:38}{value!s:>18}" for name, value in rows]
    return "\n".join(lines)
