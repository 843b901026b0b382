"""Progress charts drawn as inline SVG on the server (no chart library, no CDN).

Colour is never the only signal: every series also has its own marker shape and dash
pattern, a text legend, and the numbers are in a table next to the chart.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 12, 28
PALETTE = ("#0b5cad", "#a0522d", "#17683a", "#6a3d9a", "#b8860b", "#a01c1c", "#2f4f4f")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4", "4 4")
MARKERS = ("circle", "square", "triangle", "diamond", "circle", "square", "triangle")


@dataclass(frozen=True)
class Series:
    name: str
    points: list[tuple[int, float]]  # (attempt number, value 0..100)


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span * (index - 1) / max(count - 1, 1) if count > 1 else span / 2)


def _y(value: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / 100)


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if shape == "triangle":
        points = f"{x:.1f},{y - 5:.1f} {x - 5:.1f},{y + 4:.1f} {x + 5:.1f},{y + 4:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    if shape == "diamond":
        points = f"{x:.1f},{y - 5:.1f} {x - 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x + 5:.1f},{y:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'


def line_chart(title: str, series: list[Series], count: int, chart_id: str) -> str:
    """A line per series over attempts 1..count, 0-100 on the y axis."""
    parts = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{chart_id}-t">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
    ]
    for value in (0, 50, 100):
        y = _y(value)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#c9d1da"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{value}</text>'
        )
    parts.append(
        f'<text x="{(WIDTH + LEFT) / 2:.0f}" y="{HEIGHT - 6}" text-anchor="middle">'
        "attempts, oldest first</text>"
    )
    for number, line in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        dash = DASHES[number % len(DASHES)]
        coords = [(_x(i, count), _y(v)) for i, v in line.points]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>'
        )
        shape = MARKERS[number % len(MARKERS)]
        parts.extend(_marker(shape, x, y, colour) for x, y in coords)
    parts.append("</svg>")
    return "".join(parts)


def legend(series: list[Series]) -> list[dict[str, str]]:
    """For the template: name, colour, marker shape and dash of each series."""
    return [
        {
            "name": line.name,
            "colour": PALETTE[n % len(PALETTE)],
            "marker": MARKERS[n % len(MARKERS)],
            "dash": "dashed" if DASHES[n % len(DASHES)] else "solid",
        }
        for n, line in enumerate(series)
    ]


def sparkline(values: list[float], label: str) -> str:
    """A small 0-100 line for one criterion across attempts."""
    width, height, pad = 180, 40, 4
    if not values:
        return ""
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    coords = [
        (pad + step * i if len(values) > 1 else width / 2, pad + (height - 2 * pad) * (1 - v / 100))
        for i, v in enumerate(values)
    ]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="#0b5cad"/>' for x, y in coords)
    return (
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">'
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}"'
        ' stroke="#c9d1da"/>'
        f'<polyline points="{path}" fill="none" stroke="#0b5cad" stroke-width="2"/>{dots}</svg>'
    )
