"""A complaint's response clocks as last derived and evaluated.

Derived again whenever the sync writes the complaint; between syncs, the clock tick
re-evaluates only the rows whose ``next_evaluation_at`` has come, so a tick costs
what crosses a threshold, not what is mirrored.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from syncd.store.utc import UTCDateTime

RUNNING_UNPAUSED = text("outcome IS NULL AND paused_at IS NULL")


class ClockRow(SQLModel, table=True):
    __tablename__ = "clocks"
    __table_args__ = (
        UniqueConstraint(
            "complaint_id", "kind", "agency_id", "cycle", name="uq_clocks_complaint_kind_agency"
        ),
        # The tick's only index: every state change rewrites it, so it stays alone.
        Index("ix_clocks_next_evaluation", "next_evaluation_at"),
        # The earliest due instant of an agency's running clocks, for the metrics.
        # Partial, and on columns the tick never writes, so a tick leaves it alone.
        Index(
            "ix_clocks_running_due",
            "agency_id",
            "kind",
            "due_at",
            sqlite_where=RUNNING_UNPAUSED,
            postgresql_where=RUNNING_UNPAUSED,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("complaints.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    source: str = Field(max_length=64)
    kind: str = Field(max_length=16)
    agency_id: int | None = Field(default=None, sa_type=BigInteger)
    """None for verification, which belongs to the platform before any disposition."""
    cycle: int
    zone: str = Field(max_length=64)
    working_days: int
    started_at: datetime = Field(sa_type=UTCDateTime)
    due_at: datetime = Field(sa_type=UTCDateTime)
    paused_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    remaining_days: int | None = None
    stopped_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    outcome: str | None = Field(default=None, max_length=16)
    state: str = Field(max_length=16)
    """As of ``evaluated_at``: on_track, due_soon, breached, paused, or the outcome."""
    evaluated_at: datetime = Field(sa_type=UTCDateTime)
    next_evaluation_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When the state next changes by time alone; None when it never will."""
