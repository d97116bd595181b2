"""What the database counts for the report, beside what the clocks say row by row:
local start dates at a zone's midnight, zones SQLite has no fixed offset for, the
reporter's window kept out of the agency's figures, and working days across holidays.

On the October mirror (tests/support/october.py), with clocks added by hand.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select

from syncd.clock.calendar import WorkingCalendar
from syncd.report.days import DayTable
from syncd.report.figures import ReportSettings, build_report
from syncd.report.html import to_html
from syncd.report.render import to_json, to_markdown
from syncd.report.wording import ENGLISH
from syncd.store.tables import CLOCKS, COMPLAINTS
from tests.support.histories import JAYAPURA, SEKADAU
from tests.support.october import NOW, OCTOBER, mirror

pytestmark = pytest.mark.integration

CALENDAR = WorkingCalendar()


def add_clock(engine: Engine, tracking_id: str, cycle: int, **fields: Any) -> None:
    """A clock row as the clock keeper would store it, on the complaint ``tracking_id``."""
    with engine.begin() as connection:
        complaint = connection.execute(
            select(COMPLAINTS.c.id).where(COMPLAINTS.c.tracking_id == tracking_id)
        ).scalar_one()
        started = fields["started_at"]
        row = {
            "complaint_id": complaint,
            "source": "lapor",
            "cycle": cycle,
            "working_days": 5,
            "due_at": started + timedelta(days=7),
            "state": fields.get("outcome") or "on_track",
            "evaluated_at": NOW,
            **fields,
        }
        connection.execute(CLOCKS.insert(), [row])


def report(engine: Engine, **settings: Any) -> dict[str, Any]:
    with engine.connect() as connection:
        built = build_report(
            connection, OCTOBER, NOW, ReportSettings(calendar=CALENDAR, **settings)
        )
    return {a["agency"]: a for a in to_json(built)["agencies"]}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_it_counts_a_clock_by_its_local_start_date_at_the_zones_midnight(
    engine: Engine,
) -> None:
    mirror(engine)
    before = report(engine)[str(JAYAPURA)]["clocks"]["followup"]["total"]
    wit = {"kind": "followup", "agency_id": JAYAPURA, "zone": "Asia/Jayapura", "outcome": "met"}
    # 00:30 WIT on 1 October and on 1 November: the first is October's, the second not.
    add_clock(engine, "LAP7", 11, started_at=utc("2026-09-30 15:30"), **wit)
    add_clock(engine, "LAP7", 12, started_at=utc("2026-10-31 15:30"), **wit)
    # 23:30 WIT on 30 September: still September there.
    add_clock(engine, "LAP7", 13, started_at=utc("2026-09-30 14:30"), **wit)
    assert report(engine)[str(JAYAPURA)]["clocks"]["followup"]["total"] == before + 1


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York"])
def test_a_zone_without_one_offset_is_counted_by_its_local_dates_too(
    engine: Engine, zone: str
) -> None:
    """SQLite is given fixed offsets only: a zone that changes its own (summer time)
    is counted row by row, and must come to the same as PostgreSQL's own conversion."""
    mirror(engine)
    before = report(engine)[str(SEKADAU)]["clocks"]["followup"]
    local = {"kind": "followup", "agency_id": SEKADAU, "zone": zone}
    offset = 2 if zone == "Europe/Berlin" else -4  # October, summer time in both
    late_evening = datetime(2026, 9, 30, 23, 30, tzinfo=UTC) - timedelta(hours=offset)
    add_clock(engine, "LAP1", 21, started_at=late_evening, outcome="met", **local)  # September
    add_clock(
        engine,
        "LAP1",
        22,
        started_at=late_evening + timedelta(hours=1),  # 00:30 on 1 October there
        stopped_at=late_evening + timedelta(days=6),  # Tuesday 6 October, 3 working days
        outcome="late",
        **local,
    )
    # Two never answered, past due: one started in September there, one in October.
    add_clock(engine, "LAP4", 23, started_at=late_evening, **local)
    add_clock(engine, "LAP5", 24, started_at=late_evening + timedelta(hours=1), **local)
    sekadau = report(engine, zones=[zone])[str(SEKADAU)]
    figures = sekadau["clocks"]["followup"]
    assert figures["total"] == before["total"] + 2
    assert figures["late"] == before["late"] + 1
    assert figures["open_breached"] == before["open_breached"] + 1
    assert figures["p90_response_days"] == 7.0  # the late one of before still the 90th
    assert sorted(o["tracking_id"] for o in sekadau["not_followed_up"]) == ["LAP3", "LAP5"]


