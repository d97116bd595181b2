"""Which clock rules the stored clocks were derived by: one row, so that a version of
syncd whose rules differ derives the mirror's clocks again before it keeps them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from syncd.store.utc import UTCDateTime


class ClockRules(SQLModel, table=True):
    __tablename__ = "clock_rules"

    id: int | None = Field(default=None, primary_key=True)
    version: int
    derived_at: datetime = Field(sa_type=UTCDateTime)
