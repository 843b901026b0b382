"""Finding and loading scenario files: built-in ones and the user's, each checked with lines.

A broken file is reported (every problem as `file:line: key: message`) and skipped; it never
takes the other scenarios down.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml.error import YAMLError

from dialogue.engine import ScenarioEngine, content_hash
from dialogue.problems import Problem, ScenarioError
from dialogue.resources import builtin_scenarios
from dialogue.scenario_check import check_references, lint
from dialogue.scenario_model import ScenarioSpec
from dialogue.yamlpos import line_of, load_fast, load_with_lines

SCENARIO_SUFFIXES = (".yaml", ".yml")
NOT_SCENARIOS = frozenset({"rubric.yaml", "guide.yaml"})
ENV_DIRS = "REHEARSE_SCENARIOS"


def _pydantic_problems(exc: ValidationError, data: Any, source: str) -> list[Problem]:
    problems = []
    for error in exc.errors():
        path = tuple(error["loc"])
        if error["type"] == "extra_forbidden":
            known = _known_keys(path[:-1])
            message = f"unknown key {path[-1]!r}" + (f" (known: {known})" if known else "")
        elif error["type"] == "missing":
            message = "missing: this key is required"
        else:
            got = error.get("input")
            shown = f" (got {got!r})" if not isinstance(got, dict | list) else ""
            message = f"{error['msg']}{shown}"
        problems.append(Problem(source, line_of(data, path), path, message))
    return problems


def _known_keys(path: tuple[Any, ...]) -> str:
    """The keys the format allows where an unknown key was found."""
    model: type[BaseModel] | None = ScenarioSpec
    for part in path:
        if model is None:
            return ""
        annotation = model.model_fields.get(str(part))
        if annotation is None:
            # a dict or list of models: step into its item type
            continue
        model = _model_in(annotation.annotation)
    return ", ".join(model.model_fields) if model else ""


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def parse_scenario(text: str, source: str) -> tuple[ScenarioEngine | None, list[Problem]]:
    """Load one scenario: an engine if it has no error, and every problem found.

    A file is read with the fast C parser; only when something is wrong is it parsed again,
    keeping positions, so that every problem can name its line.
    """
    try:
        plain = load_fast(text)
    except YAMLError:
        plain = None
    if not isinstance(plain, dict):
        try:
            load_with_lines(text, source)  # malformed YAML: problems that name their lines
        except ScenarioError as exc:
            return None, exc.problems
        message = "a scenario file is a mapping of keys (format, id, ...)"
        return None, [Problem(source, 1, (), message)]
    try:
        spec = ScenarioSpec.model_validate(plain)
    except ValidationError as exc:
        return None, _pydantic_problems(exc, load_with_lines(text, source), source)
    findings = check_references(spec)
    if not any(severity == "error" for _, _, severity in findings):
        findings += lint(spec)
    data = load_with_lines(text, source) if findings else None
    problems = [
        Problem(source, line_of(data, path), path, message, severity)
        for path, message, severity in findings
    ]
    if any(p.severity == "error" for p in problems):
        return None, problems
    return ScenarioEngine(spec, source, content_hash(text)), problems


def load_file(
    path: Path, shown_as: str | None = None
) -> tuple[ScenarioEngine | None, list[Problem]]:
    source = shown_as or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(source, 1, (), f"cannot read the file: {exc}")]
    return parse_scenario(text, source)


@dataclass
class ScenarioLibrary:
    """Every scenario found, by id, and the problems of the files that were skipped."""

    engines: dict[str, ScenarioEngine] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def listing(self) -> list[dict[str, Any]]:
        """What clients are told of each scenario, in order (the API and `rehearse scenarios`)."""
        return [
            {
                "id": spec.id,
                "title": spec.title,
                "description": spec.description,
                "difficulty": spec.difficulty,
                "tags": list(spec.tags),
                "manager": spec.manager.model_dump(),
                "drills": [{"state": d.state, "label": d.label} for d in spec.drills],
            }
            for spec in (engine.spec for engine in self.in_order())
        ]

    def in_order(self) -> list[ScenarioEngine]:
        """Easiest first, then by title: the order people are shown them in."""
        rank = {"easy": 0, "medium": 1, "hard": 2}
        return sorted(
            self.engines.values(), key=lambda e: (rank[e.spec.difficulty], e.spec.title.lower())
        )

    def get(self, scenario_id: str) -> ScenarioEngine:
        try:
            return self.engines[scenario_id]
        except KeyError:
            known = ", ".join(sorted(self.engines)) or "none"
            raise KeyError(f"unknown scenario {scenario_id!r} (known: {known})") from None

    def add(self, engine: ScenarioEngine | None, problems: list[Problem]) -> None:
        self.problems.extend(problems)
        if engine is None:
            return
        existing = self.engines.get(engine.spec.id)
        if existing is not None:
            self.problems.append(
                Problem(
                    engine.source,
                    1,
                    ("id",),
                    f"scenario id {engine.spec.id!r} is already "
                    f"defined in {existing.source}; this file is skipped",
                )
            )
            return
        self.engines[engine.spec.id] = engine


def scenario_files(directory: Path) -> list[Path]:
    return sorted(
        p
        for p in directory.iterdir()
        if p.suffix in SCENARIO_SUFFIXES and p.name not in NOT_SCENARIOS
    )


def user_dirs(extra: Iterable[str] = ()) -> list[Path]:
    """Directories from --scenarios, then from REHEARSE_SCENARIOS (os.pathsep-separated)."""
    from_env = [d for d in os.environ.get(ENV_DIRS, "").split(os.pathsep) if d]
    return [Path(d) for d in (*extra, *from_env)]


def load_library(extra_dirs: Iterable[str] = ()) -> ScenarioLibrary:
    """The built-in scenarios, then those in the user's directories."""
    library = ScenarioLibrary()
    builtin = Path(str(builtin_scenarios()))
    for path in scenario_files(builtin):
        library.add(*load_file(path, f"scenarios/{path.name}"))
    for directory in user_dirs(extra_dirs):
        if not directory.is_dir():
            library.problems.append(Problem(str(directory), 1, (), "not a directory of scenarios"))
            continue
        for path in scenario_files(directory):
            library.add(*load_file(path))
    return library
