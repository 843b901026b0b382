"""Where the data shipped with Rehearse lives, whether installed or run from a checkout."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable


def builtin_scenarios() -> Traversable:
    """The directory of built-in scenario files and the rubric."""
    return files("scenarios")


def rubric_file() -> Traversable:
    return builtin_scenarios() / "rubric.yaml"


def web_root() -> Traversable:
    """The directory holding the templates and static assets."""
    return files("web")
