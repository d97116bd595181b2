"""The reporter's window (CONTRACT.md section 2): the citizen's ten working days, never
the agency's fault; the platform's closing after it; a reply that makes the agency
answer again. Golden cases on the real calendar."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from connectors.records import CanonicalStatus
from syncd.clock.derive import Clock
from syncd.clock.policy import ClockKind, ClockState, Outcome
from tests.support.histories import CAL, POLICY, SEKADAU, History, wib

# Disposed Monday 17 Nov 2025, followed up Friday 21 Nov: the reporter's ten working
# days are 24 Nov to 5 Dec (no holiday between), so the window is due 5 Dec 23:59:59 WIB.
WINDOW_DUE = wib("2025-12-05 23:59:59")


def answered() -> History:
    h = History("2025-11-17 08:00").status("2025-11-17 09:00", CanonicalStatus.VERIFIED)
    h.dispose("2025-11-17 10:00", SEKADAU)
    h.followup("2025-11-21 11:00", SEKADAU)
    return h.status("2025-11-21 11:00", CanonicalStatus.FOLLOWED_UP)


def of(clocks: list[Clock], kind: ClockKind, cycle: int = 1) -> Clock:
    [clock] = [c for c in clocks if c.kind is kind and c.cycle == cycle]
    return clock


def kinds_and_cycles(clocks: list[Clock]) -> list[tuple[str, int]]:
    return sorted((c.kind.value, c.cycle) for c in clocks)


def test_the_window_is_never_due_soon_nor_breached_it_lapses() -> None:
    window = of(answered().clocks(), ClockKind.REPORTER_REPLY)
    assert window.due_at == WINDOW_DUE
    assert window.state(WINDOW_DUE - timedelta(hours=1), POLICY, CAL) is ClockState.ON_TRACK
    state, next_change = window.evaluate(WINDOW_DUE - timedelta(days=3), POLICY, CAL)
    assert (state, next_change) == (ClockState.ON_TRACK, WINDOW_DUE + timedelta(seconds=1))
    later = WINDOW_DUE + timedelta(days=40)
    assert window.state(later, POLICY, CAL) is ClockState.LAPSED
    closed = window.as_of(later)
    assert (closed.outcome, closed.stopped_at) == (Outcome.LAPSED, WINDOW_DUE)
    assert window.as_of(WINDOW_DUE) == window, "still open on its last second"


def test_a_paused_window_does_not_lapse() -> None:
    h = answered().status("2025-11-24 09:00", CanonicalStatus.POSTPONED)
    window = of(h.clocks(), ClockKind.REPORTER_REPLY)
    later = WINDOW_DUE + timedelta(days=40)
    assert window.state(later, POLICY, CAL) is ClockState.PAUSED
    assert window.as_of(later) == window


def test_the_platforms_closing_stops_completion_at_the_agencys_followup() -> None:
    # No reply: the platform finishes the report on the morning after the window.
    h = answered().status("2025-12-08 00:05", CanonicalStatus.COMPLETED)
    clocks = h.clocks()
    completion = of(clocks, ClockKind.COMPLETION)
    assert completion.stopped_at == wib("2025-11-21 11:00"), "at the agency's answer"
    assert completion.outcome is Outcome.MET
    window = of(clocks, ClockKind.REPORTER_REPLY)
    assert (window.outcome, window.stopped_at) == (Outcome.LAPSED, WINDOW_DUE)
    assert [c for c in clocks if c.running] == []


def test_a_closing_on_the_windows_last_day_is_the_platforms_too() -> None:
    h = answered().status("2025-12-05 16:00", CanonicalStatus.COMPLETED)
    completion = of(h.clocks(), ClockKind.COMPLETION)
    assert completion.stopped_at == wib("2025-11-21 11:00")


def test_the_agency_completing_before_the_window_ends_stops_completion_then() -> None:
    h = answered().status("2025-11-26 10:00", CanonicalStatus.COMPLETED)
    clocks = h.clocks()
    assert of(clocks, ClockKind.COMPLETION).stopped_at == wib("2025-11-26 10:00")
    window = of(clocks, ClockKind.REPORTER_REPLY)
    assert (window.outcome, window.stopped_at) == (Outcome.CANCELLED, wib("2025-11-26 10:00"))


def test_a_late_completion_after_a_late_followup_still_counts_late() -> None:
    # Disposed 17 Nov, 14 working days for completion: due 5 Dec. The agency's answer
    # came on 10 Dec, the platform closed on 24 Dec: the answer, not the closing, counts.
    h = History("2025-11-17 08:00").dispose("2025-11-17 10:00", SEKADAU)
    h.followup("2025-12-10 11:00", SEKADAU)
    h.status("2025-12-24 00:05", CanonicalStatus.COMPLETED)
    completion = of(h.clocks(), ClockKind.COMPLETION)
    assert completion.stopped_at == wib("2025-12-10 11:00")
    assert completion.outcome is Outcome.LATE


def test_a_reply_closes_the_window_and_the_agency_must_answer_again() -> None:
    h = answered().followup("2025-11-25 09:00", None)  # the reporter replies
    clocks = h.clocks()
    window = of(clocks, ClockKind.REPORTER_REPLY)
    assert (window.outcome, window.stopped_at) == (Outcome.MET, wib("2025-11-25 09:00"))
    again = of(clocks, ClockKind.FOLLOWUP, cycle=2)
    assert again.agency_id == SEKADAU
    assert again.started_at == wib("2025-11-25 09:00")
    assert again.due_at == wib("2025-12-02 23:59:59"), "5 working days: 26 Nov to 2 Dec"
    assert again.running
    # Its own deadline breaches like the first one's, and alerts like it.
    assert again.state(wib("2025-12-03 08:00"), POLICY, CAL) is ClockState.BREACHED
    assert of(clocks, ClockKind.COMPLETION).running, "completion keeps its first start"
    assert kinds_and_cycles(clocks) == [
        ("completion", 1),
        ("followup", 1),
        ("followup", 2),
        ("reporter_reply", 1),
        ("verification", 1),
    ]


def test_the_answer_to_a_reply_stops_the_new_clock_and_opens_a_new_window() -> None:
    h = answered().followup("2025-11-25 09:00", None)
    h.followup("2025-11-27 14:00", SEKADAU)
    clocks = h.clocks()
    again = of(clocks, ClockKind.FOLLOWUP, cycle=2)
    assert (again.outcome, again.stopped_at) == (Outcome.MET, wib("2025-11-27 14:00"))
    window = of(clocks, ClockKind.REPORTER_REPLY, cycle=2)
    assert window.started_at == wib("2025-11-27 14:00")
    assert window.running


def test_a_reply_after_the_window_ran_out_lapses_it_and_still_restarts() -> None:
    h = answered().followup("2025-12-08 09:00", None)
    clocks = h.clocks()
    window = of(clocks, ClockKind.REPORTER_REPLY)
    assert (window.outcome, window.stopped_at) == (Outcome.LAPSED, WINDOW_DUE)
    assert of(clocks, ClockKind.FOLLOWUP, cycle=2).started_at == wib("2025-12-08 09:00")


def test_no_new_clock_when_the_option_is_off() -> None:
    h = answered().followup("2025-11-25 09:00", None)
    clocks = h.clocks(replace(POLICY, restart_on_reporter_reply=False))
    assert [c for c in clocks if c.kind is ClockKind.FOLLOWUP and c.cycle == 2] == []
    assert of(clocks, ClockKind.REPORTER_REPLY).outcome is Outcome.MET


def test_no_new_clock_for_a_reply_to_a_finished_report() -> None:
    h = answered().status("2025-11-26 10:00", CanonicalStatus.COMPLETED)
    h.followup("2025-11-27 09:00", None)
    clocks = h.clocks()
    assert [c for c in clocks if c.running] == []
    assert kinds_and_cycles(clocks) == [
        ("completion", 1),
        ("followup", 1),
        ("reporter_reply", 1),
        ("verification", 1),
    ]


def test_a_reporter_writing_before_any_answer_starts_nothing_new() -> None:
    # The followup clock is still running: it already says the agency must answer.
    h = History("2025-11-17 08:00").dispose("2025-11-17 10:00", SEKADAU)
    h.followup("2025-11-18 09:00", None)
    clocks = h.clocks()
    assert kinds_and_cycles(clocks) == [("completion", 1), ("followup", 1), ("verification", 1)]
    assert of(clocks, ClockKind.FOLLOWUP).running


def test_a_reply_while_postponed_starts_a_paused_clock() -> None:
    h = answered().status("2025-11-24 09:00", CanonicalStatus.POSTPONED)
    h.followup("2025-11-25 09:00", None)
    again = of(h.clocks(), ClockKind.FOLLOWUP, cycle=2)
    assert again.paused_at == wib("2025-11-25 09:00")
    assert again.state(wib("2026-01-30 09:00"), POLICY, CAL) is ClockState.PAUSED


def test_completion_waits_while_the_window_runs_the_time_is_the_citizens() -> None:
    # Completion was due 5 December; the agency answered on 21 November.
    clocks = answered().clocks()
    completion = of(clocks, ClockKind.COMPLETION)
    assert completion.paused_at == wib("2025-11-21 11:00")
    assert completion.remaining_days == 10, "24 Nov to 5 Dec"
    after_its_due = wib("2025-12-08 09:00")
    assert completion.state(after_its_due, POLICY, CAL) is ClockState.PAUSED


def test_a_reply_resumes_completion_with_the_days_that_were_left() -> None:
    clocks = answered().followup("2025-11-25 09:00", None).clocks()
    completion = of(clocks, ClockKind.COMPLETION)
    assert completion.paused_at is None
    assert completion.due_at == wib("2025-12-09 23:59:59"), "10 working days after 25 Nov"


def test_leaving_postponed_does_not_resume_completion_while_the_window_runs() -> None:
    h = History("2025-11-17 08:00").dispose("2025-11-17 10:00", SEKADAU)
    h.status("2025-11-18 09:00", CanonicalStatus.POSTPONED)
    h.followup("2025-11-19 11:00", SEKADAU)
    h.status("2025-11-20 09:00", CanonicalStatus.FOLLOWED_UP)
    completion = of(h.clocks(), ClockKind.COMPLETION)
    assert completion.paused_at is not None
