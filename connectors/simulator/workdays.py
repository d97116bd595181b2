"""Working days as the simulated platform counts them: its deadlines are the LAPOR!
operating rules' (5 working days for a followup, the reporter's 10), so its agencies
answer and its reports close by the same calendar syncd's clocks count in.

Monday to Friday, minus Indonesia's national holidays and cuti bersama (the
``holidays`` package, country ``ID``, categories ``public`` and ``government``), as in
CONTRACT.md section 2. An operator's extra days are not the platform's to know. The
simulator sits below syncd, so it asks the package itself rather than syncd's
calendar; tests hold the two to the same days.
"""

from __future__ import annotations

from datetime import date, timedelta

import holidays

COUNTRY = "ID"
CATEGORIES = ("public", "government")


class WorkingDays:
    """The national working-day calendar, each year read from the package once."""

    def __init__(self) -> None:
        self._days_off: dict[int, frozenset[date]] = {}

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._year(day.year)

    def add(self, day: date, n: int) -> date:
        """The ``n``-th working day after ``day`` (which never counts); ``day`` for 0."""
        while n > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day

    def between(self, start: date, end: date) -> int:
        """How many working days ``d`` have ``start < d <= end``."""
        return sum(
            1
            for offset in range(1, (end - start).days + 1)
            if self.is_working_day(start + timedelta(days=offset))
        )

    def _year(self, year: int) -> frozenset[date]:
        days_off = self._days_off.get(year)
        if days_off is None:
            entity = holidays.country_holidays(COUNTRY, years=year, categories=CATEGORIES)
            days_off = self._days_off[year] = frozenset(entity)
        return days_off
