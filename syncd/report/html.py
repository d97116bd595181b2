"""The report as one self-contained HTML page: inline CSS and SVG, no script, no network.

Headline cards for the followup and the completion clock, three charts, one table
per clock (so that agency names keep a readable width), the reporter's window apart
and ungraded, and the complaints not followed up, with due dates in the agency's
local time (WIB, WITA, WIT). In Indonesian unless the language is ``en``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from syncd.clock.policy import ClockKind
from syncd.report.charts import grouped_bars, horizontal_bars, ratio_lines
from syncd.report.figures import AgencyReport, ClockTotals, Report
from syncd.report.render import SHOWN_KINDS, clock_entry, display_name, window_entry
from syncd.report.wording import INDONESIAN, Wording

OFFICES_SHOWN = 15
FOLLOWUP, COMPLETION = ClockKind.FOLLOWUP.value, ClockKind.COMPLETION.value
HEADLINE_KINDS = (FOLLOWUP, COMPLETION)

SOFT_HYPHEN = "\u00ad"
BREAKS = {
    "Ditindaklanjuti": "Ditindak·lanjuti",
    "Diselesaikan": "Disele·saikan",
    "Diverifikasi": "Diveri·fikasi",
    "Terlambat": "Terlam·bat",
    "Dialihkan": "Dialih·kan",
    "Dibatalkan": "Dibatal·kan",
    "Transferred": "Trans·ferred",
    "Cancelled": "Can·celled",
    "percentile": "percen·tile",
}
"""Where the long words of the tables' headers may break (soft hyphens), so that a
column of short numbers does not take a long word's width."""


def breakable(text: str) -> str:
    for word, broken in BREAKS.items():
        text = text.replace(word, broken.replace("·", SOFT_HYPHEN))
    return text


_environment = Environment(
    loader=PackageLoader("syncd.report", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    keep_trailing_newline=True,
)
_environment.filters["breakable"] = breakable


def _all(report: Report, kind: str) -> ClockTotals:
    total = ClockTotals()
    for agency in report.agencies:
        if kind in agency.clocks:
            total.add(agency.clocks[kind])
    return total


def _card(totals: ClockTotals, kind: str, w: Wording) -> dict[str, Any]:
    f = totals.figures
    return {
        "title": w.clocks[kind],
        "received": w.number(totals.received),
        "answered_label": w.answered[kind],
        "answered": w.percent(f.followed_up_ratio),
        "on_time": w.percent(f.on_time_ratio),
        "overdue": w.number(f.open_breached),
        "overdue_note": w.not_answered[kind],
        "bad": f.open_breached > 0,
    }


def _table(report: Report, kind: str, w: Wording) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def walk(agency: AgencyReport, unit: bool) -> None:
        if kind in agency.clocks:
            e = clock_entry(agency.clocks[kind], report)
            name = display_name(agency, w)
            rows.append(
                {
                    "name": name,
                    "id": "" if unit else agency.agency,
                    "unit": unit,
                    **{
                        k: w.number(e[k])
                        for k in (
                            "total",
                            "met",
                            "late",
                            "open_on_time",
                            "open_breached",
                            "transferred",
                            "cancelled",
                        )
                    },
                    "bad": e["open_breached"] > 0,
                    "on_time": w.percent(e["on_time_ratio"]),
                    "answered": w.percent(e["followed_up_ratio"]),
                    "grade": e["grade"] or "-",
                    "median": w.decimal(e["median_response_days"]),
                    "p90": w.decimal(e["p90_response_days"]),
                }
            )
        for sub in agency.units:
            walk(sub, True)

    for agency in report.agencies:
        walk(agency, False)
    return rows


def _offices(report: Report, w: Wording) -> list[tuple[str, list[int]]]:
    """Each office (the sub-units, not their sums) with its overdue clocks by kind."""
    found: dict[str, list[int]] = {}
    for agency in report.agencies:
        for unit in agency.units or [agency]:
            counts = [
                unit.clocks[k].counts["open_breached"] if k in unit.clocks else 0
                for k in HEADLINE_KINDS
            ]
            if any(counts):
                found[display_name(unit, w)] = counts
    ranked = sorted(found.items(), key=lambda item: (-sum(item[1]), item[0]))
    return ranked[:OFFICES_SHOWN]


def to_html(report: Report, words: Wording = INDONESIAN) -> str:
    w = words
    months = report.period.months()
    monthly: dict[str, dict[tuple[int, int], Counter[str]]] = {
        kind: {m: Counter() for m in months} for kind in HEADLINE_KINDS
    }
    for agency in report.agencies:
        for kind, by_month in agency.monthly.items():
            for month, counts in by_month.items():
                monthly.setdefault(kind, {}).setdefault(month, Counter()).update(counts)
    labels = [w.month_label(y, m) for y, m in months]
    followups = [monthly[FOLLOWUP][m] for m in months]
    offices = _offices(report, w)
    windows = [
        {
            "name": display_name(a, w),
            **{k: w.number(v) for k, v in window_entry(a.reporter_window).items()},
        }
        for a in report.agencies
        if a.reporter_window.received
    ]
    late_list = sorted(
        (o for a in report.agencies for o in a.not_followed_up),
        key=lambda o: -o.working_days_late,
    )
    bands = ", ".join(f"{round(f * 100):g}%" for f in report.bands.floors)
    return _environment.get_template("report.html.j2").render(
        w=w,
        lang=w.language,
        period=w.period.format(start=w.day(report.period.start), end=w.day(report.period.end)),
        generated=w.generated.format(at=w.instant(report.now, report.zone)),
        bands_note=w.bands.format(bands=bands),
        estimated=w.estimated.format(
            days=", ".join(f"{w.day(h.day)} ({h.name})" for h in report.estimated_holidays)
        )
        if report.estimated_holidays
        else "",
        cards=[_card(_all(report, kind), kind, w) for kind in HEADLINE_KINDS],
        chart_monthly=grouped_bars(
            w.by_month_heading,
            labels,
            [
                (w.received.lower(), [c["received"] for c in followups]),
                (w.answered[FOLLOWUP].lower(), [c["answered"] for c in followups]),
            ],
            number=w.number,
        ),
        chart_ratio=ratio_lines(
            w.on_time_heading,
            labels,
            [
                (
                    w.clocks[kind].lower(),
                    [
                        c["met"] / c["judged"] if c["judged"] else None
                        for c in (monthly[kind][m] for m in months)
                    ],
                )
                for kind in HEADLINE_KINDS
            ],
            percent=w.percent,
        ),
        chart_offices=horizontal_bars(
            w.offices_chart,
            offices,
            [w.clocks[kind].lower() for kind in HEADLINE_KINDS],
            w.no_overdue,
            number=w.number,
        ),
        tables=[
            {"kind": kind, "title": w.clocks[kind], "rows": _table(report, kind, w)}
            for kind in SHOWN_KINDS
        ],
        windows=windows,
        overdue=[
            {
                "tracking_id": o.tracking_id,
                "holder_name": o.holder_name,
                "due": w.instant(o.due_at, o.zone, short=True),
                "working_days_late": w.number(o.working_days_late),
                "title": w.confidential if o.title is None else o.title,
            }
            for o in late_list
        ],
    )
