"""What the user noted before a session, and the figures the scorer reads from it."""

from __future__ import annotations

from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field

from dialogue.analysis import Analysis
from dialogue.figures import Figure

_NOTE = Field(default=None, max_length=1000)


class Prepared(BaseModel):
    """The user's preparation: accomplishments with figures, the ask, research, alternative."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    accomplishments: list[str] = Field(default_factory=list, max_length=10)
    ask: str | None = _NOTE
    market_research: str | None = _NOTE
    best_alternative: str | None = _NOTE

    @cached_property
    def planned_ask(self) -> Figure | None:
        """The figure the user planned to ask for, if their note has one."""
        return _first_money_or_percent(self.ask)

    @cached_property
    def researched_range(self) -> Figure | None:
        """The figure or range their research found, if their note has one."""
        return _first_money_or_percent(self.market_research)

    @cached_property
    def figured_accomplishments(self) -> list[str]:
        """The accomplishments that carry a figure, in the order noted."""
        return [item for item in self.accomplishments if any(ch.isdigit() for ch in item)]


def _first_money_or_percent(note: str | None) -> Figure | None:
    if not note:
        return None
    for figure in Analysis(note).figures:
        if figure.kind in ("percent", "money", "months_salary", "weeks_salary"):
            return figure
    return None
