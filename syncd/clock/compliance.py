"""How an agency's clocks add up to the figures it is judged by (CONTRACT.md section 2).

Clocks count by their start date: for a period, ``on_time_ratio`` is met over met,
late and open breached; ``followed_up_ratio`` (the followup clock) is met and late
over the same. A ratio with nothing to divide by is None, not zero: an agency with no
complaints is not failing. The grade bands are a local default, not a regulation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_GRADE_BANDS = (0.95, 0.85, 0.70, 0.50)
"""The lowest on-time ratio for grades 5, 4, 3 and 2; below the last, grade 1."""
GRADE_BANDS_NOTE = "local default, not a regulation"


@dataclass(frozen=True)
class ClockFigures:
    """One clock kind's counts for one agency and period."""

    met: int = 0
    late: int = 0
    open_on_time: int = 0
    """Running within the deadline, paused ones included."""
    open_breached: int = 0
    transferred: int = 0
    cancelled: int = 0
    lapsed: int = 0
    """The reporter's window only: it ran out without a reply. Never judged."""

    @property
    def judged(self) -> int:
        return self.met + self.late + self.open_breached

    @property
    def on_time_ratio(self) -> float | None:
        return self.met / self.judged if self.judged else None

    @property
    def followed_up_ratio(self) -> float | None:
        return (self.met + self.late) / self.judged if self.judged else None


@dataclass(frozen=True)
class GradeBands:
    floors: Sequence[float] = DEFAULT_GRADE_BANDS

    def grade(self, on_time_ratio: float | None) -> int | None:
        """5 at or above the first floor, down to 1 below the last; None without a ratio."""
        if on_time_ratio is None:
            return None
        for index, floor in enumerate(self.floors):
            if on_time_ratio >= floor:
                return 5 - index
        return 1
