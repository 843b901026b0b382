"""How `make bench` judges its figures against the issue's targets."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from bench import results_file
from bench.e2e import against_the_floor, table
from bench.machine import busy_percent, machine_ticks
from bench.procs import postgres_cpu_seconds, server_cpu_seconds
from bench.run import over_target
from tests.databases import admin_connection


def test_a_figure_above_its_maximum_or_below_its_minimum_is_over_target() -> None:
    figures = {"p99_ms": 30.0, "storm_s": 1.0, "turns_per_second": 950.0, "rss": 900}
    maximums = {"p99_ms": 25.0, "storm_s": 2.0, "rss": 900.0}
    minimums = {"turns_per_second": 1000.0}
    assert over_target(figures, maximums, minimums) == ["p99_ms", "turns_per_second"]


def test_a_missing_or_failed_figure_is_not_judged() -> None:
    figures = {"postgres_p99_ms": None, "note": "no PostgreSQL"}
    assert over_target(figures, {"postgres_p99_ms": 25.0, "absent": 1.0}, {"gone": 5.0}) == []


def test_the_client_p99_is_allowed_one_and_a_half_floors_and_five_ms() -> None:
    rehearse = {"p99_ms": 40.0, "server_cpu_us_per_turn": 1200.0}
    floor = {"p99_ms": 20.0, "server_cpu_us_per_turn": 400.0}
    figures = against_the_floor(rehearse, floor)
    assert figures["client_p99_allowance_ms"] == 35.0
    assert figures["client_p99_over_allowance_ms"] == 5.0  # 5 ms past it: over target 0
    assert figures["cpu_ratio_to_floor"] == 3.0
    assert over_target(figures, {"client_p99_over_allowance_ms": 0.0}, {}) == [
        "client_p99_over_allowance_ms"
    ]


def test_a_floor_run_that_measured_nothing_gives_no_verdict_instead_of_a_crash() -> None:
    figures = against_the_floor({"p99_ms": 40.0, "server_cpu_us_per_turn": 1200.0},
                                {"p99_ms": None, "server_cpu_us_per_turn": 0.0})  # fmt: skip
    assert set(figures.values()) == {None}
    assert over_target(figures, {"cpu_ratio_to_floor": 8.0}, {}) == []


def _figures(busy: float) -> dict[str, Any]:
    run = {"p50_ms": 3.0, "p99_ms": 30.0, "turns_per_second": 900.0, "errors": {},
           "server_cpu_us_per_turn": 1000.0, "client_cpu_us_per_turn": 500.0,
           "machine_busy_percent": busy, "sessions": 1000}  # fmt: skip
    return {"sessions": 1000, "duration_s": 20.0, "rehearse": run, "floor": dict(run),
            "capacity": dict(run), "postgres_2_workers": {"error": "no PostgreSQL here"},
            "client_p99_allowance_ms": 50.0, "cpu_ratio_to_floor": 2.0,
            "bytes_per_session_deflate": 70000, "bytes_per_session_plain": 26000,
            "storm_s": 1.0, "cold_start_s": 1.0, "capacity_turns_per_second": 900.0,
            "capacity_p99_ms": 30.0}  # fmt: skip


def test_the_table_says_when_the_machine_was_saturated_and_not_otherwise() -> None:
    busy = table(_figures(91.0))
    assert "machine busy (%, all cores)" in busy
    assert "at least 85% busy during the rehearse, capacity run(s)" in busy
    assert "no PostgreSQL here" in busy  # a failed run shows why instead of breaking the table
    assert "note:" not in table(_figures(60.0))


def test_machine_load_and_a_process_tree_cpu_are_read_from_proc() -> None:
    assert busy_percent((10, 100), (60, 200)) == 50.0
    assert busy_percent((10, 100), (10, 100)) is None  # no time passed: no figure
    busy, total = machine_ticks()
    assert 0 < busy <= total
    before, _ = server_cpu_seconds(os.getpid())
    spent = time.process_time()
    while time.process_time() - spent < 0.1:  # give this process some CPU to find
        pass
    # /proc counts in ticks of 10 ms: allow two of them (0.04 was once read for 0.05 spent).
    assert server_cpu_seconds(os.getpid())[0] - before >= 0.07


def test_postgres_cpu_counts_a_backend_that_has_exited() -> None:
    before = postgres_cpu_seconds()
    with admin_connection() as connection:  # a backend of its own, gone once this block ends
        connection.execute("SELECT count(*) FROM generate_series(1, 3000000)")
    time.sleep(0.2)  # the postmaster reaps it
    assert postgres_cpu_seconds() - before >= 0.1


def test_every_result_file_records_its_host_and_how_fast_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(results_file, "RESULTS", tmp_path / "results")
    saved = json.loads(results_file.save("scorer", {"median_ms": 0.2}).read_text())
    assert saved["figures"] == {"median_ms": 0.2}
    assert saved["machine"]["cpus"] >= 1
    assert saved["machine"]["processor"]
    assert 0 < saved["machine"]["reference_loop_s"] < 30
