"""Delivery windows: mail goes out on working days, in the agency's office hours.

CONTRACT.md section 7: between ``send_at`` and ``office_hours_end`` in the agency's
time zone, on working days; what falls outside waits for the next window. The digest
opens its window earlier, at ``digest_at``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from syncd.clock.calendar import WorkingCalendar
from syncd.clock.policy import zone


@dataclass(frozen=True)
class Window:
    opens: time
    closes: time
    calendar: WorkingCalendar
    always_open: bool = False
    """The demo's setting: mail appears at any hour of any day."""

    def is_open(self, at: datetime, zone_name: str) -> bool:
        if self.always_open:
            return True
        local = at.astimezone(zone(zone_name))
        return (
            self.calendar.is_working_day(local.date()) and self.opens <= local.time() < self.closes
        )

    def next_open(self, at: datetime, zone_name: str) -> datetime:
        """``at`` itself when the window is open then, else when it next opens (UTC)."""
        if self.is_open(at, zone_name):
            return at
        tz = zone(zone_name)
        local = at.astimezone(tz)
        day = local.date()
        if not (self.calendar.is_working_day(day) and local.time() < self.opens):
            day = self.calendar.add_working_days(day, 1)
        return datetime.combine(day, self.opens, tz).astimezone(UTC)
