"""Run axe-core (vendored from npm: tests/web/vendor/axe.min.js) in the page under test."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")


def violations(page: Page) -> list[dict[str, Any]]:
    """The serious and critical accessibility violations axe finds on the page as it is."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    results: dict[str, Any] = page.evaluate("async () => await axe.run(document)")
    found = [v for v in results["violations"] if v["impact"] in BLOCKING]
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in found
    ]  # fmt: skip
