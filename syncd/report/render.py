"""A report as JSON (the contract's shape), CSV, Markdown, or a table on the terminal.

Names and titles come from the platform: each format escapes them its own way
(``syncd.report.escape``); JSON needs nothing more than ``json.dumps``. JSON and CSV
keep the contract's English keys; Markdown and the table speak the report's language
(``syncd.report.wording``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from syncd.clock.compliance import GRADE_BANDS_NOTE
from syncd.clock.policy import ClockKind
from syncd.report.escape import csv_cell, markdown_cell, rich_text
from syncd.report.figures import KIND_ORDER, UNNAMED, AgencyReport, ClockTotals, Report
from syncd.report.wording import ENGLISH, INDONESIAN, NOTHING, Wording
from syncd.store.tally import NO_AGENCY

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


SHOWN_KINDS = (ClockKind.FOLLOWUP.value, ClockKind.COMPLETION.value, ClockKind.VERIFICATION.value)
"""The order the formats for people show the clocks in: the agency's two first."""


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


def window_entry(window: ClockTotals) -> dict[str, int]:
    """The reporter's windows, for information: how they ended, never a ratio or grade."""
    c = window.counts
    return {
        "total": window.received,
        "replied": c["met"] + c["late"],
        "lapsed": c["lapsed"] + c["open_breached"],
        "open": c["open_on_time"],
        "transferred": c["transferred"],
        "cancelled": c["cancelled"],
    }


def agency_entry(agency: AgencyReport, report: Report) -> dict[str, Any]:
    entry = {
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
    if agency.reporter_window.received:
        entry["reporter_window"] = window_entry(agency.reporter_window)
    return entry


def to_json(report: Report) -> dict[str, Any]:
    return {
        "period": {"from": report.period.start.isoformat(), "to": report.period.end.isoformat()},
        "generated_at": report.now.isoformat(),
        "grade_bands": GRADE_BANDS_NOTE,
        "grade_band_floors": list(report.bands.floors),
        "agencies": [agency_entry(agency, report) for agency in report.agencies],
    }


def display_name(agency: AgencyReport, words: Wording) -> str:
    """The agency's name as a reader sees it: the platform's own clocks and an
    agency's own part beside its sub-units said so in the report's language."""
    name = words.platform if agency.agency == NO_AGENCY and agency.name == UNNAMED else agency.name
    return f"{name} {words.own_part}" if agency.own_part else name


def rows(report: Report, words: Wording = INDONESIAN) -> Iterator[list[Any]]:
    """One row per agency (and sub-unit) and clock, for CSV and tables: agency, name,
    parent, kind, then ``COLUMNS``."""

    def walk(agency: AgencyReport, parent: str) -> Iterator[list[Any]]:
        for kind in KIND_ORDER:
            if kind in agency.clocks:
                entry = clock_entry(agency.clocks[kind], report)
                name = display_name(agency, words)
                yield [agency.agency, name, parent, kind, *(entry[c] for c in COLUMNS)]
        for unit in agency.units:
            yield from walk(unit, agency.agency)

    for agency in report.agencies:
        yield from walk(agency, "")


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["agency", "name", "part_of", "clock", *COLUMNS])
    for row in rows(report, ENGLISH):
        writer.writerow(["" if v is None else csv_cell(v) for v in row])
    return out.getvalue()


