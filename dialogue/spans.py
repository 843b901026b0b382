"""Evidence spans: where in a reply a criterion was found."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """Characters [start, end) of the reply, counted in code points."""

    start: int
    end: int
    text: str

    def to_json(self) -> dict[str, int | str]:
        return {"start": self.start, "end": self.end, "text": self.text}


def span_of(text: str, start: int, end: int) -> Span:
    return Span(start, end, text[start:end])
