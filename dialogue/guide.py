"""The guide's essentials as data (scenarios/guide.yaml): stage hints, etiquette, vocabulary."""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict
from ruamel.yaml import YAML

from dialogue.resources import builtin_scenarios
from dialogue.stages import Stage


class StageAdvice(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    hint: str
    example: str


class Guide(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal[1]
    stages: dict[Stage, StageAdvice]
    etiquette: list[str]
    vocabulary: dict[str, str]


@cache
def load_guide() -> Guide:
    text = (builtin_scenarios() / "guide.yaml").read_text(encoding="utf-8")
    return Guide.model_validate(YAML(typ="safe").load(text))