def to_markdown(report: Report, words: Wording = INDONESIAN) -> str:
    w = words
    period = w.period.format(start=w.day(report.period.start), end=w.day(report.period.end))
    bands = _bands(report)
    lines = [
        f"# {w.title}",
        "",
        f"{period}. {w.generated.format(at=w.instant(report.now, report.zone))}.",
        "",
        f"{w.source} {w.method} {w.bands.format(bands=bands)}",
    ]
    if report.estimated_holidays:
        days = ", ".join(f"{w.day(h.day)} ({h.name})" for h in report.estimated_holidays)
        lines += ["", markdown_cell(w.estimated.format(days=days))]
    by_kind: dict[str, list[list[Any]]] = {}
    for row in rows(report, w):
        by_kind.setdefault(row[3], []).append(row)
    for kind in SHOWN_KINDS:
        if kind not in by_kind:
            continue
        lines += [
            "",
            f"## {w.clocks[kind]}",
            "",
            f"| {w.agency} | {w.total} | {w.closed} {w.on_time.lower()} "
            f"| {w.closed} {w.late.lower()} | {w.running}, {w.within.lower()} "
            f"| {w.running}, {w.beyond.lower()} | {w.transferred} | {w.cancelled} "
            f"| {w.ratio.format(what=w.on_time.lower())} "
            f"| {w.ratio.format(what=w.answered[kind].lower())} | {w.grade} "
            f"| {w.median} ({w.working_days.lower()}) | {w.p90} ({w.working_days.lower()}) |",
            "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
        ]
        for agency, name, parent, _, *values in by_kind[kind]:
            entry = dict(zip(COLUMNS, values, strict=True))
            label = f"↳ {markdown_cell(name)}" if parent else f"**{markdown_cell(name)}**"
            if not parent and agency != NO_AGENCY:
                label += f" ({markdown_cell(agency)})"
            lines.append(
                f"| {label} | {w.number(entry['total'])} "
                f"| {w.number(entry['met'])} | {w.number(entry['late'])} "
                f"| {w.number(entry['open_on_time'])} | {w.number(entry['open_breached'])} "
                f"| {w.number(entry['transferred'])} | {w.number(entry['cancelled'])} "
                f"| {w.percent(entry['on_time_ratio'])} "
                f"| {w.percent(entry['followed_up_ratio'])} "
                f"| {entry['grade'] or NOTHING} | {w.decimal(entry['median_response_days'])} "
                f"| {w.decimal(entry['p90_response_days'])} |"
            )
    windows = [(a, window_entry(a.reporter_window)) for a in report.agencies]
    if any(e["total"] for _, e in windows):
        lines += [
            "",
            f"## {w.window_heading}",
            "",
            w.reporter_note,
            "",
            f"| {w.agency} | {w.window_opened} | {w.window_replied} | {w.window_lapsed} "
            f"| {w.window_open} | {w.others} |",
            "|---|--:|--:|--:|--:|--:|",
        ]
        for agency, e in windows:
            if e["total"]:
                lines.append(
                    f"| {markdown_cell(display_name(agency, w))} | {w.number(e['total'])} "
                    f"| {w.number(e['replied'])} | {w.number(e['lapsed'])} "
                    f"| {w.number(e['open'])} | {w.number(e['transferred'] + e['cancelled'])} |"
                )
    overdue = [o for a in report.agencies for o in a.not_followed_up]
    lines += ["", f"## {w.overdue_heading.format(n=w.number(len(overdue)))}", ""]
    if overdue:
        lines += [
            f"| {w.tracking_id} | {w.held_by} | {w.due} | {w.working_days_late} "
            f"| {w.title_column} |",
            "|---|---|---|--:|---|",
        ]
        for o in overdue:
            title = w.confidential if o.title is None else markdown_cell(o.title)
            lines.append(
                f"| {markdown_cell(o.tracking_id)} | {markdown_cell(o.holder_name)} "
                f"| {w.instant(o.due_at, o.zone, short=True)} "
                f"| {w.number(o.working_days_late)} | {title} |"
            )
    else:
        lines.append(w.all_followed_up)
    return "\n".join(lines) + "\n"


def to_table(report: Report, words: Wording = INDONESIAN) -> Group:
    """For the terminal: a table per clock, in 80 columns (long names wrap, none is
    cut: CONTRACT.md section 4); the full figures are in the other formats."""
    w = words
    period = w.period.format(start=w.day(report.period.start), end=w.day(report.period.end))
    parts: list[RenderableType] = [rich_text(f"{w.title}\n{period}", "bold")]
    by_kind: dict[str, list[list[Any]]] = {}
    for row in rows(report, w):
        by_kind.setdefault(row[3], []).append(row)
    agency_header, *numbers = w.table_columns
    for kind in SHOWN_KINDS:
        if kind not in by_kind:
            continue
        table = Table(
            title=rich_text(w.clocks[kind], "bold"),
            title_justify="left",
            box=box.SIMPLE_HEAD,
            show_edge=False,
            collapse_padding=True,
            expand=True,
        )
        table.add_column(agency_header, overflow="fold", ratio=1, min_width=16)
        for column in numbers:
            table.add_column(column, justify="right", no_wrap=True)
        for agency, name, parent, _, *values in by_kind[kind]:
            entry = dict(zip(COLUMNS, values, strict=True))
            overdue = w.number(entry["open_breached"])
            label = name if agency == NO_AGENCY else f"{name} ({agency})"
            table.add_row(
                rich_text(f"  {name}" if parent else label, newlines=False),
                w.number(entry["total"]),
                w.number(entry["met"]),
                w.number(entry["late"]),
                rich_text(overdue, "red") if entry["open_breached"] else overdue,
                w.percent(entry["on_time_ratio"]),
                str(entry["grade"] or NOTHING),
            )
        parts += [Text(""), table]
    parts.append(Text(""))
    parts.append(
        rich_text(
            f"{w.generated.format(at=w.instant(report.now, report.zone))}. "
            f"{w.bands.format(bands=_bands(report))}"
        )
    )
    return Group(*parts)


def _bands(report: Report) -> str:
    return ", ".join(f"{round(f * 100):g}%" for f in report.bands.floors)
