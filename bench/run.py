"""`make bench`: run every benchmark, print its table, save its figures."""

from __future__ import annotations

import sys

from bench import results_file, scorer


def main() -> int:
    figures = scorer.run()
    print(scorer.table(figures))
    print(f"saved {results_file.save('scorer', figures)}")
    over = [k for k, target in scorer.TARGETS.items() if figures[k] > target]
    if over:
        print(f"over target: {', '.join(over)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
