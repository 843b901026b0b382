"""Closed lists the scenarios use: manager response kinds, outcomes, difficulties."""

from __future__ import annotations

from typing import Final, Literal, get_args

Kind = Literal[
    "narration",
    "greeting",
    "praise",
    "budget_pushback",
    "deferral",
    "data_request",
    "counter_offer",
    "policy_constraint",
    "acceptance",
    "refusal",
    "clarify",
    "cool_down",
    "closing",
]
KINDS: Final[tuple[Kind, ...]] = get_args(Kind)

# Best first: `granted` is the best a user can reach, `abandoned` means they left.
Outcome = Literal[
    "granted", "phased", "future_goals", "deferred", "refused", "walked_out", "abandoned"
]
OUTCOMES: Final[tuple[Outcome, ...]] = get_args(Outcome)

Difficulty = Literal["easy", "medium", "hard"]
DIFFICULTIES: Final[tuple[Difficulty, ...]] = get_args(Difficulty)
