"""Writes one batch of connector records into the mirror, inside the caller's transaction.

Upserts are keyed by (source, upstream id) and guarded so that an older
``updated_at`` never overwrites a newer one; a complaint's status log and followups
are replaced only when the complaint row itself was written. The checkpoint moves in
the same transaction, so it is never ahead of what is committed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select, update

from connectors.records import ComplaintDetail, Institution, QuarantineItem
from syncd.clock.keeper import ClockKeeper
from syncd.store import tally
from syncd.store.tables import (
    CHECKPOINTS,
    COMPLAINTS,
    FOLLOWUPS,
    INSTITUTIONS,
    QUARANTINE,
)
from syncd.store.tables import STATUS_LOGS as LOGS
from syncd.store.upsert import insert as dialect_insert

# Children go in chunks: SQLite allows 32,766 bound parameters per statement.
CHUNK = 1000


@dataclass
class Batch:
    """What one page of the listing brought, ready to be written at once."""

    details: list[ComplaintDetail] = field(default_factory=list)
    quarantined: list[QuarantineItem] = field(default_factory=list)
    vanished: list[int] = field(default_factory=list)
    cursor: datetime | None = None


@dataclass(frozen=True)
class Written:
    complaints: int
    quarantined: int
    vanished: int


def mirrored_versions(
    connection: Connection, source: str, upstream_ids: Sequence[int]
) -> dict[int, tuple[datetime, bool]]:
    """For the ids given: the mirrored ``updated_at`` and whether marked vanished."""
    found: dict[int, tuple[datetime, bool]] = {}
    c = COMPLAINTS.c
    for start in range(0, len(upstream_ids), CHUNK):
        chunk = upstream_ids[start : start + CHUNK]
        rows = connection.execute(
            select(c.upstream_id, c.updated_at, c.vanished_at).where(
                c.source == source, c.upstream_id.in_(chunk)
            )
        )
        for upstream_id, updated_at, vanished_at in rows:
            found[upstream_id] = (updated_at, vanished_at is not None)
    return found


def write_batch(
    connection: Connection,
    source: str,
    batch: Batch,
    now: datetime,
    clocks: ClockKeeper | None = None,
) -> Written:
    touched = [d.id for d in batch.details] + batch.vanished
    before = tally.complaint_counts(connection, source, touched)
    applied = _upsert_complaints(connection, source, batch.details, now)
    _replace_children(connection, batch.details, applied)
    if clocks is not None and applied:
        newest = newest_copies(batch.details)
        clocks.replace(
            connection, source, {row_id: newest[uid] for uid, row_id in applied.items()}, now
        )
    _resolve_quarantine(connection, source, list(applied), now)
    _quarantine(connection, source, batch.quarantined, now)
    vanished = mark_vanished(connection, source, batch.vanished, now)
    if clocks is not None and vanished:
        clocks.vanish(connection, source, vanished, now)
    after = tally.complaint_counts(connection, source, touched)
    tally.add_complaints(connection, tally.complaint_delta(before, after))
    if batch.cursor is not None:
        advance_checkpoint(connection, source, batch.cursor, now)
    return Written(len(applied), len(batch.quarantined), len(vanished))


def _complaint_row(source: str, d: ComplaintDetail, now: datetime) -> dict[str, Any]:
    s = d.summary
    return {
        "source": source,
        "upstream_id": s.id,
        "tracking_id": s.tracking_id,
        "title": s.title,
        "content": d.content,
        "classification": s.classification,
        "category_name": s.category_name,
        "status_code": s.status.code,
        "status_name": s.status.name,
        "status": s.status.canonical,
        "agency_id": s.disposition.id if s.disposition else None,
        "agency_name": s.disposition.name if s.disposition else None,
        "is_secret": s.is_secret,
        "is_anonymous": s.is_anonymous,
        "location_name": d.location_name,
        "date_of_incident": d.date_of_incident,
        "created_at": s.created_at,
        "updated_at": s.updated_at,
        "synced_at": now,
        "vanished_at": None,
    }


_KEPT_ON_UPDATE = ("source", "upstream_id")


def _upsert_complaints(
    connection: Connection, source: str, details: Sequence[ComplaintDetail], now: datetime
) -> dict[int, int]:
    """Writes complaints not older than the mirror's; upstream id → row id of those written."""
    if not details:
        return {}
    newest = newest_copies(details)
    insert = dialect_insert(connection, COMPLAINTS)
    stmt = insert.on_conflict_do_update(
        index_elements=["source", "upstream_id"],
        set_={
            column.name: insert.excluded[column.name]
            for column in COMPLAINTS.columns
            if column.name not in ("id", *_KEPT_ON_UPDATE)
        },
        where=COMPLAINTS.c.updated_at <= insert.excluded.updated_at,
    ).returning(COMPLAINTS.c.upstream_id, COMPLAINTS.c.id)
    rows = [_complaint_row(source, d, now) for d in newest.values()]
    return {upstream_id: row_id for upstream_id, row_id in connection.execute(stmt, rows)}


def newest_copies(details: Sequence[ComplaintDetail]) -> dict[int, ComplaintDetail]:
    """One detail per complaint: a batch can hold two copies, and the newest wins."""
    newest: dict[int, ComplaintDetail] = {}
    for d in details:
        held = newest.get(d.id)
        if held is None or d.summary.updated_at >= held.summary.updated_at:
            newest[d.id] = d
    return newest


