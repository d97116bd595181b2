"""The simulator's world is a regency's: measured over a few seeds, from what a perfect
mirror holds (``World.truth()``), in syncd's own working-day calendar.

LAPOR!'s rules (docs/DOMAIN.md): the agency follows up within 5 working days of the
disposition (Sekadau: 88.8 % in 2024), a few late, a handful never; the report is
finished 10 working days after a followup the reporter does not reply to, by the
platform itself; a reply sends it back to the agency.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest

from connectors.records import ComplaintDetail, Followup
from connectors.simulator import World, WorldSettings
from connectors.simulator import vocabulary as v
from connectors.simulator.workdays import WorkingDays
from syncd.clock.calendar import WorkingCalendar

START = 1_795_000_000  # Wednesday 18 November 2026
SEEDS = (1, 2, 3)
WIB = ZoneInfo("Asia/Jakarta")
CALENDAR = WorkingCalendar()
NOW = datetime.fromtimestamp(START, UTC)


@cache
def truth(seed: int) -> tuple[ComplaintDetail, ...]:
    world = World.generate(WorldSettings(complaints=2000, seed=seed), clock=lambda: START)
    return tuple(world.truth().values())


def due(start: datetime, working_days: int) -> datetime:
    return CALENDAR.due_instant(start, working_days, WIB)


def passed(instant: datetime) -> bool:
    return instant < NOW


def postponed(d: ComplaintDetail) -> bool:
    return any(log.status_new.name == "Tertunda" for log in d.logs)


def agency_answers(d: ComplaintDetail) -> list[Followup]:
    return [f for f in d.followups if not f.is_reporter]


@dataclass(frozen=True)
class Window:
    """The reporter's window that an agency's answer opened."""

    answer: Followup
    end: datetime
    replied: bool
    answered_again: bool


def windows(d: ComplaintDetail) -> Iterator[Window]:
    for n, f in enumerate(d.followups):
        if f.is_reporter:
            continue
        end = due(f.created_at, 10)
        later = d.followups[n + 1 :]
        replied = any(g.is_reporter and g.created_at <= end for g in later)
        yield Window(f, end, replied, any(not g.is_reporter for g in later))


def test_the_platform_counts_the_working_days_syncd_counts() -> None:
    platform = WorkingDays()
    day = date(2025, 1, 1)
    while day < date(2028, 1, 1):
        assert platform.is_working_day(day) == CALENDAR.is_working_day(day), day
        day += timedelta(days=1)
    # CONTRACT.md section 2's example: Nyepi, Idul Fitri and cuti bersama in between.
    assert platform.add(date(2025, 3, 27), 5) == date(2025, 4, 14)
    assert platform.between(date(2025, 3, 27), date(2025, 4, 14)) == 5


@pytest.mark.parametrize("seed", SEEDS)
def test_most_followups_come_within_5_working_days_a_few_late_a_handful_never(
    seed: int,
) -> None:
    on_time = late = never = 0
    for d in truth(seed):
        dispositions = [log for log in d.logs if log.institution_to is not None]
        if not dispositions or postponed(d):
            continue
        answers = agency_answers(d)
        first = answers[0] if answers else None
        # The clock of the agency that answered (or still holds it) started at its
        # own disposition, after any Bukan Wewenang transfer.
        start = [log for log in dispositions if first is None or log.created_at < first.created_at]
        deadline = due(start[-1].created_at, 5)
        if first is not None and first.created_at <= deadline:
            on_time += 1
        elif first is not None:
            late += 1
        elif passed(due(start[-1].created_at, 20)):
            never += 1  # the latest answers come 15 working days after the disposition
    decided = on_time + late + never
    assert decided > 1000
    assert 0.85 <= on_time / decided <= 0.92
    assert 0.04 <= late / decided <= 0.14
    assert 0.005 <= never / decided <= 0.05


@pytest.mark.parametrize("seed", SEEDS)
def test_the_platform_closes_a_report_10_working_days_after_an_unanswered_followup(
    seed: int,
) -> None:
    closed = 0
    for d in truth(seed):
        completions = [log for log in d.logs if log.status_new.name == "Selesai"]
        last = list(windows(d))[-1:]
        if not last or last[0].replied:
            assert not completions, "only the platform closes, and only after a window"
            continue
        window = last[0]
        if not passed(window.end + timedelta(hours=2)):  # that night's run may be to come
            assert all(log.created_at >= window.end for log in completions)
            continue
        assert len(completions) == 1, d.summary.id
        closing = completions[0]
        assert closing.institution_from is not None
        assert closing.institution_from.id == v.NATIONAL_ADMIN[0], "written by the platform"
        assert closing.status_old is not None and closing.status_old.name == "Ditindaklanjuti"
        # At or after the window's end, in the platform's first run that night.
        assert window.end <= closing.created_at <= window.end + timedelta(hours=2)
        assert d.logs[-1] == closing and d.summary.status.name == "Selesai"
        closed += 1
    assert closed > 0.5 * len(truth(seed)), "most reports end by the platform's closing"


@pytest.mark.parametrize("seed", SEEDS)
def test_some_reporters_reply_and_the_agency_answers_again(seed: int) -> None:
    opened = replied = 0
    for d in truth(seed):
        for window in windows(d):
            opened += 1
            if not window.replied:
                continue
            replied += 1
            reply = next(
                f for f in d.followups if f.is_reporter and f.created_at > window.answer.created_at
            )
            if passed(due(reply.created_at, 20)):
                assert window.answered_again, "a reply sends the report back to the agency"
                again = next(
                    f for f in agency_answers(d) if f.created_at > window.answer.created_at
                )
                assert again.institution_from_id == window.answer.institution_from_id
    assert 0.1 <= replied / opened <= 0.3, "some reply, most do not"
