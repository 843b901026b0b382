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
TARGETS = {"bytes_per_conversation": 10_240}
REPLY = "Hi Priya, could we book 30 minutes on Thursday to discuss my performance and a bonus?"


def run() -> dict[str, Any]:
    engine = load_library().get(SCENARIO)
    engine.new_conversation(seed=0)
    score = score_reply(REPLY, "meeting_request")  # warms the scorer's one-time caches
    gc.collect()
    tracemalloc.start()
    baseline = tracemalloc.get_traced_memory()[0]
    started = time.perf_counter()
    conversations = [engine.new_conversation(seed=i) for i in range(COUNT)]
    create_s = time.perf_counter() - started
    live = tracemalloc.get_traced_memory()[0] - baseline
    turn_times = []
    for conversation in conversations[:2000]:
        t0 = time.perf_counter_ns()
        conversation.apply(REPLY, score)
        turn_times.append((time.perf_counter_ns() - t0) / 1e3)
    after_turn = tracemalloc.get_traced_memory()[0] - baseline
    snap_times, restore_times = [], []
    for conversation in conversations[:2000]:
        t0 = time.perf_counter_ns()
        snapshot = json.dumps(conversation.snapshot())
        t1 = time.perf_counter_ns()
        engine.restore(json.loads(snapshot))
        t2 = time.perf_counter_ns()
        snap_times.append((t1 - t0) / 1e3)
        restore_times.append((t2 - t1) / 1e3)
    medians = [statistics.median(t) for t in (turn_times, snap_times, restore_times)]
    del conversations, conversation, turn_times, snap_times, restore_times
    gc.collect()
    retained = tracemalloc.get_traced_memory()[0] - baseline
    tracemalloc.stop()
    return {
        "conversations": COUNT,
        "create_us_each": round(create_s * 1e6 / COUNT, 1),
        "bytes_per_conversation": round(live / COUNT),
        "bytes_per_conversation_after_a_turn": round(after_turn / COUNT),
        "turn_without_scoring_us_median": round(medians[0], 1),
        "snapshot_us_median": round(medians[1], 1),
        "restore_us_median": round(medians[2], 1),
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
