"""Small inline SVG charts for the HTML report: no script, no network, no library.

Each function returns one ``<svg>`` element as markup, its text escaped; the page
shows it as is, and prints it as well as it shows it. Axes step by 1, 2 or 5 times a
power of ten; long labels wrap onto more lines instead of being cut; the numbers are
written the report's way (``number`` and ``percent``).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 34, 40
COLORS = ("#2f6fb3", "#3c9d5d", "#c0392b", "#d68910")
CHARACTER = 6.2
"""About the width of one character of the charts' 11-unit font, in viewBox units."""
LINE = 14

Number = Callable[[int], str]
Percent = Callable[[float | None], str]


def nice_ticks(highest: float, most: int = 6, *, whole: bool = False) -> list[float]:
    """From 0 to at least ``highest`` in at most ``most`` steps of 1, 2 or 5 times 10^k
    (``whole``: steps of at least 1, for counts)."""
    if highest <= 0:
        return [0.0, 1.0]
    lowest = math.floor(math.log10(highest / most)) - 1
    for exponent in range(max(lowest, 0) if whole else lowest, 400):
        for factor in (1, 2, 5):
            step = factor * 10.0**exponent
            count = math.ceil(highest / step - 1e-9)
            if count <= most:
                return [round(step * i, 9) for i in range(max(count, 1) + 1)]
    raise ValueError(highest)  # pragma: no cover (a float has fewer than 400 decades)


def _lines(text: str, characters: int) -> list[str]:
    return textwrap.wrap(text, characters, break_long_words=True) or [""]


def _frame(
    title: str, body: list[str], legend: Sequence[tuple[str, str]] = (), height: int = HEIGHT
) -> Markup:
    keys, x = [], LEFT
    for label, color in legend:
        keys.append(
            f'<rect x="{x}" y="6" width="12" height="12" fill="{color}"/>'
            f'<text x="{x + 18}" y="16">{escape(label)}</text>'
        )
        x += 18 + round(len(label) * CHARACTER) + 24
    # Every text in body and keys went through escape() where it was built.
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart">'
        f"<title>{escape(title)}</title>{''.join(keys)}{''.join(body)}</svg>"
    )


def _axis(ticks: Sequence[float], label: Callable[[float], str]) -> list[str]:
    plot = HEIGHT - TOP - BOTTOM
    parts = [
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" '
        f'y2="{HEIGHT - BOTTOM}" class="axis"/>'
    ]
    for value in ticks:
        y = HEIGHT - BOTTOM - plot * value / ticks[-1]
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(label(value))}</text>'
        )
    return parts


def _x_labels(labels: Sequence[str], slot: float) -> list[str]:
    """One label per slot, or every second, third… when they would overlap."""
    widest = max([1, *(len(label) for label in labels)]) * CHARACTER + 8
    every = max(1, math.ceil(widest / slot))
    return [
        f'<text x="{LEFT + slot * (i + 0.5):.1f}" y="{HEIGHT - BOTTOM + 16}" '
        f'text-anchor="middle">{escape(label)}</text>'
        for i, label in enumerate(labels)
        if i % every == 0
    ]


def grouped_bars(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    number: Number = "{:,}".format,
) -> Markup:
    """Bars side by side per label, e.g. received and followed up per month."""
    ticks = nice_ticks(max([0, *(v for _, values in series for v in values)]), whole=True)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(labels))
    bar = slot * 0.8 / max(1, len(series))
    body = _axis(ticks, lambda v: number(round(v)))
    for i, label in enumerate(labels):
        x0 = LEFT + i * slot + slot * 0.1
        for j, (name, values) in enumerate(series):
            h = plot_h * values[i] / ticks[-1]
            body.append(
                f'<rect x="{x0 + j * bar:.1f}" y="{HEIGHT - BOTTOM - h:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}" fill="{COLORS[j % len(COLORS)]}">'
                f"<title>{escape(label)}: {escape(number(values[i]))} {escape(name)}</title></rect>"
            )
    body += _x_labels(labels, slot)
    legend = [(name, COLORS[j % len(COLORS)]) for j, (name, _) in enumerate(series)]
    return _frame(title, body, legend)


def ratio_lines(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    percent: Percent = "{:.0%}".format,
) -> Markup:
    """Ratios (0 to 1) per label, one line each; a gap where there is nothing to divide."""
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(labels))
    body = _axis(nice_ticks(1.0), lambda v: f"{round(v * 100)}%")
    for j, (name, values) in enumerate(series):
        color = COLORS[j % len(COLORS)]
        points = []
        for i, (label, value) in enumerate(zip(labels, values, strict=True)):
            if value is None:
                continue
            x = LEFT + slot * (i + 0.5)
            y = HEIGHT - BOTTOM - plot_h * value
            points.append(f"{x:.1f},{y:.1f}")
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{color}">'
                f"<title>{escape(label)}, {escape(name)}: {escape(percent(value))}</title></circle>"
            )
        if len(points) > 1:
            body.insert(
                1,
                f'<polyline points="{" ".join(points)}" fill="none" stroke="{color}" '
                'stroke-width="2"/>',
            )
    body += _x_labels(labels, slot)
    legend = [(name, COLORS[j % len(COLORS)]) for j, (name, _) in enumerate(series)]
    return _frame(title, body, legend)


def horizontal_bars(
    title: str,
    items: Sequence[tuple[str, Sequence[int]]],
    series: Sequence[str],
    empty: str,
    number: Number = "{:,}".format,
) -> Markup:
    """Per item a name on its own lines, wrapped, then a bar per series under it: e.g.
    the followups and completions overdue, per agency, the most first."""
    bar = 12
    highest = max([1, *(n for _, values in items for n in values)])
    plot_w = WIDTH - LEFT - RIGHT - 60
    characters = int((WIDTH - LEFT - RIGHT) / CHARACTER)
    body, y = [], TOP
    for label, values in items:
        for line in _lines(label, characters):
            body.append(f'<text x="{LEFT}" y="{y + 11}">{escape(line)}</text>')
            y += LINE
        for j, (name, n) in enumerate(zip(series, values, strict=True)):
            w = plot_w * n / highest
            body.append(
                f'<rect x="{LEFT}" y="{y + 2}" width="{w:.1f}" height="{bar}" '
                f'fill="{COLORS[(j + 2) % len(COLORS)]}"><title>{escape(label)}, '
                f"{escape(name)}: {escape(number(n))}</title></rect>"
                f'<text x="{LEFT + w + 6:.1f}" y="{y + bar}">{escape(number(n))}</text>'
            )
            y += bar + 3
        y += 8
    if not items:
        body.append(f'<text x="{LEFT}" y="{y + 15}">{escape(empty)}</text>')
        y += 24
    legend = [(name, COLORS[(j + 2) % len(COLORS)]) for j, name in enumerate(series)]
    return _frame(title, body, legend, height=y + 6)
