"""A report as JSON (the contract's shape), CSV, Markdown, or a table on the terminal.

Names and titles come from the platform: each format escapes them its own way
(``syncd.report.escape``); JSON needs nothing more than ``json.dumps``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from rich.table import Table

from syncd.clock.compliance import GRADE_BANDS_NOTE
from syncd.report.escape import csv_cell, markdown_cell, rich_text
from syncd.report.figures import KIND_ORDER, AgencyReport, ClockTotals, Report

COLUMNS = (
    "total",
    "met",
    "late",
    "open_on_time",
    "open_breached",
    "transferred",
    "cancelled",
    "on_time_ratio",
    "followed_up_ratio",
    "grade",
    "median_response_days",
    "p90_response_days",
)


def clock_entry(totals: ClockTotals, report: Report) -> dict[str, Any]:
    f = totals.figures
    return {
        "total": totals.received,
        "met": f.met,
        "late": f.late,
        "open_on_time": f.open_on_time,
        "open_breached": f.open_breached,
        "transferred": f.transferred,
        "cancelled": f.cancelled,
        "on_time_ratio": _round(f.on_time_ratio),
        "followed_up_ratio": _round(f.followed_up_ratio),
        "grade": report.bands.grade(f.on_time_ratio),
        "median_response_days": totals.median_response_days,
        "p90_response_days": totals.p90_response_days,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def agency_entry(agency: AgencyReport, report: Report) -> dict[str, Any]:
    return {
        "agency": agency.agency,
        "name": agency.name,
        "own_part": agency.own_part,
        "clocks": {
            kind: clock_entry(agency.clocks[kind], report)
            for kind in KIND_ORDER
            if kind in agency.clocks
        },
        "not_followed_up": [
            {
                "tracking_id": o.tracking_id,
                "title": o.title,
                "holder": o.holder,
                "holder_name": o.holder_name,
                "due_at": o.due_at.isoformat(),
                "working_days_late": o.working_days_late,
            }
            for o in agency.not_followed_up
        ],
        "units": [agency_entry(unit, report) for unit in agency.units],
    }


def to_json(report: Report) -> dict[str, Any]:
    return {
        "period": {"from": report.period.start.isoformat(), "to": report.period.end.isoformat()},
        "generated_at": report.now.isoformat(),
        "grade_bands": GRADE_BANDS_NOTE,
        "grade_band_floors": list(report.bands.floors),
        "agencies": [agency_entry(agency, report) for agency in report.agencies],
    }


def rows(report: Report) -> Iterator[list[Any]]:
    """One row per agency (and sub-unit) and clock, for CSV and tables."""

    def walk(agency: AgencyReport, parent: str) -> Iterator[list[Any]]:
        for kind in KIND_ORDER:
            if kind in agency.clocks:
                entry = clock_entry(agency.clocks[kind], report)
                yield [agency.agency, agency.label, parent, kind, *(entry[c] for c in COLUMNS)]
        for unit in agency.units:
            yield from walk(unit, agency.agency)

    for agency in report.agencies:
        yield from walk(agency, "")


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["agency", "name", "part_of", "clock", *COLUMNS])
    for row in rows(report):
        writer.writerow(["" if v is None else csv_cell(v) for v in row])
    return out.getvalue()


NOTHING = "-"
SHORT_KINDS = {"verification": "verify", "completion": "complete", "reporter_reply": "reply"}


def _days(value: float | None) -> str:
    return NOTHING if value is None else f"{value:g}"


def _ratio(value: float | None) -> str:
    return NOTHING if value is None else f"{value:.1%}"


def to_markdown(report: Report) -> str:
    lines = [
        f"# Complaint handling, {report.period.start} to {report.period.end}",
        "",
        f"Generated {report.now:%Y-%m-%d %H:%M} UTC. Clocks count by the date they "
        "started; the grade comes from the on-time ratio by bands that are a "
        f"{GRADE_BANDS_NOTE} ({', '.join(f'{f:.0%}' for f in report.bands.floors)} "
        "for grades 5 to 2).",
        "",
        "| agency | clock | total | met | late | open on time | open breached "
        "| transferred | cancelled | on time | followed up | grade | median days | p90 days |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for agency, name, parent, kind, *values in rows(report):
        entry = dict(zip(COLUMNS, values, strict=True))
        label = (
            f"↳ {markdown_cell(name)}"
            if parent
            else f"**{markdown_cell(name)}** ({markdown_cell(agency)})"
        )
        lines.append(
            f"| {label} | {kind} | {entry['total']} | {entry['met']} | {entry['late']} "
            f"| {entry['open_on_time']} | {entry['open_breached']} | {entry['transferred']} "
            f"| {entry['cancelled']} | {_ratio(entry['on_time_ratio'])} "
            f"| {_ratio(entry['followed_up_ratio'])} | {entry['grade'] or NOTHING} "
            f"| {_days(entry['median_response_days'])} | {_days(entry['p90_response_days'])} |"
        )
    overdue = [(a, o) for a in report.agencies for o in a.not_followed_up]
    lines += ["", f"## Not followed up ({len(overdue)})", ""]
    if overdue:
        lines += [
            "| tracking id | held by | due | working days late | title |",
            "|---|---|---|--:|---|",
        ]
        for _, o in overdue:
            title = "(confidential)" if o.title is None else markdown_cell(o.title)
            lines.append(
                f"| {markdown_cell(o.tracking_id)} | {markdown_cell(o.holder_name)} "
                f"| {o.due_at:%Y-%m-%d} "
                f"| {o.working_days_late} | {title} |"
            )
    else:
        lines.append("Every complaint due in this period was followed up.")
    return "\n".join(lines) + "\n"


def to_table(report: Report) -> Table:
    table = Table(
        title=f"Complaint handling {report.period.start} to {report.period.end}",
        caption=f"Grade bands: {GRADE_BANDS_NOTE}. Clocks count by the date they started.",
    )
    # Long names wrap onto more lines; none is cut (CONTRACT.md section 4).
    table.add_column("agency", overflow="fold", ratio=1, min_width=12)
    table.add_column("clock", no_wrap=True)
    for column in ("total", "met", "late", "open", "overdue", "on time", "grade", "days"):
        table.add_column(column, justify="right", no_wrap=True, min_width=4)
    for agency, name, parent, kind, *values in rows(report):
        entry = dict(zip(COLUMNS, values, strict=True))
        table.add_row(
            rich_text(f"  {name}" if parent else f"{agency} {name}", newlines=False),
            SHORT_KINDS.get(kind, kind),
            str(entry["total"]),
            str(entry["met"]),
            str(entry["late"]),
            str(entry["open_on_time"]),
            f"[red]{entry['open_breached']}[/red]" if entry["open_breached"] else "0",
            _ratio(entry["on_time_ratio"]),
            str(entry["grade"] or NOTHING),
            _days(entry["median_response_days"]),
        )
    return table
