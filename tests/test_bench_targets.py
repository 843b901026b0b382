"""How `make bench` judges its figures against the issue's targets."""

from __future__ import annotations

from bench.e2e import against_the_floor
from bench.run import over_target


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