def test_the_reporters_window_is_in_no_figure_ratio_or_grade_of_the_agency(
    engine: Engine,
) -> None:
    """However the window is stored: as the clocks derived it before (open past its
    end, which read as breached) or after (closed as lapsed)."""
    mirror(engine)
    before = report(engine)[str(SEKADAU)]
    window = {"kind": "reporter_reply", "agency_id": SEKADAU, "zone": "Asia/Pontianak"}
    add_clock(engine, "LAP1", 31, started_at=utc("2026-10-07 03:00"), **window)  # past due
    add_clock(engine, "LAP2", 31, started_at=utc("2026-10-14 03:00"), outcome="lapsed", **window)
    add_clock(
        engine,
        "LAP2",
        32,
        started_at=utc("2026-10-15 03:00"),
        stopped_at=utc("2026-10-16 03:00"),
        outcome="met",
        **window,
    )
    after = report(engine)[str(SEKADAU)]
    assert after["clocks"] == before["clocks"], "the agency's figures do not move"
    assert "reporter_reply" not in after["clocks"]
    for unit in after["units"]:
        assert "reporter_reply" not in unit["clocks"]
    opened = before.get("reporter_window", {}).get("total", 0)
    assert after["reporter_window"]["total"] == opened + 3
    assert after["reporter_window"]["replied"] == 1
    assert after["reporter_window"]["lapsed"] == after["reporter_window"]["total"] - 1
    assert set(after["reporter_window"]) == {
        "total",
        "replied",
        "lapsed",
        "open",
        "transferred",
        "cancelled",
    }, "no ratio and no grade"
    with engine.connect() as connection:
        built = build_report(connection, OCTOBER, NOW, ReportSettings(calendar=CALENDAR))
    markdown = to_markdown(built, ENGLISH)
    table, window_part = markdown.split("## The reporter's window")
    assert "reporter" not in table.lower().replace("the reporter's window", "")
    assert "Grade" not in window_part.split("## Not followed up")[0]
    page = to_html(built)
    overdue_cards = page.split('<div class="headline">')[1].split("</div>\n\n")[0]
    followup = after["clocks"]["followup"]["open_breached"]
    completion = after["clocks"]["completion"]["open_breached"]
    # The headline counts the agencies' own overdue clocks, both kinds, never a window.
    jayapura = report(engine)[str(JAYAPURA)]["clocks"]
    assert f'<b class="bad">{followup + jayapura["followup"]["open_breached"]}</b>' in (
        overdue_cards
    )
    assert f'<b class="bad">{completion + jayapura["completion"]["open_breached"]}</b>' in (
        overdue_cards
    )


def test_the_day_table_counts_working_days_as_the_calendar_does() -> None:
    """Over Nyepi, Idul Fitri and cuti bersama of 2025, and across a year's end."""
    days = DayTable.covering(date(2025, 3, 1), date(2026, 1, 31), CALENDAR)
    starts = [date(2025, 3, 1) + timedelta(days=i) for i in range(0, 60, 3)]
    starts += [date(2025, 12, 20) + timedelta(days=i) for i in range(12)]
    for start in starts:
        for length in range(0, 40):
            end = start + timedelta(days=length)
            if end <= date(2026, 1, 31):
                assert days.working_days_between(start, end) == CALENDAR.working_days_between(
                    start, end
                ), (start, end)
    assert days.month_of(days.months[days.index(date(2026, 1, 15))]) == (2026, 1)
