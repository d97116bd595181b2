"""A complaint's status transitions and dispositions, oldest first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from syncd.store.utc import UTCDateTime


class StatusLogEntry(SQLModel, table=True):
    __tablename__ = "status_log_entries"
    __table_args__ = (
        UniqueConstraint("complaint_id", "upstream_id", name="uq_status_log_complaint_upstream"),
    )

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("complaints.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    upstream_id: int = Field(sa_type=BigInteger)
    created_at: datetime = Field(sa_type=UTCDateTime)
    status_old_code: int | None = None
    status_old_name: str | None = None
    status_old: str | None = Field(default=None, max_length=32)
    status_new_code: int | None = None
    status_new_name: str
    status_new: str | None = Field(default=None, max_length=32)
    institution_from_id: int | None = Field(default=None, sa_type=BigInteger)
    institution_from_name: str | None = None
    institution_to_id: int | None = Field(default=None, sa_type=BigInteger)
    """Set when the entry is a disposition to that institution."""
    institution_to_name: str | None = None
    content: str
