"""What a mail says, gathered from the mirror at send time.

Facts are plain values, so templates never reach into the database. A confidential
complaint's facts carry no title and no content at all: what is not here cannot
leak into a mail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from alerts.routing import Reader
from syncd.report.period import Period
from syncd.vocabulary import AlertKind


@dataclass(frozen=True)
class ClockFacts:
    tracking_id: str
    title: str | None
    """None for a confidential complaint."""
    excerpt: str | None
    """The first lines of the content; None for a confidential complaint."""
    confidential: bool
    agency_id: int | None
    agency_name: str
    clock: str
    cycle: int
    started_at: datetime
    due_at: datetime
    zone: str
    status_name: str
    working_days_left: int
    """Working days from today to the due date; negative: working days overdue."""
    overdue: bool
    link: str | None


@dataclass(frozen=True)
class AlertFacts:
    key: str
    kind: AlertKind
    threshold: str
    recipient: str
    clock: ClockFacts


@dataclass(frozen=True)
class AgencyDigest:
    agency_id: int | None
    agency_name: str
    breached: list[ClockFacts]
    due_soon: list[ClockFacts]


@dataclass(frozen=True)
class DigestFacts:
    key: str
    recipient: str
    day: date
    zone: str
    agencies: list[AgencyDigest]

    @property
    def empty(self) -> bool:
        return not any(a.breached or a.due_soon for a in self.agencies)


@dataclass(frozen=True)
class MonthlyFacts:
    key: str
    recipient: str
    month: str
    period: Period
    agencies: list[dict[str, Any]]
    """``syncd report --format json``'s agency entries, for the agencies in scope."""
    floors: Sequence[float]


@dataclass(frozen=True)
class SummaryItem:
    """One alert folded into a day's summary mail (CONTRACT.md section 7, "No flood")."""

    tracking_id: str
    agency_name: str
    clock: str
    """The clock's kind: ``followup``, ``completion`` or ``verification``."""
    kind: str
    """The alert's kind: ``warning``, ``due``, ``breach`` or ``escalation``."""
    due_at_local: str
    """The due time where the agency is, with WIB/WITA/WIT."""
    days: int
    """Working days left; negative: working days overdue."""
    link: str
    """The complaint's address, or empty."""
    title: str
    """``[rahasia]`` (``[confidential]``) for a confidential complaint."""
    agency_id: int | None = None


@dataclass(frozen=True)
class SummaryFacts:
    key: str
    recipient: str
    role: Reader
    day: date
    items: Sequence[SummaryItem]
    total: int
    """How many alerts the summary stands for; ``items`` may list fewer."""

    @property
    def shown(self) -> int:
        return len(self.items)
