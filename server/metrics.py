"""Prometheus metrics (`GET /metrics`): turn times, turns, connected sessions, errors by code."""

from __future__ import annotations

import gc

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response

# Fine buckets at the low end: the targets are a few milliseconds.
_BUCKETS = (0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.025, 0.035, 0.05,
            0.075, 0.1, 0.25, 1.0)  # fmt: skip

TURN_SECONDS = Histogram(
    "rehearse_turn_seconds",
    "Reply frame received to manager frame sent, measured in the server",
    buckets=_BUCKETS,
)
SCORING_SECONDS = Histogram(
    "rehearse_scoring_seconds", "Time spent scoring one reply", buckets=_BUCKETS
)
TURNS = Counter("rehearse_turns_total", "Replies answered")
ACTIVE_SESSIONS = Gauge("rehearse_active_sessions", "Websockets connected to a session")
ERRORS = Counter("rehearse_errors_total", "Error frames sent, by code", ["code"])
# The garbage collector's reclaims of frozen cycles (server.gc_tuning): what they found, how
# long they held the process, and how large the frozen set is (counted when scraped: ~1 ms).
GC_RECLAIMED = Counter(
    "rehearse_gc_reclaimed_objects", "Unreachable objects found by the collector's reclaims"
)
GC_RECLAIM_SECONDS = Histogram(
    "rehearse_gc_reclaim_seconds",
    "Time a reclaim (a full collection) held the web process",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
GC_FROZEN = Gauge("rehearse_gc_frozen_objects", "Objects frozen out of the collector's sight")
GC_FROZEN.set_function(gc.get_freeze_count)


async def metrics(_request: Request) -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
