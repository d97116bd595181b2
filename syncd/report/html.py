"""The report as one self-contained HTML page: inline CSS and SVG, no script, no network."""

from __future__ import annotations

from collections import Counter

from jinja2 import Environment, PackageLoader, select_autoescape

from syncd.clock.compliance import GRADE_BANDS_NOTE
from syncd.clock.policy import ClockKind
from syncd.report.charts import grouped_bars, horizontal_bars, ratio_line
from syncd.report.figures import Report
from syncd.report.render import COLUMNS, NOTHING, rows

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
OFFICES_SHOWN = 15

_environment = Environment(
    loader=PackageLoader("syncd.report", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    keep_trailing_newline=True,
)


def _pct(value: float | None) -> str:
    return NOTHING if value is None else f"{value:.1%}"


def to_html(report: Report) -> str:
    months = report.period.months()
    monthly: dict[tuple[int, int], Counter[str]] = {m: Counter() for m in months}
    offices: Counter[str] = Counter()
    for agency in report.agencies:
        for month, counts in agency.monthly.items():
            monthly.setdefault(month, Counter()).update(counts)
        for unit in agency.units or [agency]:
            followup = unit.clocks.get(ClockKind.FOLLOWUP.value)
            if followup is not None and followup.counts["open_breached"]:
                offices[unit.label] = followup.counts["open_breached"]
    labels = [f"{MONTHS[m - 1]} {y % 100:02d}" for y, m in months]
    series = [monthly[m] for m in months]
    followups = [
        a.clocks[k] for a in report.agencies for k in [ClockKind.FOLLOWUP.value] if k in a.clocks
    ]
    received = sum(t.received for t in followups)
    met = sum(t.counts["met"] for t in followups)
    late = sum(t.counts["late"] for t in followups)
    overdue = sum(t.counts["open_breached"] for t in followups)
    judged = met + late + overdue
    table_rows = []
    for agency, name, parent, kind, *values in rows(report):
        entry = dict(zip(COLUMNS, values, strict=True))
        table_rows.append(
            {
                "name": name if parent else f"{name} ({agency})",
                "parent": parent,
                "kind": kind,
                **{k: entry[k] for k in ("total", "met", "late", "open_on_time", "open_breached")},
                "transferred": entry["transferred"],
                "cancelled": entry["cancelled"],
                "on_time": _pct(entry["on_time_ratio"]),
                "followed_up": _pct(entry["followed_up_ratio"]),
                "grade": entry["grade"] or NOTHING,
                "median": NOTHING
                if entry["median_response_days"] is None
                else f"{entry['median_response_days']:g}",
                "p90": NOTHING
                if entry["p90_response_days"] is None
                else f"{entry['p90_response_days']:g}",
            }
        )
    late_list = sorted(
        (o for a in report.agencies for o in a.not_followed_up),
        key=lambda o: -o.working_days_late,
    )
    return _environment.get_template("report.html.j2").render(
        period_from=report.period.start.isoformat(),
        period_to=report.period.end.isoformat(),
        generated=f"{report.now:%Y-%m-%d %H:%M}",
        bands_note=GRADE_BANDS_NOTE,
        bands=", ".join(f"{f:.0%}" for f in report.bands.floors),
        totals={
            "received": f"{received:,}",
            "followed_up": _pct((met + late) / judged if judged else None),
            "on_time": _pct(met / judged if judged else None),
            "overdue": overdue,
        },
        chart_monthly=grouped_bars(
            "Followups received and followed up, by month the clock started",
            labels,
            [
                ("received", [c["received"] for c in series]),
                ("followed up", [c["followed_up"] for c in series]),
            ],
        ),
        chart_ratio=ratio_line(
            "Followups on time, by month the clock started",
            labels,
            [c["met"] / c["judged"] if c["judged"] else None for c in series],
        ),
        chart_offices=horizontal_bars(
            "Overdue followups by office", offices.most_common(OFFICES_SHOWN)
        ),
        rows=table_rows,
        overdue=[
            {
                "tracking_id": o.tracking_id,
                "holder_name": o.holder_name,
                "due": f"{o.due_at:%Y-%m-%d}",
                "working_days_late": o.working_days_late,
                "title": "(confidential)" if o.title is None else o.title,
            }
            for o in late_list
        ],
    )
