"""The days a report's SQL needs to know: each local date's working-day rank and month.

The report counts clocks by the local date they started and measures responses in
working days. Both come from the calendar, which the database does not have, so the
query gets them as one small lookup table indexed by the local date's offset from
``first``: ``rank`` (working days after ``first`` up to that date, so that the
working days between two dates are the difference of their ranks) and ``month``
(months since ``first``'s month). A few thousand entries cover any report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from syncd.clock.calendar import WorkingCalendar

BEYOND = timedelta(days=366)
"""How far past the later of the period's end and the report's present the table
reaches: a response recorded later than that counts as ending there."""


@dataclass(frozen=True)
class DayTable:
    first: date
    ranks: tuple[int, ...]
    """``ranks[i]``: the working days ``d`` with ``first < d <= first + i``."""
    months: tuple[int, ...]
    """``months[i]``: months from ``first``'s month to that of ``first + i``."""

    @classmethod
    def covering(cls, first: date, last: date, calendar: WorkingCalendar) -> DayTable:
        ranks, months = [], []
        rank = 0
        for offset in range((last - first).days + 1):
            day = first + timedelta(days=offset)
            rank += offset > 0 and calendar.is_working_day(day)
            ranks.append(rank)
            months.append((day.year - first.year) * 12 + day.month - first.month)
        return cls(first, tuple(ranks), tuple(months))

    def __len__(self) -> int:
        return len(self.ranks)

    def index(self, day: date) -> int:
        return (day - self.first).days

    def month_of(self, code: int) -> tuple[int, int]:
        """The (year, month) of a ``months`` entry."""
        serial = self.first.year * 12 + self.first.month - 1 + code
        return serial // 12, serial % 12 + 1

    def working_days_between(self, start: date, end: date) -> int:
        """As ``WorkingCalendar.working_days_between``, for dates in the table."""
        last = len(self) - 1
        low, high = (min(max(self.index(d), 0), last) for d in (start, end))
        return max(0, self.ranks[high] - self.ranks[low])
