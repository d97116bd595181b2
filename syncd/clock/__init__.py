"""Response clocks: the working-day calendar they count in (CONTRACT.md section 2)."""

from syncd.clock.calendar import Holiday, WorkingCalendar, zone_abbreviation

__all__ = ["Holiday", "WorkingCalendar", "zone_abbreviation"]
