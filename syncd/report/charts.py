"""Small inline SVG charts for the HTML report: no script, no network, no library.

Each function returns one ``<svg>`` element as markup, its text escaped; the page
shows it as is, and prints it as well as it shows it.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 28, 40
COLORS = ("#2f6fb3", "#3c9d5d", "#c0392b")


def _frame(
    title: str, body: list[str], legend: Sequence[tuple[str, str]] = (), height: int = HEIGHT
) -> Markup:
    keys = "".join(
        f'<rect x="{LEFT + i * 170}" y="6" width="12" height="12" fill="{color}"/>'
        f'<text x="{LEFT + i * 170 + 18}" y="16">{escape(label)}</text>'
        for i, (label, color) in enumerate(legend)
    )
    # Every text in body and keys went through escape() where it was built.
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="{escape(title)}" class="chart">'
        f"<title>{escape(title)}</title>{keys}{''.join(body)}</svg>"
    )


def _axis(top_value: float, as_percent: bool) -> list[str]:
    plot = HEIGHT - TOP - BOTTOM
    parts = [
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" '
        f'y2="{HEIGHT - BOTTOM}" class="axis"/>'
    ]
    for step in range(5):
        value = top_value * step / 4
        y = HEIGHT - BOTTOM - plot * step / 4
        label = f"{value:.0%}" if as_percent else f"{value:,.0f}"
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>'
        )
    return parts


def grouped_bars(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int]]]
) -> Markup:
    """Bars side by side per label, e.g. received and followed up per month."""
    highest = max([1, *(v for _, values in series for v in values)])
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(labels))
    bar = slot * 0.8 / max(1, len(series))
    body = _axis(highest, as_percent=False)
    for i, label in enumerate(labels):
        x0 = LEFT + i * slot + slot * 0.1
        for j, (name, values) in enumerate(series):
            h = plot_h * values[i] / highest
            body.append(
                f'<rect x="{x0 + j * bar:.1f}" y="{HEIGHT - BOTTOM - h:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}" fill="{COLORS[j % len(COLORS)]}">'
                f"<title>{escape(label)}: {values[i]:,} {escape(name)}</title></rect>"
            )
        body.append(
            f'<text x="{x0 + slot * 0.4:.1f}" y="{HEIGHT - BOTTOM + 16}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    legend = [(name, COLORS[j % len(COLORS)]) for j, (name, _) in enumerate(series)]
    return _frame(title, body, legend)


def ratio_line(title: str, labels: Sequence[str], values: Sequence[float | None]) -> Markup:
    """A ratio (0 to 1) per label; a gap where there is nothing to divide by."""
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(labels))
    body = _axis(1.0, as_percent=True)
    points = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = LEFT + slot * (i + 0.5)
        body.append(
            f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
        if value is None:
            continue
        y = HEIGHT - BOTTOM - plot_h * value
        points.append(f"{x:.1f},{y:.1f}")
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{COLORS[0]}">'
            f"<title>{escape(label)}: {value:.1%}</title></circle>"
        )
    if len(points) > 1:
        body.insert(
            1,
            f'<polyline points="{" ".join(points)}" fill="none" stroke="{COLORS[0]}" '
            'stroke-width="2"/>',
        )
    return _frame(title, body, [("on time", COLORS[0])])


def horizontal_bars(title: str, items: Sequence[tuple[str, int]]) -> Markup:
    """One bar per item, longest first, e.g. overdue complaints by office."""
    row = 22
    height = TOP + row * max(1, len(items)) + 12
    highest = max([1, *(n for _, n in items)])
    label_w = 300
    plot_w = WIDTH - label_w - RIGHT - 40
    body = []
    for i, (label, n) in enumerate(items):
        y = TOP + i * row
        w = plot_w * n / highest
        body.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{escape(label[:48])}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" '
            f'fill="{COLORS[2]}"><title>{escape(label)}: {n:,}</title></rect>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 15}">{n:,}</text>'
        )
    if not items:
        body.append(f'<text x="{LEFT}" y="{TOP + 15}">No complaint is overdue.</text>')
    return _frame(title, body, height=height)
