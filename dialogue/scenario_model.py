"""The scenario file format, version 1, as pydantic models (unknown keys are refused)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from dialogue.kinds import Difficulty, Kind, Outcome
from dialogue.stages import Stage

Scalar = int | float | str | bool
SLUG = r"^[a-z0-9][a-z0-9_-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Line(_Strict):
    """What the manager says, in one response kind, with variants picked by the seeded RNG."""

    kind: Kind
    variants: list[str] = Field(min_length=2)

    @field_validator("variants")
    @classmethod
    def _not_blank(cls, variants: list[str]) -> list[str]:
        for index, text in enumerate(variants):
            if not text.strip():
                raise ValueError(f"variant {index} is empty")
        return variants


class TransitionSpec(_Strict):
    """Go `to` a state when every condition in `when` holds (no `when`: the fallback)."""

    when: dict[str, Any] = Field(default_factory=dict)
    do: dict[str, Any] = Field(default_factory=dict)
    to: str


class StateSpec(_Strict):
    """One state: its stage (or ending outcome), the manager's line, and where replies lead."""

    stage: Stage | None = None
    ending: Outcome | None = None
    interrupt: bool = False
    say: Line
    again: Line | None = None
    on: list[TransitionSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _shape(self) -> StateSpec:
        if self.ending is not None:
            if self.on:
                raise ValueError("an ending has no transitions ('on'): the meeting is over")
            if self.interrupt:
                raise ValueError("an ending cannot be an interrupt")
        elif self.stage is None and not self.interrupt:
            raise ValueError("a state needs a 'stage' (or 'ending: OUTCOME', or 'interrupt: true')")
        return self


class Persona(_Strict):
    name: str = Field(min_length=1)
    role: str = Field(min_length=1)
    style: str = Field(min_length=1)


class Drill(_Strict):
    """A state worth rehearsing alone, with the variables it starts with."""

    state: str
    label: str = Field(min_length=1)
    variables: dict[str, Scalar] = Field(default_factory=dict)


class ScenarioSpec(_Strict):
    """A whole scenario file."""

    format: Literal[1]
    id: str = Field(pattern=SLUG)
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    difficulty: Difficulty
    manager: Persona
    tags: list[Kind] = Field(default_factory=list)
    variables: dict[str, Scalar] = Field(default_factory=dict)
    drills: list[Drill] = Field(default_factory=list)
    start: str
    always: list[TransitionSpec] = Field(default_factory=list)
    states: dict[str, StateSpec] = Field(min_length=1)
