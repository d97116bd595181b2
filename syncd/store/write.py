"""Writes one batch of connector records into the mirror, inside the caller's transaction.

Upserts are keyed by (source, upstream id) and guarded so that an older
``updated_at`` never overwrites a newer one; a complaint's status log and followups
are replaced only when the complaint row itself was written. The checkpoint moves in
the same transaction, so it is never ahead of what is committed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, select, update

from connectors.records import PRESENT_SKEW, ComplaintDetail, QuarantineItem
from syncd.store import tally
from syncd.store.checkpoints import advance_checkpoint
from syncd.store.chunks import chunks
from syncd.store.clocks import ClockKeeper
from syncd.store.limits import beyond_present, first_misfit, misfit
from syncd.store.quarantine import quarantine, resolve_quarantine
from syncd.store.tables import (
    COMPLAINTS,
    FOLLOWUPS,
)
from syncd.store.tables import STATUS_LOGS as LOGS
from syncd.store.upsert import insert as dialect_insert


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
    for chunk in chunks(upstream_ids):
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
    details, unfit = storable(source, batch.details, now)
    if unfit:
        batch = Batch(details, batch.quarantined + unfit, batch.vanished, batch.cursor)
    touched = [d.id for d in batch.details] + batch.vanished
    before = tally.complaint_counts(connection, source, touched)
    applied = _upsert_complaints(connection, source, batch.details, now)
    _replace_children(connection, batch.details, applied)
    if clocks is not None and applied:
        newest = newest_copies(batch.details)
        clocks.replace(
            connection, source, {row_id: newest[uid] for uid, row_id in applied.items()}, now
        )
    resolve_quarantine(connection, source, list(applied), now)
    quarantine(connection, source, batch.quarantined, now)
    vanished = mark_vanished(connection, source, batch.vanished, now)
    if clocks is not None and vanished:
        clocks.vanish(connection, source, vanished, now)
    after = tally.complaint_counts(connection, source, touched)
    tally.add_complaints(connection, tally.complaint_delta(before, after))
    if batch.cursor is not None:
        advance_checkpoint(connection, source, batch.cursor, now)
    return Written(len(applied), len(batch.quarantined), len(vanished))


def storable(
    source: str, details: Sequence[ComplaintDetail], now: datetime
) -> tuple[list[ComplaintDetail], list[QuarantineItem]]:
    """The details the store can hold, and the others quarantined with the reason:
    dated after the present, or with a value no column of theirs can take."""
    kept: list[ComplaintDetail] = []
    unfit: list[QuarantineItem] = []
    for d in details:
        reason = _unstorable(source, d, now)
        if reason is None:
            kept.append(d)
        else:
            unfit.append(QuarantineItem("detail", d.id, reason, _quarantined_copy(d)))
    return kept, unfit


def _unstorable(source: str, d: ComplaintDetail, now: datetime) -> str | None:
    s = d.summary
    instants = [("updated_at", s.updated_at), ("created_at", s.created_at)]
    instants += [(f"log {log.id}: created_at", log.created_at) for log in d.logs]
    instants += [(f"followup {f.id}: created_at", f.created_at) for f in d.followups]
    return (
        beyond_present(instants, now)
        or misfit(COMPLAINTS, _complaint_row(source, d, now))
        or first_misfit(LOGS, _log_rows(0, d))
        or first_misfit(FOLLOWUPS, _followup_rows(0, d))
    )


def _quarantined_copy(d: ComplaintDetail) -> dict[str, Any]:
    """What quarantine keeps of a record the store refused: enough to find it
    upstream, and a confidential complaint's texts not at all."""
    s = d.summary
    copy: dict[str, Any] = {
        "id": s.id,
        "tracking_id": s.tracking_id[:64],
        "status_code": s.status.code,
        "status_name": s.status.name[:64],
        "is_secret": s.is_secret,
        "created_at": s.created_at.isoformat(),
        "updated_at": s.updated_at.isoformat(),
        "logs": len(d.logs),
        "followups": len(d.followups),
    }
    if not s.is_secret:
        copy["title"] = s.title[:500]
        copy["content"] = d.content[:2000]
    return copy


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
        # A row dated after the present came from before such rows were refused: its
        # corrected copy must be able to replace it, though it is "older".
        where=(COMPLAINTS.c.updated_at <= insert.excluded.updated_at)
        | (COMPLAINTS.c.updated_at > now + PRESENT_SKEW),
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
    for chunk in chunks(row_ids):
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
        for chunk_of_rows in chunks(rows):
            connection.execute(table.insert(), chunk_of_rows)


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


def mark_vanished(
    connection: Connection, source: str, upstream_ids: Sequence[int], now: datetime
) -> list[int]:
    """Marks complaints the platform no longer shows (never deletes them); returns the
    row ids newly marked."""
    marked: list[int] = []
    c = COMPLAINTS.c
    for chunk in chunks(upstream_ids):
        marked += connection.execute(
            update(COMPLAINTS)
            .where(
                c.source == source,
                c.upstream_id.in_(chunk),
                c.vanished_at.is_(None),
            )
            .values(vanished_at=now)
            .returning(c.id)
        ).scalars()
    return marked
