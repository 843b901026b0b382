"""Checks of a parsed scenario: references that must resolve, and a lint of its state graph.

Every finding is (path, message, severity); the loader turns paths into file lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dialogue.kinds import KINDS
from dialogue.placeholders import BUILTIN
from dialogue.placeholders import names_in as placeholder_names
from dialogue.problems import Path, Severity
from dialogue.rubric import load_rubric
from dialogue.rules import ACTIONS, CONDITIONS, argument_error
from dialogue.scenario_model import ScenarioSpec, TransitionSpec

Finding = tuple[Path, str, Severity]
BACK = "$back"
ENGINE_VARIABLES = frozenset({"ask", "ask_text", "ask_unit", "ask_currency", "counter",
                              "counter_text", "deal", "their_figure"})  # fmt: skip
CRITERIA_CONDITIONS = frozenset({"met", "met_any", "missed"})
VARIABLE_MAP_RULES = frozenset({"var_is", "var_at_least", "var_below", "set", "add"})
REF_RULES = frozenset({"ask_at_most", "ask_above", "offer"})


def _known(names: object) -> str:
    return ", ".join(sorted(str(n) for n in names))  # type: ignore[attr-defined]


def rule_paths(spec: ScenarioSpec) -> Iterator[tuple[Path, str | None, TransitionSpec]]:
    """Every rule with its path and its state (None for `always`)."""
    for index, rule in enumerate(spec.always):
        yield ("always", index), None, rule
    for name, state in spec.states.items():
        for index, rule in enumerate(state.on):
            yield ("states", name, "on", index), name, rule


def rules_of(spec: ScenarioSpec, state: str) -> list[TransitionSpec]:
    """The rules tried in `state`: `always` first (not for interrupts), then its own."""
    spec_state = spec.states[state]
    if spec_state.ending is not None:
        return []
    shared = [] if spec_state.interrupt else list(spec.always)
    return shared + list(spec_state.on)


def predecessors(spec: ScenarioSpec, state: str) -> list[str]:
    """States with a rule leading to `state` (where an interrupt may return to)."""
    return [
        name
        for name in spec.states
        if name != state and any(rule.to == state for rule in rules_of(spec, name))
    ]


def successors(spec: ScenarioSpec, state: str) -> set[str]:
    """Where a reply in `state` can lead (`$back`: wherever the interrupted state leads)."""
    found: set[str] = set()
    for rule in rules_of(spec, state):
        if rule.to == BACK:
            for interrupted in predecessors(spec, state):
                found |= {r.to for r in spec.states[interrupted].on if r.to in spec.states}
        elif rule.to in spec.states:
            found.add(rule.to)
    return found


def check_references(spec: ScenarioSpec) -> list[Finding]:
    """Names that must resolve: states, conditions, actions, criteria, variables, placeholders."""
    findings: list[Finding] = []
    states = spec.states
    variables = set(spec.variables) | ENGINE_VARIABLES
    if spec.start not in states:
        findings.append(
            (("start",), f"unknown state {spec.start!r} (known: {_known(states)})", "error")
        )
    elif states[spec.start].ending or states[spec.start].interrupt:
        findings.append((("start",), "the start cannot be an ending or an interrupt", "error"))
    for index, drill in enumerate(spec.drills):
        path: Path = ("drills", index, "state")
        if drill.state not in states:
            findings.append(
                (path, f"unknown state {drill.state!r} (known: {_known(states)})", "error")
            )
        elif states[drill.state].ending or states[drill.state].interrupt:
            findings.append((path, "a drill cannot start at an ending or an interrupt", "error"))
        for name in drill.variables:
            if name not in variables:
                findings.append(
                    (
                        ("drills", index, "variables", name),
                        f"unknown variable {name!r} (declare it under 'variables')",
                        "error",
                    )
                )
    for path, state, rule in rule_paths(spec):
        findings.extend(_check_rule(spec, path, state, rule, variables))
    findings.extend(_check_placeholders(spec))
    return findings


def _check_rule(
    spec: ScenarioSpec, path: Path, state: str | None, rule: TransitionSpec, variables: set[str]
) -> Iterator[Finding]:
    rubric = load_rubric()
    if rule.to == BACK:
        if state is None or not spec.states[state].interrupt:
            yield (*path, "to"), f"'{BACK}' is only for the rules of an interrupt state", "error"
    elif rule.to not in spec.states:
        yield (*path, "to"), f"unknown state {rule.to!r} (known: {_known(spec.states)})", "error"
    for kind, registry, section in (("condition", CONDITIONS, "when"), ("action", ACTIONS, "do")):
        items: dict[str, Any] = rule.when if section == "when" else rule.do
        for name, arg in items.items():
            where: Path = (*path, section, name)
            if name not in registry:
                yield where, f"unknown {kind} {name!r} (known: {_known(registry)})", "error"
                continue
            problem = argument_error(registry[name], arg)
            if problem:
                yield where, problem, "error"
                continue
            yield from _check_names(
                where, name, arg, variables, criteria=rubric.criteria, violations=rubric.violations
            )


def _check_names(
    where: Path, name: str, arg: Any, variables: set[str], *, criteria: Any, violations: Any
) -> Iterator[Finding]:
    if name in CRITERIA_CONDITIONS:
        for cid in arg:
            if cid not in criteria:
                yield where, f"unknown criterion {cid!r} (known: {_known(criteria)})", "error"
    elif name == "violation":
        for vid in arg:
            if vid != "any" and vid not in violations:
                yield (
                    where,
                    f"unknown violation {vid!r} (known: any, {_known(violations)})",
                    "error",
                )
    elif name in VARIABLE_MAP_RULES:
        for var in arg:
            if var not in variables:
                yield where, f"unknown variable {var!r} (declare it under 'variables')", "error"
    elif name in REF_RULES and isinstance(arg, str) and arg not in variables:
        yield where, f"unknown variable {arg!r} (declare it under 'variables')", "error"


def _check_placeholders(spec: ScenarioSpec) -> Iterator[Finding]:
    fillable = set(spec.variables) | BUILTIN | ENGINE_VARIABLES
    offers = any("offer" in rule.do for _, _, rule in rule_paths(spec))
    counter_known = (
        offers
        or "counter" in spec.variables
        or any("counter" in drill.variables for drill in spec.drills)
    )
    for name, state in spec.states.items():
        for which, line in (("say", state.say), ("again", state.again)):
            if line is None:
                continue
            for index, variant in enumerate(line.variants):
                where: Path = ("states", name, which, "variants", index)
                try:
                    used = list(placeholder_names(variant))
                except ValueError as exc:
                    yield where, f"bad placeholder: {exc}", "error"
                    continue
                for placeholder in used:
                    if placeholder not in fillable:
                        known = _known(fillable)
                        message = f"placeholder {{{placeholder}}} is never filled (known: {known})"
                        yield where, message, "error"
                    elif placeholder == "counter" and not counter_known:
                        yield (
                            where,
                            "placeholder {counter} is never filled: no rule makes an 'offer'",
                            "error",
                        )


def lint(spec: ScenarioSpec) -> list[Finding]:
    """Loose ends in the state graph: missing fallbacks, dead ends, unreachable states."""
    findings = list(_fallback_findings(spec))
    if spec.start in spec.states:
        findings.extend(_reachability_findings(spec))
    findings.extend(_tag_findings(spec))
    return findings


def _fallback_findings(spec: ScenarioSpec) -> Iterator[Finding]:
    for name, state in spec.states.items():
        if state.ending is not None:
            continue
        fallbacks = [i for i, rule in enumerate(state.on) if not rule.when]
        if not fallbacks:
            message = f"state {name!r} has no fallback: end 'on' with a rule without 'when'"
            yield ("states", name, "on"), message, "error"
        elif fallbacks[0] != len(state.on) - 1:
            after = ("states", name, "on", fallbacks[0] + 1)
            yield after, "never tried: it comes after the fallback", "warning"


def _reachability_findings(spec: ScenarioSpec) -> Iterator[Finding]:
    reachable = _reachable(spec, spec.start)
    endings = {n for n, s in spec.states.items() if s.ending is not None}
    for name, state in spec.states.items():
        if name in reachable:
            continue
        if state.ending is not None:
            message = f"ending {name!r} ({state.ending}) can never be reached"
        else:
            message = f"state {name!r} can never be reached from the start {spec.start!r}"
        yield ("states", name), message, "error"
    for name in sorted(reachable - endings):
        if not _reachable(spec, name) & endings:
            message = f"state {name!r} has no way out: no ending can be reached from it"
            yield ("states", name), message, "error"


def _tag_findings(spec: ScenarioSpec) -> Iterator[Finding]:
    used_kinds = {s.say.kind for s in spec.states.values()} | {
        s.again.kind for s in spec.states.values() if s.again is not None
    }
    for index, tag in enumerate(spec.tags):
        if tag not in used_kinds:
            yield ("tags", index), f"tag {tag!r} is not the kind of any line", "warning"


def _reachable(spec: ScenarioSpec, start: str) -> set[str]:
    seen = {start}
    frontier = [start]
    while frontier:
        for nxt in successors(spec, frontier.pop()):
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return seen


__all__ = ["KINDS", "Finding", "check_references", "lint", "predecessors", "rules_of", "successors"]
