"""When each alert falls due, and when mail may go out, on the real calendar."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest

from alerts.thresholds import AlertSettings, Schedule
from alerts.windows import Window
from syncd.clock.derive import Clock
from syncd.clock.policy import ClockKind, Outcome
from syncd.vocabulary import AlertKind
from tests.support.histories import CAL, WIB, wib


def followup_due(due_day: str, zone: str = "Asia/Jakarta") -> Clock:
    due = wib(f"{due_day} 23:59:59")
    return Clock(ClockKind.FOLLOWUP, 4251, 1, zone, 5, due - timedelta(days=7), due.astimezone(UTC))


SCHEDULE = Schedule(AlertSettings(), CAL)


def instants(clock: Clock) -> dict[str, str]:
    return {
        t.name: at.astimezone(WIB).strftime("%a %Y-%m-%d %H:%M")
        for t, at in SCHEDULE.instants(clock)
    }


def test_the_contract_example_due_date_gives_these_instants() -> None:
    # Due Monday 2025-04-14; Good Friday is 18 April.
    assert instants(followup_due("2025-04-14")) == {
        "warn-2": "Thu 2025-04-10 08:00",
        "warn-0": "Mon 2025-04-14 08:00",
        "breach": "Tue 2025-04-15 08:00",
        "escalate": "Thu 2025-04-17 08:00",
    }


def test_warnings_count_working_days_back_across_lebaran() -> None:
    # Due Tuesday 2025-04-08, the first working day after Nyepi, Idul Fitri and
    # cuti bersama (28 March to 7 April): two working days before are 26 and 27 March.
    assert instants(followup_due("2025-04-08"))["warn-2"] == "Wed 2025-03-26 08:00"


def test_the_most_severe_due_threshold_supersedes_the_others() -> None:
    clock = followup_due("2025-04-14")
    assert SCHEDULE.due(clock, wib("2025-04-10 07:59")) is None
    warned = SCHEDULE.due(clock, wib("2025-04-10 08:00"))
    assert warned is not None and warned.send.name == "warn-2" and warned.superseded == ()
    late = SCHEDULE.due(clock, wib("2025-04-16 12:00"))
    assert late is not None
    assert late.send.name == "breach"
    assert [t.name for t in late.superseded] == ["warn-2", "warn-0"]
    assert late.send.kind is AlertKind.BREACH
    assert SCHEDULE.next_instant(clock, wib("2025-04-16 12:00")) == wib("2025-04-17 08:00")
    assert SCHEDULE.next_instant(clock, wib("2025-04-17 08:00")) is None


def test_stopped_paused_and_non_alerting_clocks_call_for_nothing() -> None:
    clock = followup_due("2025-04-14")
    at = wib("2025-04-16 12:00")
    assert SCHEDULE.due(clock, at) is not None
    assert SCHEDULE.due(replace(clock, outcome=Outcome.LATE, stopped_at=at), at) is None
    assert SCHEDULE.due(replace(clock, paused_at=at, remaining_days=2), at) is None
    assert SCHEDULE.due(replace(clock, kind=ClockKind.REPORTER_REPLY), at) is None
    assert SCHEDULE.due(replace(clock, kind=ClockKind.VERIFICATION), at) is None  # alert = false
    disabled = Schedule(AlertSettings(enabled=False), CAL)
    assert disabled.due(clock, at) is None


def test_warn_days_follow_the_configuration() -> None:
    schedule = Schedule(AlertSettings(warn_working_days_before=(5, 1)), CAL)
    names = [t.name for t, _ in schedule.instants(followup_due("2025-04-14"))]
    assert names == ["warn-5", "warn-1", "breach", "escalate"]


WINDOW = Window(time(8), time(16), CAL)


@pytest.mark.parametrize(
    ("at", "opens"),
    [
        ("2025-04-10 09:00", "2025-04-10 09:00"),  # open: now
        ("2025-04-10 07:00", "2025-04-10 08:00"),  # before office hours
        ("2025-04-11 16:00", "2025-04-14 08:00"),  # Friday after hours: Monday
        ("2025-04-12 10:00", "2025-04-14 08:00"),  # Saturday
        ("2025-03-27 17:00", "2025-04-08 08:00"),  # before Nyepi and Lebaran
    ],
)
def test_mail_waits_for_the_next_office_hours_on_a_working_day(at: str, opens: str) -> None:
    assert WINDOW.next_open(wib(at), "Asia/Jakarta") == wib(opens)


def test_the_window_is_the_agencys_local_time() -> None:
    # 07:00 WIB is 09:00 WIT: Jayapura's office is open.
    assert WINDOW.is_open(wib("2025-04-10 07:00"), "Asia/Jayapura")
    assert not WINDOW.is_open(wib("2025-04-10 07:00"), "Asia/Jakarta")


def test_the_demo_window_is_always_open() -> None:
    always = Window(time(8), time(16), CAL, always_open=True)
    saturday_night = datetime(2025, 4, 12, 22, 0, tzinfo=UTC)
    assert always.next_open(saturday_night, "Asia/Jakarta") == saturday_night
