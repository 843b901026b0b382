"""A counter-based random generator: its whole position is (seed, draws), so it snapshots small."""

from __future__ import annotations

_MASK = (1 << 64) - 1


def mix(seed: int, counter: int) -> int:
    """SplitMix64 of seed and counter: a well-spread 64-bit number."""
    z = (seed * 0x9E3779B97F4A7C15 + (counter + 1) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def pick(seed: int, counter: int, count: int) -> int:
    """An index below `count`, determined by seed and counter."""
    return mix(seed, counter) % count
