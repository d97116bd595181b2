"""The complaint ids a source checks one by one (tracked discovery, CONTRACT.md
section 1): where each came from, and where its schedule stands."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from syncd.store.utc import UTCDateTime


class TrackedComplaint(SQLModel, table=True):
    __tablename__ = "tracked_complaints"
    __table_args__ = (
        UniqueConstraint("source", "upstream_id", name="uq_tracked_source_upstream"),
        Index("ix_tracked_due", "source", "next_check_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=64)
    upstream_id: int = Field(sa_type=BigInteger)
    origin: str = Field(max_length=16)
    """``cli`` (``syncd track add``) or ``import`` (a spreadsheet)."""
    origin_file: str | None = Field(default=None, max_length=255)
    origin_row: int | None = None
    added_at: datetime = Field(sa_type=UTCDateTime)
    schedule: str = Field(default="active", max_length=16)
    """urgent, active, closed or dormant (``syncd.clock.schedule``)."""
    last_check_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    next_check_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """None: dormant, checked no more until imported again."""
    last_result: str | None = Field(default=None, max_length=32)
    consecutive_failures: int = 0
    content_hash: str | None = Field(default=None, max_length=64)
    """Of the normalized record last written: an unchanged check writes nothing."""
    closed_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When its last running clock was seen closed; dormant ``closed_for`` later."""
