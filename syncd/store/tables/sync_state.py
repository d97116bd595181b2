"""Where each source's sync stands, and what each pass did."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from syncd.store.utc import UTCDateTime


class SyncCheckpoint(SQLModel, table=True):
    """The cursor of a source: advanced only in the transaction that commits a page."""

    __tablename__ = "sync_checkpoints"

    source: str = Field(primary_key=True, max_length=64)
    cursor: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    last_full_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When a full re-listing (with reconciliation) last completed."""


class SyncRun(SQLModel, table=True):
    """One sync pass: running, ok, or error with the kind of error."""

    __tablename__ = "sync_runs"
    __table_args__ = (Index("ix_sync_runs_source_started", "source", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=64)
    full: bool = False
    started_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    result: str = Field(default="running", max_length=16)
    listed: int = 0
    fetched: int = 0
    written: int = 0
    quarantined: int = 0
    vanished: int = 0
    error_kind: str | None = Field(default=None, max_length=64)
    error_message: str | None = None
