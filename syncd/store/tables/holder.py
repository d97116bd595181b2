"""Which process holds a PostgreSQL mirror: one row, written by the ``syncd run`` that
took the database's lock (``syncd.store.holder``), read by a second one to name it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from syncd.store.utc import UTCDateTime


class DatabaseHolder(SQLModel, table=True):
    __tablename__ = "database_holder"

    id: int | None = Field(default=None, primary_key=True)
    host: str = Field(max_length=255)
    pid: int
    started_at: datetime = Field(sa_type=UTCDateTime)
