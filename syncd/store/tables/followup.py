"""Followups (tindak lanjut) written by an agency, or replies by the reporter."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from syncd.store.utc import UTCDateTime


class Followup(SQLModel, table=True):
    __tablename__ = "followups"
    __table_args__ = (
        UniqueConstraint("complaint_id", "upstream_id", name="uq_followups_complaint_upstream"),
    )

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("complaints.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    upstream_id: int = Field(sa_type=BigInteger)
    created_at: datetime = Field(sa_type=UTCDateTime)
    institution_from_id: int | None = Field(default=None, sa_type=BigInteger)
    institution_from_name: str
    is_reporter: bool
    content: str
