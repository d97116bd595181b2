"""Which clocks a report reads: a period of local start dates and, for one agency's
report, the agencies whose clocks count."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.sql.elements import ColumnElement

from syncd.store.tables import CLOCKS


@dataclass(frozen=True)
class Scope:
    """Which clocks a report counts: started on ``start`` to ``end`` (local dates),
    held by one of ``holders`` (None: by any agency)."""

    start: date
    end: date
    holders: Sequence[int] | None = None
    unheld: bool = False
    """Only the clocks of no agency (verification before any disposition)."""

    @property
    def low(self) -> datetime:
        """The earliest UTC instant of a local date in the period, in any zone."""
        return datetime.combine(self.start, time.min, UTC) - timedelta(days=1)

    @property
    def high(self) -> datetime:
        return datetime.combine(self.end, time.max, UTC) + timedelta(days=1)

    def filters(self) -> list[ColumnElement[bool]]:
        c = CLOCKS.c
        found: list[ColumnElement[bool]] = [c.started_at >= self.low, c.started_at <= self.high]
        if self.unheld:
            found.append(c.agency_id.is_(None))
        elif self.holders is not None:
            found.append(c.agency_id.in_(self.holders))
        return found
