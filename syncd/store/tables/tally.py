"""Running totals of the mirror, kept by the sync and the clock keeper as they write.

The metrics read these instead of the mirror, so that a scrape costs the same with ten
complaints or ten million. Each total changes in the transaction of the write that
changes what it counts; ``syncd.store.tally`` holds the rules and a full recount to
check them against.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from syncd.store.utc import UTCDateTime


class ComplaintTally(SQLModel, table=True):
    """Complaints the platform still shows, by holder and canonical status."""

    __tablename__ = "tally_complaints"

    agency: str = Field(primary_key=True, max_length=32)
    """The agency id as text, or "none" before any disposition."""
    status: str = Field(primary_key=True, max_length=32)
    """The canonical status, or "unknown" while the status mapping lacks the code."""
    n: int = 0


class ClockTally(SQLModel, table=True):
    """Clocks by agency, kind, stored state and the local year they started in."""

    __tablename__ = "tally_clocks"

    agency: str = Field(primary_key=True, max_length=32)
    kind: str = Field(primary_key=True, max_length=16)
    state: str = Field(primary_key=True, max_length=16)
    """on_track, due_soon, breached, paused, or the outcome of a closed clock."""
    year: int = Field(primary_key=True)
    n: int = 0


class EarliestDue(SQLModel, table=True):
    """The earliest due instant among the running, unpaused clocks of an agency's kind.

    That clock is the longest overdue one whenever it is overdue at all, so the
    metric needs no scan: it is this instant when it has passed, else none.
    """

    __tablename__ = "tally_earliest_due"

    agency: str = Field(primary_key=True, max_length=32)
    kind: str = Field(primary_key=True, max_length=16)
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
