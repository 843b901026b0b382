"""`make bench`: run every benchmark, print its table, save its figures."""

from __future__ import annotations

import sys
from typing import Any

from bench import e2e, engine, results_file, scorer


def _over(figures: dict[str, Any], targets: dict[str, float]) -> list[str]:
    return [
        key
        for key, target in targets.items()
        if isinstance(figures.get(key), int | float) and figures[key] > target
    ]


def main() -> int:
    over: list[str] = []
    for name, module in (("scorer", scorer), ("engine", engine), ("e2e", e2e)):
        figures = module.run()
        print(module.table(figures))
        print(f"saved {results_file.save(name, figures)}\n", flush=True)
        over += _over(figures, module.TARGETS)
    if over:
        print(f"over target: {', '.join(over)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
