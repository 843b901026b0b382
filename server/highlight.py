"""A reply split into pieces, each with the criteria whose evidence covers it (for <mark>)."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

Piece = tuple[str, tuple[str, ...]]


def pieces(text: str, criteria: dict[str, Any] | None, violations: frozenset[str]) -> list[Piece]:
    """`text` cut at every evidence boundary; each piece names the criteria it shows."""
    spans: list[tuple[int, int, str]] = []
    for cid, result in (criteria or {}).items():
        if result.get("met"):
            for span in result.get("evidence", []):
                start, end = int(span["start"]), int(span["end"])
                if 0 <= start < end <= len(text):
                    spans.append((start, end, cid))
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    out: list[Piece] = []
    for left, right in pairwise(cuts):
        covering = tuple(sorted({cid for s, e, cid in spans if s <= left and right <= e}))
        out.append((text[left:right], covering))
    return out


def label(cids: tuple[str, ...]) -> str:
    return ", ".join(cid.replace("_", " ") for cid in cids)
