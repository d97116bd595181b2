"""The tracked ids of each source: added, removed and listed by ``syncd track``, and
picked by the tracked checks in the order their schedule says."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, delete, func, select, update

from syncd.store.chunks import chunks
from syncd.store.tables import TRACKED
from syncd.store.upsert import insert as dialect_insert

SCHEDULE_ORDER = ("urgent", "active", "closed")
"""Who goes first when checks are due: urgent ones are never starved by the others."""


@dataclass(frozen=True)
class Origin:
    """Where a tracked id came from: the command line, or a row of an imported file."""

    kind: str
    file: str | None = None
    row: int | None = None


@dataclass(frozen=True)
class DueCheck:
    upstream_id: int
    schedule: str
    next_check_at: datetime
    consecutive_failures: int
    content_hash: str | None
    closed_since: datetime | None


def track(
    connection: Connection,
    source: str,
    ids: Sequence[tuple[int, Origin]],
    now: datetime,
) -> list[int]:
    """Tracks these ids (checked at once); returns those that were new. An id tracked
    already keeps its schedule, except a dormant one, which is woken."""
    known = tracked_ids(connection, source, [upstream_id for upstream_id, _ in ids])
    new: dict[int, Origin] = {}
    for upstream_id, origin in ids:
        if upstream_id not in known and upstream_id not in new:
            new[upstream_id] = origin
    if new:
        rows = [
            {
                "source": source,
                "upstream_id": upstream_id,
                "origin": origin.kind,
                "origin_file": origin.file,
                "origin_row": origin.row,
                "added_at": now,
                "schedule": "active",
                "next_check_at": now,
                "consecutive_failures": 0,
            }
            for upstream_id, origin in new.items()
        ]
        statement = dialect_insert(connection, TRACKED).on_conflict_do_nothing(
            index_elements=["source", "upstream_id"]
        )
        for batch in chunks(rows):
            connection.execute(statement, list(batch))
    woken = [upstream_id for upstream_id in known if known[upstream_id] == "dormant"]
    t = TRACKED.c
    for chunk in chunks(woken):
        connection.execute(
            update(TRACKED)
            .where(t.source == source, t.upstream_id.in_(chunk))
            .values(schedule="active", next_check_at=now, closed_since=None)
        )
    return list(new)


def untrack(connection: Connection, source: str, ids: Sequence[int]) -> list[int]:
    """Stops tracking these ids (the mirrored complaints stay); returns those removed."""
    t = TRACKED.c
    removed: list[int] = []
    for chunk in chunks(ids):
        removed += connection.execute(
            delete(TRACKED)
            .where(t.source == source, t.upstream_id.in_(chunk))
            .returning(t.upstream_id)
        ).scalars()
    return removed


def tracked_ids(connection: Connection, source: str, ids: Sequence[int]) -> dict[int, str]:
    """Of these ids, those tracked already, with their schedule class."""
    t = TRACKED.c
    found: dict[int, str] = {}
    for chunk in chunks(ids):
        rows = connection.execute(
            select(t.upstream_id, t.schedule).where(t.source == source, t.upstream_id.in_(chunk))
        )
        found.update((upstream_id, schedule) for upstream_id, schedule in rows)
    return found


def listing(connection: Connection, source: str | None) -> list[dict[str, Any]]:
    """Every tracked id (of one source, or all), by source and id."""
    t = TRACKED.c
    query = select(TRACKED).order_by(t.source, t.upstream_id)
    if source is not None:
        query = query.where(t.source == source)
    return [dict(row) for row in connection.execute(query).mappings()]


def due_checks(connection: Connection, source: str, now: datetime, limit: int) -> list[DueCheck]:
    """The checks whose time has come: urgent ones first, then active, then closed; in
    each class the most overdue first."""
    t = TRACKED.c
    rank = case({name: i for i, name in enumerate(SCHEDULE_ORDER)}, value=t.schedule, else_=9)
    rows = connection.execute(
        select(
            t.upstream_id,
            t.schedule,
            t.next_check_at,
            t.consecutive_failures,
            t.content_hash,
            t.closed_since,
        )
        .where(t.source == source, t.next_check_at.is_not(None), t.next_check_at <= now)
        .order_by(rank, t.next_check_at, t.upstream_id)
        .limit(limit)
    )
    return [DueCheck(*row) for row in rows]


def count_due(connection: Connection, source: str, now: datetime) -> int:
    """How many of the source's checks have come due (an index range, no rows read)."""
    t = TRACKED.c
    n: int = connection.execute(
        select(func.count())
        .select_from(TRACKED)
        .where(t.source == source, t.next_check_at.is_not(None), t.next_check_at <= now)
    ).scalar_one()
    return n


def record_check(
    connection: Connection,
    source: str,
    upstream_id: int,
    values: dict[str, Any],
) -> None:
    """Stores what a check found and when the next one is due."""
    t = TRACKED.c
    connection.execute(
        update(TRACKED).where(t.source == source, t.upstream_id == upstream_id).values(**values)
    )


def schedule_counts(connection: Connection) -> dict[tuple[str, str], int]:
    """Tracked ids by (source, schedule class)."""
    t = TRACKED.c
    rows = connection.execute(
        select(t.source, t.schedule, func.count()).group_by(t.source, t.schedule)
    )
    return {(source, schedule): n for source, schedule, n in rows}


def overdue(connection: Connection, now: datetime) -> dict[str, tuple[int, datetime | None]]:
    """By source: how many scheduled checks are past, and the oldest's due instant."""
    t = TRACKED.c
    rows = connection.execute(
        select(t.source, func.count(), func.min(t.next_check_at))
        .where(t.next_check_at.is_not(None), t.next_check_at < now)
        .group_by(t.source)
    )
    return {source: (n, oldest) for source, n, oldest in rows}
