"""YAML parsed with positions kept, so every problem can name its line."""

from __future__ import annotations

from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from dialogue.problems import Path, Problem, ScenarioError


def load_fast(text: str) -> Any:
    """Parse YAML with the C parser into plain data (no positions); YAMLError if malformed."""
    return to_plain(YAML(typ="safe", pure=False).load(text))


def load_with_lines(text: str, source: str) -> Any:
    """Parse YAML text (round-trip mode, so nodes know their lines)."""
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        reason = exc.problem or exc.context or "not valid YAML"
        raise ScenarioError([Problem(source, line, (), f"not valid YAML: {reason}")]) from exc
    except YAMLError as exc:
        raise ScenarioError([Problem(source, 1, (), f"not valid YAML: {exc}")]) from exc


def line_of(data: Any, path: Path) -> int:
    """The 1-based line of the deepest node along `path` that exists."""
    line = 1
    node = data
    for part in path:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
        else:
            break
    return line


def to_plain(node: Any) -> Any:
    """Round-trip nodes as plain dicts, lists and scalars."""
    if isinstance(node, dict):
        return {str(key): to_plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [to_plain(item) for item in node]
    return node
