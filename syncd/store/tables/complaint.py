"""A complaint as the platform last showed it: current state, holder and flags."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from syncd.store.utc import UTCDateTime


class Complaint(SQLModel, table=True):
    __tablename__ = "complaints"
    __table_args__ = (
        UniqueConstraint("source", "upstream_id", name="uq_complaints_source_upstream"),
        # The sync compares listed updated_at with the mirror's, page by page.
        Index("ix_complaints_source_updated", "source", "updated_at"),
        Index("ix_complaints_agency_status", "agency_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=64)
    upstream_id: int = Field(sa_type=BigInteger)
    tracking_id: str = Field(max_length=64)
    title: str
    content: str
    classification: str = Field(max_length=64)
    category_name: str
    status_code: int | None = None
    """None where the platform gave the status by its name alone."""
    status_name: str
    status: str | None = Field(default=None, max_length=32)
    """Canonical status; None while the status mapping does not know the code."""
    agency_id: int | None = Field(default=None, sa_type=BigInteger)
    """The institution holding the complaint now (its last disposition)."""
    agency_name: str | None = None
    is_secret: bool
    is_anonymous: bool
    location_name: str
    date_of_incident: date | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    synced_at: datetime = Field(sa_type=UTCDateTime)
    vanished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When the platform stopped showing it; the row is never deleted."""
