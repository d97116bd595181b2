"""What ``syncd status`` reports: sources and their freshness, complaints by status,
running clocks by state, the outbox, and on PostgreSQL the processes sharing the
database and which of them leads (CONTRACT.md section 8). Read from the running
totals and small indexed queries, so it answers at once on any mirror.

The lease's and the processes' instants are the database's clock: ``database_now``
reads it, and the processes and the lease are told against it."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from syncd.config import Config
from syncd.metrics.server import STALE_AFTER_POLLS
from syncd.metrics.snapshot import RUNNING_STATES, MirrorSettings, last_success_at, read_snapshot
from syncd.store.tables import CHECKPOINTS, LEASE, MEMBERS, OUTBOX, RUNS
from syncd.vocabulary import UNSENT

SEEN_WITHIN_TTLS = 3
"""A process is listed while it was seen within this many lease TTLs."""


def database_now(connection: Connection) -> datetime | None:
    """The database's own clock on PostgreSQL, the one the lease is kept by; None on
    SQLite, where one process alone uses the database."""
    if connection.dialect.name != "postgresql":
        return None
    at: datetime = connection.execute(select(func.now())).scalar_one()
    return at


def read_status(
    connection: Connection, config: Config, now: datetime, database_at: datetime | None = None
) -> dict[str, Any]:
    """A JSON-ready summary (the shape ``syncd status --json`` prints); the processes
    and the lease as at ``database_at`` (the database's clock), else ``now``."""
    sources = [s.name for s in config.sources]
    snapshot = read_snapshot(connection, MirrorSettings(sources=sources), now)
    by_status: Counter[str] = Counter()
    for (_, status), n in snapshot.complaints.items():
        by_status[status] += n
    running: Counter[str] = Counter()
    for (_, _, state), n in snapshot.running.items():
        running[state] += n
    breached_by_agency: Counter[str] = Counter()
    for (agency, _, state), n in snapshot.running.items():
        if state == "breached" and n:
            breached_by_agency[agency] += n
    o = OUTBOX.c
    outbox = dict.fromkeys(UNSENT, 0)
    outbox.update(
        connection.execute(
            select(o.status, func.count()).where(o.status.in_(UNSENT)).group_by(o.status)
        ).all()
    )
    return {
        "at": now.isoformat(),
        "sources": [_source(connection, s.name, s.poll_interval, now) for s in config.sources],
        "complaints": {
            "total": sum(by_status.values()),
            "by_status": dict(sorted(by_status.items())),
        },
        "clocks_running": {state: running.get(state, 0) for state in RUNNING_STATES},
        "breached_by_agency": dict(breached_by_agency.most_common(10)),
        "outbox": {
            **outbox,
            "oldest_pending": snapshot.outbox_oldest.isoformat()
            if snapshot.outbox_oldest
            else None,
        },
        **_high_availability(connection, config.ha.lease_ttl, database_at or now),
    }


def _high_availability(connection: Connection, ttl: timedelta, at: datetime) -> dict[str, Any]:
    """``processes``: each seen within 3 TTLs, the leader first, then by host and pid;
    ``leader``: whom the lease names (None before any process has led: always on
    SQLite), and whether it has expired."""
    m, lease = MEMBERS.c, LEASE.c
    seen = connection.execute(
        select(m.id, m.host, m.pid, m.role, m.fencing, m.started_at, m.seen_at)
        .where(m.seen_at >= at - SEEN_WITHIN_TTLS * ttl)
        .order_by(m.host, m.pid, m.started_at)
    ).all()
    row = (
        connection.execute(
            select(
                lease.holder,
                lease.fencing,
                lease.acquired_at,
                lease.renewed_at,
                lease.expires_at,
                m.host,
                m.pid,
            )
            .select_from(LEASE.outerjoin(MEMBERS, m.id == lease.holder))
            .where(lease.id == 1)
        )
        .mappings()
        .one_or_none()
    )
    leader = None
    if row is not None and row["holder"] is not None:
        left = (row["expires_at"] - at).total_seconds()
        leader = {
            "id": row["holder"],
            "host": row["host"],
            "pid": row["pid"],
            "fencing": row["fencing"],
            "acquired_at": _iso(row["acquired_at"]),
            "renewed_at": _iso(row["renewed_at"]),
            "expires_at": row["expires_at"].isoformat(),
            "expires_in_seconds": round(left, 1),
            "expired": left <= 0,
        }
    leading = leader["id"] if leader is not None and not leader["expired"] else None
    processes = [
        {
            "id": p.id,
            "host": p.host,
            "pid": p.pid,
            "role": p.role,
            "leads": p.id == leading,
            "fencing": p.fencing,
            "started_at": p.started_at.isoformat(),
            "seen_at": p.seen_at.isoformat(),
            "seen_seconds_ago": round(max(0.0, (at - p.seen_at).total_seconds()), 1),
        }
        for p in seen
    ]
    processes.sort(key=lambda p: not p["leads"])
    return {"processes": processes, "leader": leader}


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def _source(connection: Connection, name: str, poll_interval: Any, now: datetime) -> dict[str, Any]:
    last_run = (
        connection.execute(
            select(RUNS.c.result, RUNS.c.started_at, RUNS.c.finished_at, RUNS.c.error_kind)
            .where(RUNS.c.source == name)
            .order_by(RUNS.c.started_at.desc())
            .limit(1)
        )
        .mappings()
        .one_or_none()
    )
    last_ok = last_success_at(connection, name)
    cursor = connection.execute(
        select(CHECKPOINTS.c.cursor).where(CHECKPOINTS.c.source == name)
    ).scalar_one_or_none()
    fresh = last_ok is not None and now - last_ok <= STALE_AFTER_POLLS * poll_interval
    return {
        "name": name,
        "fresh": fresh,
        "last_success": last_ok.isoformat() if last_ok else None,
        "last_run": None
        if last_run is None
        else {
            "result": last_run["result"],
            "started_at": last_run["started_at"].isoformat(),
            "error": last_run["error_kind"],
        },
        "cursor": cursor.isoformat() if cursor else None,
    }
