"""`make bench`: run every benchmark, print its table, save its figures."""

from __future__ import annotations

import sys
from typing import Any

from bench import e2e, engine, results_file, scorer


def over_target(
    figures: dict[str, Any], targets: dict[str, float], minimums: dict[str, float]
) -> list[str]:
    """The figures past their target: above a maximum, or below a minimum."""
    numbers = {k: v for k, v in figures.items() if isinstance(v, int | float)}
    return [key for key, most in targets.items() if numbers.get(key, most) > most] + [
        key for key, least in minimums.items() if numbers.get(key, least) < least
    ]


def main() -> int:
    host = results_file.machine()
    print(f"host: {host['processor']}, {host['cpus']} CPUs; a reference Python loop takes "
          f"{host['reference_loop_s']} s of CPU (lower is faster: compare runs by it)\n")  # fmt: skip
    over: list[str] = []
    for name, module in (("scorer", scorer), ("engine", engine), ("e2e", e2e)):
        figures = module.run()
        print(module.table(figures))
        print(f"saved {results_file.save(name, figures)}\n", flush=True)
        over += over_target(figures, module.TARGETS, getattr(module, "MINIMUMS", {}))
    if over:
        print(f"over target: {', '.join(over)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
