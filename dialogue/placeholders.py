"""Placeholders in the manager's lines: {ask}, {counter}, {manager}, the user's own figures."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from string import Formatter
from typing import Final

# Placeholders the engine fills, whatever the scenario's variables.
BUILTIN: Final = frozenset(
    {
        "manager",  # the manager's name
        "ask",  # the figure the user asked for, as written ("10%", "$15,000")
        "counter",  # the manager's counter-offer, in the same unit as the ask
        "their_figure",  # the first measured result the user gave
        "prepared_accomplishment",  # what they noted before the session
        "prepared_ask",
        "research",
        "alternative",
    }
)
# What a placeholder says when the conversation has nothing for it yet.
FALLBACK: Final = {
    "ask": "a bonus",
    "counter": "a smaller figure",
    "their_figure": "those results",
    "prepared_accomplishment": "your results this year",
    "prepared_ask": "a specific figure",
    "research": "market data",
    "alternative": "your options",
}


def names_in(template: str) -> Iterator[str]:
    """The placeholder names a template uses (raises ValueError on a malformed template)."""
    for _, field, _, _ in Formatter().parse(template):
        if field is not None:
            if not field.isidentifier():
                raise ValueError(f"placeholder {{{field}}} is not a plain name")
            yield field


class _Filled(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return FALLBACK.get(key, key)


def render(template: str, values: Mapping[str, object]) -> str:
    """The template with every placeholder filled (a missing value falls back to plain words)."""
    filled = _Filled({k: str(v) for k, v in values.items() if v is not None and v != ""})
    return template.format_map(filled)
