"""How often a tracked complaint is checked: its urgency, read from its clocks
(CONTRACT.md section 3, ``[sources.tracking]``).

    urgent    a running clock due within one working day, or breached
    active    any other running clock (a paused one, the reporter's window)
    closed    no running clock: checked now and then, since a reply can reopen it,
              for ``closed_for`` after its last clock closed
    dormant   then checked no more, until it is imported again

Pure: the clocks, ``now`` and the calendar decide; the store applies it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from syncd.clock.calendar import DUE_TIME, WorkingCalendar
from syncd.clock.derive import Clock
from syncd.clock.policy import ClockKind, zone

FAILURE_BACKOFF_FIRST = timedelta(minutes=1)


class ScheduleClass(StrEnum):
    URGENT = "urgent"
    ACTIVE = "active"
    CLOSED = "closed"
    DORMANT = "dormant"


@dataclass(frozen=True)
class TrackingSchedule:
    urgent_every: timedelta = timedelta(minutes=15)
    active_every: timedelta = timedelta(hours=2)
    closed_every: timedelta = timedelta(days=1)
    closed_for: timedelta = timedelta(days=30)

    def every(self, schedule: ScheduleClass) -> timedelta | None:
        """The interval between checks of a class; None: not checked (dormant)."""
        return {
            ScheduleClass.URGENT: self.urgent_every,
            ScheduleClass.ACTIVE: self.active_every,
            ScheduleClass.CLOSED: self.closed_every,
        }.get(schedule)

    def after_failure(self, schedule: ScheduleClass, failures: int) -> timedelta:
        """When a check that failed ``failures`` times in a row is tried again: soon,
        then less often, never later than its class's own interval."""
        ceiling = self.every(schedule) or self.closed_every
        backoff: timedelta = FAILURE_BACKOFF_FIRST * 2 ** max(0, failures - 1)
        return min(ceiling, backoff)


@dataclass(frozen=True)
class Urgency:
    schedule: ScheduleClass
    closed_since: datetime | None
    """When the complaint was first seen with no running clock; None while one runs."""


def urgency(
    clocks: Sequence[Clock],
    now: datetime,
    calendar: WorkingCalendar,
    settings: TrackingSchedule,
    closed_since: datetime | None,
) -> Urgency:
    """The schedule class of a complaint with these clocks at ``now``."""
    running = [c for c in clocks if c.running]
    if not running:
        since = closed_since or now
        dormant = now - since >= settings.closed_for
        return Urgency(ScheduleClass.DORMANT if dormant else ScheduleClass.CLOSED, since)
    if any(_pressing(c, now, calendar) for c in running):
        return Urgency(ScheduleClass.URGENT, None)
    return Urgency(ScheduleClass.ACTIVE, None)


def _pressing(clock: Clock, now: datetime, calendar: WorkingCalendar) -> bool:
    """Breached, or due by the end of the next working day (agency time). The
    reporter's window is the citizen's and never presses the agency."""
    if clock.kind is ClockKind.REPORTER_REPLY or clock.paused_at is not None:
        return False
    if now > clock.due_at:
        return True
    tz = zone(clock.zone)
    horizon_day = calendar.add_working_days(now.astimezone(tz).date(), 1)
    return clock.due_at <= datetime.combine(horizon_day, DUE_TIME, tz)
