"""A scenario's state machine as a Mermaid state diagram (`rehearse graph ID`)."""

from __future__ import annotations

from typing import Any

from dialogue.scenario_check import BACK, predecessors, rules_of
from dialogue.scenario_model import ScenarioSpec


def _label(when: dict[str, Any]) -> str:
    if not when:
        return "otherwise"
    parts = []
    for name, arg in when.items():
        if isinstance(arg, list):
            shown = ", ".join(map(str, arg))
        elif isinstance(arg, dict):
            shown = ", ".join(f"{k} {v}" for k, v in arg.items())
        else:
            shown = str(arg)
        parts.append(f"{name} {shown}")
    # Mermaid reads ':' and ';' as syntax inside labels.
    return " and ".join(parts).replace(":", " ").replace(";", ",")


def _node(name: str) -> str:
    return name.replace("-", "_")


def mermaid(spec: ScenarioSpec) -> str:
    """`stateDiagram-v2` source: states (with stage or outcome), rules as labelled edges."""
    lines = ["stateDiagram-v2", f"    [*] --> {_node(spec.start)}"]
    for name, state in spec.states.items():
        if state.ending is not None:
            lines.append(f"    {_node(name)} : {name} (ending, {state.ending})")
            lines.append(f"    {_node(name)} --> [*]")
        else:
            kind = "interrupt" if state.interrupt else state.stage
            lines.append(f"    {_node(name)} : {name} ({kind})")
    for name in spec.states:
        for rule in rules_of(spec, name):
            targets = predecessors(spec, name) if rule.to == BACK else [rule.to]
            label = _label(rule.when) + (" (back)" if rule.to == BACK else "")
            lines.extend(f"    {_node(name)} --> {_node(t)} : {label}" for t in targets)
    return "\n".join(lines) + "\n"
