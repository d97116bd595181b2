"""The platform's institutions (agencies and their sub-units), with their parents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, UniqueConstraint
from sqlmodel import Field, SQLModel

from syncd.store.utc import UTCDateTime


class Institution(SQLModel, table=True):
    __tablename__ = "institutions"
    __table_args__ = (
        UniqueConstraint("source", "upstream_id", name="uq_institutions_source_upstream"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=64)
    upstream_id: int = Field(sa_type=BigInteger)
    name: str
    parent_id: int | None = Field(default=None, sa_type=BigInteger)
    synced_at: datetime = Field(sa_type=UTCDateTime)
