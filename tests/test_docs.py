"""The README and docs describe what exists."""

from __future__ import annotations

import re
from pathlib import Path

from server.cli import command_names
from tests.scorer_eval import HELDOUT, TUNING, evaluate

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_shows_the_make_targets() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("run", "test", "lint", "eval", "bench"):
        assert re.search(rf"^{target}:", makefile, re.MULTILINE), target
        assert f"make {target}" in README, target


def test_every_cli_command_is_documented() -> None:
    for name in command_names():
        assert f"rehearse {name}" in README, name


def test_readme_reports_the_current_scorer_figures() -> None:
    for path in (TUNING, HELDOUT):
        figure = f"{evaluate(path).macro_f1:.2f}"
        assert figure in README, f"README should report {path.stem} macro-F1 {figure}"


def test_every_protocol_message_and_error_code_is_documented() -> None:
    from server.websocket import CLIENT_MESSAGES, ERROR_CODES, SERVER_MESSAGES  # noqa: PLC0415

    protocol = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
    for name in (*CLIENT_MESSAGES, *SERVER_MESSAGES):
        assert f'"type":"{name}"' in protocol, name
    for code in ERROR_CODES:
        assert f"`{code}`" in protocol, code
