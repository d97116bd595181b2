"""High availability on PostgreSQL (CONTRACT.md section 8): the leader's lease, and the
processes that share the database.

``ha_lease`` holds one row. Its ``fencing`` number grows with every new leader; the
leader renews ``expires_at`` well inside the TTL; every transaction of the leader's
jobs checks the row still names its fencing number (``syncd.ha.fence``). Instants
are the database's own clock (``now()``), so the machines' clocks need not agree.
``ha_members`` lists every ``syncd run`` seen recently, for ``syncd status``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from syncd.store.utc import UTCDateTime


class LeaderLease(SQLModel, table=True):
    __tablename__ = "ha_lease"

    id: int | None = Field(default=None, primary_key=True)
    holder: str | None = Field(default=None, max_length=255)
    """The leading process: ``<member id>`` (see ``ha_members``); None before the first."""
    fencing: int = Field(default=0, sa_type=BigInteger)
    acquired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    renewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class Member(SQLModel, table=True):
    __tablename__ = "ha_members"

    id: str = Field(primary_key=True, max_length=64)
    """Random per process start: a restarted process is a new member."""
    host: str = Field(max_length=255)
    pid: int
    role: str = Field(max_length=16)
    """leader, standby or stopped."""
    fencing: int | None = Field(default=None, sa_type=BigInteger)
    """The fencing number it leads under, while it leads."""
    started_at: datetime = Field(sa_type=UTCDateTime)
    seen_at: datetime = Field(sa_type=UTCDateTime)
