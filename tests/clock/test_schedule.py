"""The urgency of a tracked complaint, read from its clocks (pure: no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from syncd.clock.calendar import WorkingCalendar
from syncd.clock.derive import Clock
from syncd.clock.policy import ClockKind, Outcome
from syncd.clock.schedule import ScheduleClass, TrackingSchedule, urgency
from tests.support.histories import wib

CAL = WorkingCalendar()
SETTINGS = TrackingSchedule()
NOW = wib("2026-10-21 10:00")  # a Wednesday


def clock(due: datetime, kind: ClockKind = ClockKind.FOLLOWUP, **more: object) -> Clock:
    base = Clock(
        kind=kind,
        agency_id=4251,
        cycle=1,
        zone="Asia/Jakarta",
        working_days=5,
        started_at=due - timedelta(days=7),
        due_at=due,
    )
    return replace(base, **more)  # type: ignore[arg-type]


def schedule_of(*clocks: Clock, closed_since: datetime | None = None) -> ScheduleClass:
    return urgency(clocks, NOW, CAL, SETTINGS, closed_since).schedule


def test_a_clock_due_by_the_end_of_the_next_working_day_is_urgent() -> None:
    assert schedule_of(clock(wib("2026-10-22 23:59"))) is ScheduleClass.URGENT
    assert schedule_of(clock(wib("2026-10-23 23:59"))) is ScheduleClass.ACTIVE


def test_friday_looks_past_the_weekend_to_monday() -> None:
    friday = wib("2026-10-23 10:00")
    monday_due = clock(wib("2026-10-26 23:59"))
    assert urgency([monday_due], friday, CAL, SETTINGS, None).schedule is ScheduleClass.URGENT


def test_a_breached_clock_is_urgent_and_a_paused_or_citizens_one_is_not() -> None:
    overdue = wib("2026-10-20 23:59")
    assert schedule_of(clock(overdue)) is ScheduleClass.URGENT
    assert schedule_of(clock(overdue, paused_at=wib("2026-10-19 09:00"))) is ScheduleClass.ACTIVE
    reporter = clock(overdue, kind=ClockKind.REPORTER_REPLY)
    assert schedule_of(reporter) is ScheduleClass.ACTIVE


def test_the_most_pressing_clock_decides() -> None:
    calm = clock(wib("2026-11-20 23:59"))
    pressing = clock(wib("2026-10-21 23:59"), kind=ClockKind.COMPLETION)
    assert schedule_of(calm, pressing) is ScheduleClass.URGENT


def test_closed_clocks_are_checked_for_a_while_then_go_dormant() -> None:
    done = clock(wib("2026-10-20 23:59"), outcome=Outcome.MET, stopped_at=wib("2026-10-19 09:00"))
    first = urgency([done], NOW, CAL, SETTINGS, None)
    assert (first.schedule, first.closed_since) == (ScheduleClass.CLOSED, NOW)
    later = urgency([done], NOW + timedelta(days=29), CAL, SETTINGS, first.closed_since)
    assert later.schedule is ScheduleClass.CLOSED
    gone = urgency([done], NOW + timedelta(days=30), CAL, SETTINGS, first.closed_since)
    assert gone.schedule is ScheduleClass.DORMANT
    assert schedule_of() is ScheduleClass.CLOSED, "no clock at all: nothing runs"


def test_each_class_has_its_interval_and_failures_back_off_within_it() -> None:
    assert SETTINGS.every(ScheduleClass.URGENT) == timedelta(minutes=15)
    assert SETTINGS.every(ScheduleClass.DORMANT) is None
    waits = [SETTINGS.after_failure(ScheduleClass.URGENT, n) for n in range(1, 7)]
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8, 15, 15)]
    assert SETTINGS.after_failure(ScheduleClass.ACTIVE, 20) == timedelta(hours=2)


def test_utc_instants_are_read_in_the_agencys_zone() -> None:
    # 23:30 WIT on Thursday is 14:30 UTC: due by the end of Thursday in Jayapura.
    due = clock(datetime(2026, 10, 22, 14, 30, tzinfo=UTC), zone="Asia/Jayapura")
    assert schedule_of(due) is ScheduleClass.URGENT
