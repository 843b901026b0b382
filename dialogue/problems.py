"""Problems found in a scenario file, reported as `file:line: key: message`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
Path = tuple[str | int, ...]


def format_path(path: Path) -> str:
    """('states', 'ask', 'on', 1, 'to') -> 'states.ask.on[1].to'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


@dataclass(frozen=True, slots=True)
class Problem:
    source: str
    line: int
    path: Path
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = format_path(self.path)
        label = "" if self.severity == "error" else "warning: "
        prefix = f"{where}: " if where else ""
        return f"{self.source}:{self.line}: {label}{prefix}{self.message}"


class ScenarioError(ValueError):
    """A scenario file that cannot be used; holds every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