def _replace_children(
    connection: Connection, details: Sequence[ComplaintDetail], applied: dict[int, int]
) -> None:
    if not applied:
        return
    row_ids = list(applied.values())
    for start in range(0, len(row_ids), CHUNK):
        chunk = row_ids[start : start + CHUNK]
        connection.execute(delete(LOGS).where(LOGS.c.complaint_id.in_(chunk)))
        connection.execute(delete(FOLLOWUPS).where(FOLLOWUPS.c.complaint_id.in_(chunk)))
    logs: list[dict[str, Any]] = []
    followups: list[dict[str, Any]] = []
    for d in newest_copies(details).values():
        row_id = applied.get(d.id)
        if row_id is None:
            continue
        logs.extend(_log_rows(row_id, d))
        followups.extend(_followup_rows(row_id, d))
    for rows, table in ((logs, LOGS), (followups, FOLLOWUPS)):
        for start in range(0, len(rows), CHUNK):
            connection.execute(table.insert(), rows[start : start + CHUNK])


def _log_rows(row_id: int, d: ComplaintDetail) -> Iterable[dict[str, Any]]:
    for log in d.logs:
        old = log.status_old
        yield {
            "complaint_id": row_id,
            "upstream_id": log.id,
            "created_at": log.created_at,
            "status_old_code": old.code if old else None,
            "status_old_name": old.name if old else None,
            "status_old": old.canonical if old else None,
            "status_new_code": log.status_new.code,
            "status_new_name": log.status_new.name,
            "status_new": log.status_new.canonical,
            "institution_from_id": log.institution_from.id if log.institution_from else None,
            "institution_from_name": log.institution_from.name if log.institution_from else None,
            "institution_to_id": log.institution_to.id if log.institution_to else None,
            "institution_to_name": log.institution_to.name if log.institution_to else None,
            "content": log.content,
        }


def _followup_rows(row_id: int, d: ComplaintDetail) -> Iterable[dict[str, Any]]:
    for f in d.followups:
        yield {
            "complaint_id": row_id,
            "upstream_id": f.id,
            "created_at": f.created_at,
            "institution_from_id": f.institution_from_id,
            "institution_from_name": f.institution_from_name,
            "is_reporter": f.is_reporter,
            "content": f.content,
        }


def record_key(item: QuarantineItem) -> str:
    """The upstream id when readable, else a digest of the payload."""
    if item.upstream_id is not None:
        return str(item.upstream_id)
    canonical = json.dumps(item.payload, sort_keys=True, default=str).encode()
    return "sha256:" + hashlib.sha256(canonical).hexdigest()[:32]


def _quarantine(
    connection: Connection, source: str, items: Sequence[QuarantineItem], now: datetime
) -> None:
    if not items:
        return
    insert = dialect_insert(connection, QUARANTINE)
    stmt = insert.on_conflict_do_update(
        index_elements=["source", "kind", "record_key"],
        set_={
            "reason": insert.excluded.reason,
            "payload": insert.excluded.payload,
            "last_seen": insert.excluded.last_seen,
            "count": QUARANTINE.c.count + 1,
            "resolved_at": None,
        },
    )
    rows = {
        (item.kind, record_key(item)): {
            "source": source,
            "kind": item.kind,
            "record_key": record_key(item),
            "upstream_id": item.upstream_id,
            "reason": item.reason,
            "payload": item.payload,
            "first_seen": now,
            "last_seen": now,
            "count": 1,
        }
        for item in items
    }
    connection.execute(stmt, list(rows.values()))


def _resolve_quarantine(
    connection: Connection, source: str, upstream_ids: list[int], now: datetime
) -> None:
    """A complaint that arrived whole resolves its earlier quarantine entries."""
    q = QUARANTINE.c
    for start in range(0, len(upstream_ids), CHUNK):
        connection.execute(
            update(QUARANTINE)
            .where(
                q.source == source,
                q.upstream_id.in_(upstream_ids[start : start + CHUNK]),
                q.kind.in_(("summary", "detail", "followup")),
                q.resolved_at.is_(None),
            )
            .values(resolved_at=now)
        )


def mark_vanished(
    connection: Connection, source: str, upstream_ids: Sequence[int], now: datetime
) -> list[int]:
    """Marks complaints the platform no longer shows (never deletes them); returns the
    row ids newly marked."""
    marked: list[int] = []
    c = COMPLAINTS.c
    for start in range(0, len(upstream_ids), CHUNK):
        marked += connection.execute(
            update(COMPLAINTS)
            .where(
                c.source == source,
                c.upstream_id.in_(upstream_ids[start : start + CHUNK]),
                c.vanished_at.is_(None),
            )
            .values(vanished_at=now)
            .returning(c.id)
        ).scalars()
    return marked


def advance_checkpoint(
    connection: Connection,
    source: str,
    cursor: datetime,
    now: datetime,
    *,
    full_done: bool = False,
) -> None:
    insert = dialect_insert(connection, CHECKPOINTS)
    values: dict[str, Any] = {"source": source, "cursor": cursor, "updated_at": now}
    if full_done:
        values["last_full_at"] = now
    stmt = insert.values(values).on_conflict_do_update(
        index_elements=["source"],
        set_={k: v for k, v in values.items() if k != "source"},
    )
    connection.execute(stmt)


def write_institutions(
    connection: Connection, source: str, institutions: Sequence[Institution], now: datetime
) -> int:
    if not institutions:
        return 0
    insert = dialect_insert(connection, INSTITUTIONS)
    stmt = insert.on_conflict_do_update(
        index_elements=["source", "upstream_id"],
        set_={
            "name": insert.excluded.name,
            "parent_id": insert.excluded.parent_id,
            "synced_at": insert.excluded.synced_at,
        },
    )
    rows = [
        {
            "source": source,
            "upstream_id": i.id,
            "name": i.name,
            "parent_id": i.parent_id,
            "synced_at": now,
        }
        for i in institutions
    ]
    connection.execute(stmt, rows)
    return len(rows)
