"""Upstream records that failed validation, kept with their raw payload and reason."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from syncd.store.utc import UTCDateTime


class QuarantinedRecord(SQLModel, table=True):
    __tablename__ = "quarantined_records"
    __table_args__ = (
        UniqueConstraint("source", "kind", "record_key", name="uq_quarantine_source_kind_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=64)
    kind: str = Field(max_length=32)
    """Where it came from: summary, detail, followup or institution."""
    record_key: str = Field(max_length=128)
    """The upstream id when readable, else a digest of the payload."""
    upstream_id: int | None = Field(default=None, sa_type=BigInteger)
    reason: str
    payload: Any = Field(sa_column=Column(JSON, nullable=False))
    first_seen: datetime = Field(sa_type=UTCDateTime)
    last_seen: datetime = Field(sa_type=UTCDateTime)
    count: int = 1
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """Set when the same record later arrived valid."""
