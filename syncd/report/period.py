"""The period a report covers: a year, a month, or two dates, inclusive."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    """Inclusive."""

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"the period ends ({self.end}) before it starts ({self.start})")

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def month(cls, text: str) -> Period:
        """``YYYY-MM``."""
        try:
            year, month = (int(part) for part in text.split("-"))
            last = calendar.monthrange(year, month)[1]
        except ValueError as exc:
            raise ValueError(f"{text!r} is not a month: write YYYY-MM, e.g. 2025-03") from exc
        return cls(date(year, month, 1), date(year, month, last))

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def months(self) -> list[tuple[int, int]]:
        """Every (year, month) the period touches, in order."""
        months = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            months.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months
