"""The stages of the guide's script: a closed list shared by scorer, scenarios and protocol."""

from __future__ import annotations

from typing import Final, Literal, get_args

Stage = Literal[
    "meeting_request",
    "opening",
    "accomplishments",
    "ask",
    "reaction",
    "pushback",
    "close",
    "follow_up",
]

STAGES: Final[tuple[Stage, ...]] = get_args(Stage)


class UnknownStageError(ValueError):
    """A stage id that is not one of the script's stages."""

    def __init__(self, stage: object) -> None:
        self.stage = stage
        super().__init__(f"unknown stage {stage!r} (known: {', '.join(STAGES)})")


def parse_stage(stage: object) -> Stage:
    """Return `stage` as a Stage, or raise UnknownStageError naming the known ones."""
    if isinstance(stage, str) and stage in STAGES:
        return stage
    raise UnknownStageError(stage)
