"""What ``syncd status`` reports: sources and their freshness, complaints by status,
running clocks by state, the outbox. Read from the running totals and small indexed
queries, so it answers at once on any mirror."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from syncd.config import Config
from syncd.metrics.server import STALE_AFTER_POLLS
from syncd.metrics.snapshot import RUNNING_STATES, MirrorSettings, last_success_at, read_snapshot
from syncd.store.tables import CHECKPOINTS, OUTBOX, RUNS
from syncd.vocabulary import UNSENT


def read_status(connection: Connection, config: Config, now: datetime) -> dict[str, Any]:
    """A JSON-ready summary (the shape ``syncd status --json`` prints)."""
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
    }


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
