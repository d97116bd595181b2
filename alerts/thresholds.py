"""When each alert of a clock falls due (CONTRACT.md section 7, "When").

Pure: a clock, the settings and the calendar give every threshold's instant.

    warn-k      send_at on the working day k working days before the due date
    breach      the first send_at after the due instant
    escalate    send_at on the working day escalate_after_working_days after the due date

Severity orders them: escalate > breach > warn-0 > warn-k. After an outage, a late
sync or a first sync, a clock sends only its most severe due threshold; the others
it supersedes are recorded as skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from syncd.clock.calendar import WorkingCalendar
from syncd.clock.derive import Clock, working_days_before
from syncd.clock.policy import ClockKind, zone
from syncd.vocabulary import AlertKind


@dataclass(frozen=True, order=True)
class Threshold:
    severity: int
    name: str
    """As in the alert key: ``warn-<k>``, ``breach`` or ``escalate``."""

    @property
    def kind(self) -> AlertKind:
        if self.name == ESCALATE.name:
            return AlertKind.ESCALATION
        if self.name == BREACH.name:
            return AlertKind.BREACH
        return AlertKind.DUE if self.name == "warn-0" else AlertKind.WARNING


BREACH = Threshold(2000, "breach")
ESCALATE = Threshold(3000, "escalate")


def warn(days_before: int) -> Threshold:
    # warn-0 is the most severe warning; fewer days left is more severe.
    return Threshold(1000 - days_before, f"warn-{days_before}")


@dataclass(frozen=True)
class AlertSettings:
    """The part of ``[alerts]`` and ``[clocks.*]`` that decides what is sent when."""

    enabled: bool = True
    send_at: time = time(8, 0)
    office_hours_end: time = time(16, 0)
    warn_working_days_before: tuple[int, ...] = (2, 0)
    escalate_after_working_days: int = 3
    digest_at: time = time(7, 30)
    alerting: frozenset[ClockKind] = frozenset({ClockKind.FOLLOWUP, ClockKind.COMPLETION})
    """Clocks configured with ``alert = true``; reporter_reply never alerts."""


@dataclass(frozen=True)
class Due:
    """What a clock calls for at one moment."""

    send: Threshold
    """The most severe threshold whose instant has come."""
    superseded: tuple[Threshold, ...]
    """The less severe ones whose instant has also come: never to be sent."""


class Schedule:
    """The alert thresholds of clocks, by the settings and the calendar."""

    def __init__(self, settings: AlertSettings, calendar: WorkingCalendar) -> None:
        self.settings = settings
        self.calendar = calendar

    def alerts_on(self, clock: Clock) -> bool:
        """Whether this clock may alert now: an alerting kind, running, not paused."""
        return (
            self.settings.enabled
            and clock.kind in self.settings.alerting
            and clock.outcome is None
            and clock.paused_at is None
        )

    def instants(self, clock: Clock) -> list[tuple[Threshold, datetime]]:
        """Each threshold with its instant (UTC), least severe first."""
        tz = zone(clock.zone)
        due_day = clock.due_at.astimezone(tz).date()
        send_at = self.settings.send_at

        def at(day: date) -> datetime:
            return datetime.combine(day, send_at, tz).astimezone(UTC)

        found = [
            (warn(k), at(working_days_before(self.calendar, due_day, k)))
            for k in self.settings.warn_working_days_before
        ]
        found.append((BREACH, at(due_day + timedelta(days=1))))
        escalate_day = self.calendar.add_working_days(
            due_day, self.settings.escalate_after_working_days
        )
        found.append((ESCALATE, at(escalate_day)))
        return sorted(found)

    def due(self, clock: Clock, now: datetime) -> Due | None:
        """The threshold to send at ``now`` and those it supersedes; None if none."""
        if not self.alerts_on(clock):
            return None
        come = [threshold for threshold, instant in self.instants(clock) if instant <= now]
        if not come:
            return None
        return Due(come[-1], tuple(come[:-1]))

    def next_instant(self, clock: Clock, now: datetime) -> datetime | None:
        """The next threshold instant after ``now``; None when no more will come."""
        if not self.alerts_on(clock):
            return None
        later = [instant for _, instant in self.instants(clock) if instant > now]
        return min(later, default=None)
