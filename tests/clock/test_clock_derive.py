"""Golden tests: a complaint's history in, its clocks out, on the real calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.records import (
    CanonicalStatus,
    Status,
    StatusLogEntry,
)
from syncd.clock.derive import Clock
from syncd.clock.policy import ClockKind, ClockPolicy, ClockState, Outcome
from tests.support.histories import CAL, DINKES, JAYAPURA, POLICY, SEKADAU, WIB, WIT, History, wib


def one(clocks: list[Clock], kind: ClockKind, agency: int | None = None, cycle: int = 1) -> Clock:
    [clock] = [c for c in clocks if c.kind is kind and c.agency_id == agency and c.cycle == cycle]
    return clock


def local_due(clock: Clock, tz: ZoneInfo = WIB) -> str:
    return clock.due_at.astimezone(tz).isoformat()


def test_it_dues_the_contract_example_after_nyepi_and_lebaran() -> None:
    # 28 Mar to 7 Apr 2025: weekends, Nyepi, Idul Fitri and cuti bersama.
    clocks = (
        History("2025-03-26 09:00")
        .status("2025-03-27 09:00", CanonicalStatus.VERIFIED)
        .dispose("2025-03-27 10:00", SEKADAU)
        .clocks()
    )
    followup = one(clocks, ClockKind.FOLLOWUP, SEKADAU)
    assert local_due(followup) == "2025-04-14T23:59:59+07:00"
    assert followup.running


def test_it_stops_verification_at_the_first_status_change() -> None:
    # Created Thursday 2025-11-20: 3 working days are Fri 21, Mon 24, Tue 25.
    on_time = History("2025-11-20 10:00").status("2025-11-25 16:00", CanonicalStatus.VERIFIED)
    late = History("2025-11-20 10:00").status("2025-11-26 08:00", CanonicalStatus.VERIFIED)
    met = one(on_time.clocks(), ClockKind.VERIFICATION)
    assert local_due(met) == "2025-11-25T23:59:59+07:00"
    assert met.outcome is Outcome.MET
    assert one(late.clocks(), ClockKind.VERIFICATION).outcome is Outcome.LATE


def test_a_rejection_stops_verification_and_starts_nothing() -> None:
    clocks = (
        History("2025-11-20 10:00").status("2025-11-21 10:00", CanonicalStatus.REJECTED).clocks()
    )
    assert [(c.kind, c.outcome) for c in clocks] == [(ClockKind.VERIFICATION, Outcome.MET)]


def test_the_agencys_followup_stops_followup_and_starts_reporter_reply() -> None:
    h = History("2025-11-17 08:00").status("2025-11-17 09:00", CanonicalStatus.VERIFIED)
    h.dispose("2025-11-17 10:00", SEKADAU)
    h.followup("2025-11-20 11:00", DINKES)  # another office writing: not the holder's answer
    h.followup("2025-11-21 11:00", SEKADAU)
    h.status("2025-11-21 11:00", CanonicalStatus.FOLLOWED_UP)
    h.followup("2025-11-24 09:00", None)  # the reporter replies
    clocks = h.clocks()
    followup = one(clocks, ClockKind.FOLLOWUP, SEKADAU)
    assert followup.stopped_at == wib("2025-11-21 11:00")
    assert followup.outcome is Outcome.MET
    reply = one(clocks, ClockKind.REPORTER_REPLY, SEKADAU)
    assert reply.started_at == wib("2025-11-21 11:00")
    assert reply.outcome is Outcome.MET
    assert one(clocks, ClockKind.COMPLETION, SEKADAU).running


def test_followed_up_status_alone_stops_the_followup_clock() -> None:
    h = History("2025-11-17 08:00").dispose("2025-11-17 10:00", SEKADAU)
    h.status("2025-11-28 10:00", CanonicalStatus.FOLLOWED_UP)  # due was Mon 24 Nov
    assert one(h.clocks(), ClockKind.FOLLOWUP, SEKADAU).outcome is Outcome.LATE


def test_a_transfer_closes_the_old_agencys_clocks_and_starts_the_new_ones() -> None:
    h = History("2025-11-17 08:00").dispose("2025-11-17 10:00", SEKADAU)
    h.status("2025-11-19 10:00", CanonicalStatus.DISPOSITIONED, to=JAYAPURA)  # Bukan Wewenang
    clocks = h.clocks()
    for kind in (ClockKind.FOLLOWUP, ClockKind.COMPLETION):
        old = one(clocks, kind, SEKADAU)
        assert (old.outcome, old.stopped_at) == (Outcome.TRANSFERRED, wib("2025-11-19 10:00"))
        assert one(clocks, kind, JAYAPURA).running
    # Jayapura keeps WIT: 10:00 WIB is 12:00 WIT on Wed 19 Nov; 5 working days → Wed 26.
    assert local_due(one(clocks, ClockKind.FOLLOWUP, JAYAPURA), WIT) == "2025-11-26T23:59:59+09:00"


def test_a_complaint_back_at_the_same_agency_starts_a_second_cycle() -> None:
    h = History("2025-11-03 08:00").dispose("2025-11-03 10:00", SEKADAU)
    h.status("2025-11-05 10:00", CanonicalStatus.DISPOSITIONED, to=DINKES)
    h.status("2025-11-07 10:00", CanonicalStatus.DISPOSITIONED, to=SEKADAU)
    clocks = h.clocks()
    assert one(clocks, ClockKind.FOLLOWUP, SEKADAU, 1).outcome is Outcome.TRANSFERRED
    second = one(clocks, ClockKind.FOLLOWUP, SEKADAU, 2)
    assert second.running
    assert second.started_at == wib("2025-11-07 10:00")


def test_postponement_pauses_and_resumes_with_the_days_that_were_left_across_a_holiday() -> None:
    # Disposed Mon 15 Dec 2025: followup due Mon 22 Dec (16, 17, 18, 19, 22).
    h = History("2025-12-15 08:00").dispose("2025-12-15 10:00", SEKADAU)
    h.status("2025-12-17 09:00", CanonicalStatus.POSTPONED)
    paused = one(h.clocks(), ClockKind.FOLLOWUP, SEKADAU)
    # Left at the pause: working days after Wed 17 up to Mon 22: 18, 19, 22.
    assert (paused.paused_at, paused.remaining_days) == (wib("2025-12-17 09:00"), 3)
    now = wib("2026-01-05 12:00")
    assert paused.state(now, POLICY, CAL) is ClockState.PAUSED
    # Resumed Tue 23 Dec: 24 Dec is a working day, 25 Christmas, 26 cuti bersama,
    # then Mon 29 and Tue 30 → due 30 Dec.
    h.status("2025-12-23 09:00", CanonicalStatus.DISPOSITIONED)
    resumed = one(h.clocks(), ClockKind.FOLLOWUP, SEKADAU)
    assert resumed.paused_at is None
    assert local_due(resumed) == "2025-12-30T23:59:59+07:00"


def test_a_pause_never_shortens_a_deadline() -> None:
    h = History("2025-12-15 08:00").dispose("2025-12-15 10:00", SEKADAU)
    before = one(h.clocks(), ClockKind.FOLLOWUP, SEKADAU).due_at
    h.status("2025-12-16 09:00", CanonicalStatus.POSTPONED)
    h.status("2025-12-16 15:00", CanonicalStatus.DISPOSITIONED)
    assert one(h.clocks(), ClockKind.FOLLOWUP, SEKADAU).due_at >= before


def test_archive_cancels_the_running_clocks() -> None:
    h = History("2025-11-03 08:00").dispose("2025-11-03 10:00", SEKADAU)
    h.status("2025-11-04 10:00", CanonicalStatus.ARCHIVED)
    clocks = h.clocks()
    assert one(clocks, ClockKind.FOLLOWUP, SEKADAU).outcome is Outcome.CANCELLED
    assert one(clocks, ClockKind.COMPLETION, SEKADAU).outcome is Outcome.CANCELLED


@pytest.mark.parametrize(
    ("classification", "category", "days"),
    [
        ("Pengaduan", "Umum", 14),
        ("Permintaan Informasi", "Umum", 5),
        ("Pengaduan", "Infrastruktur", 60),
    ],
)
def test_completion_gets_the_days_its_kind_deserves(
    classification: str, category: str, days: int
) -> None:
    policy = ClockPolicy(field_examination_categories=frozenset({"Infrastruktur"}))
    h = History("2025-11-03 08:00", classification, category).dispose("2025-11-03 10:00", SEKADAU)
    assert one(h.clocks(policy), ClockKind.COMPLETION, SEKADAU).working_days == days


def test_completion_stops_when_completed_while_with_the_agency() -> None:
    h = History("2025-11-03 08:00").dispose("2025-11-03 10:00", SEKADAU)
    h.followup("2025-11-05 10:00", SEKADAU).status("2025-11-05 10:00", CanonicalStatus.FOLLOWED_UP)
    h.status("2025-11-10 10:00", CanonicalStatus.COMPLETED)
    completion = one(h.clocks(), ClockKind.COMPLETION, SEKADAU)
    assert (completion.outcome, completion.stopped_at) == (Outcome.MET, wib("2025-11-10 10:00"))


def test_a_running_clock_is_on_track_then_due_soon_then_breached() -> None:
    # Followup due Mon 24 Nov 2025 23:59:59 WIB; due soon from 08:00 two working
    # days before: Thu 20 Nov.
    clock = one(
        History("2025-11-17 08:00").dispose("2025-11-17 10:00", SEKADAU).clocks(),
        ClockKind.FOLLOWUP,
        SEKADAU,
    )
    assert clock.state(wib("2025-11-20 07:59"), POLICY, CAL) is ClockState.ON_TRACK
    assert clock.next_change_at(wib("2025-11-20 07:59"), POLICY, CAL) == wib("2025-11-20 08:00")
    assert clock.state(wib("2025-11-20 08:00"), POLICY, CAL) is ClockState.DUE_SOON
    assert clock.state(wib("2025-11-24 23:59:59"), POLICY, CAL) is ClockState.DUE_SOON
    assert clock.state(wib("2025-11-25 00:00"), POLICY, CAL) is ClockState.BREACHED
    assert clock.next_change_at(wib("2025-11-25 00:00"), POLICY, CAL) is None


def test_an_unknown_status_changes_no_clock() -> None:
    h = History("2025-11-03 08:00").dispose("2025-11-03 10:00", SEKADAU)
    h.logs.append(
        StatusLogEntry(99, wib("2025-11-04 10:00"), None, Status(42, "Baru", None), None, None, "")
    )
    assert one(h.clocks(), ClockKind.FOLLOWUP, SEKADAU).running


def test_derivation_is_pure() -> None:
    h = History("2025-11-03 08:00").dispose("2025-11-03 10:00", SEKADAU)
    assert h.clocks() == h.clocks()
    assert all(c.started_at.tzinfo is UTC for c in h.clocks())
    assert date(2025, 11, 3) == h.clocks()[0].started_at.astimezone(WIB).date()
    assert timedelta(0) < h.clocks()[0].due_at - h.clocks()[0].started_at


@settings(max_examples=150, deadline=None)
@given(
    disposed=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 6, 1)),
    pause_after=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)),
    paused_for=st.timedeltas(min_value=timedelta(seconds=1), max_value=timedelta(days=40)),
)
def test_a_pause_never_shortens_a_deadline_property(
    disposed: datetime, pause_after: timedelta, paused_for: timedelta
) -> None:
    start = disposed.replace(microsecond=0)
    h = History(f"{start - timedelta(hours=1)}").dispose(f"{start}", SEKADAU)
    unpaused = {c.kind: c.due_at for c in h.clocks() if c.agency_id == SEKADAU}
    pause = start + pause_after
    h.status(f"{pause}", CanonicalStatus.POSTPONED)
    h.status(f"{pause + paused_for}", CanonicalStatus.DISPOSITIONED)
    for clock in h.clocks():
        if clock.agency_id == SEKADAU:
            assert clock.due_at >= unpaused[clock.kind]
            assert CAL.is_working_day(clock.due_at.astimezone(WIB).date())
