"""Reads mirrored complaints back as connector records, logs and followups included."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Select, Table, select

from connectors.records import (
    CanonicalStatus,
    ComplaintDetail,
    ComplaintSummary,
    Followup,
    InstitutionRef,
    Status,
    StatusLogEntry,
)
from syncd.store.chunks import chunks
from syncd.store.tables import COMPLAINTS, FOLLOWUPS
from syncd.store.tables import STATUS_LOGS as LOGS


def mirrored_details(
    connection: Connection,
    source: str,
    upstream_ids: Sequence[int] | None = None,
    *,
    include_vanished: bool = False,
) -> dict[int, ComplaintDetail]:
    """The mirrored complaints of ``source`` (all, or those ids), by upstream id."""
    c = COMPLAINTS.c
    query = select(COMPLAINTS).where(c.source == source)
    if upstream_ids is not None:
        query = query.where(c.upstream_id.in_(upstream_ids))
    if not include_vanished:
        query = query.where(c.vanished_at.is_(None))
    return {detail.id: detail for detail in _details(connection, query).values()}


def details_by_row_id(connection: Connection, row_ids: Sequence[int]) -> dict[int, ComplaintDetail]:
    """Mirrored complaints by their row id (vanished ones included)."""
    return _details(connection, select(COMPLAINTS).where(COMPLAINTS.c.id.in_(row_ids)))


def _details(connection: Connection, query: Select[Any]) -> dict[int, ComplaintDetail]:
    complaints = connection.execute(query).mappings().all()
    row_ids = [row["id"] for row in complaints]
    logs = _children(connection, LOGS, row_ids)
    followups = _children(connection, FOLLOWUPS, row_ids)
    return {
        row["id"]: _detail(row, logs.get(row["id"], []), followups.get(row["id"], []))
        for row in complaints
    }


def _children(connection: Connection, table: Table, row_ids: Sequence[int]) -> dict[int, list[Any]]:
    by_complaint: dict[int, list[Any]] = defaultdict(list)
    for chunk in chunks(row_ids):
        rows = connection.execute(
            select(table)
            .where(table.c.complaint_id.in_(chunk))
            .order_by(table.c.created_at, table.c.upstream_id)
        ).mappings()
        for row in rows:
            by_complaint[row["complaint_id"]].append(row)
    return by_complaint


def _canonical(value: str | None) -> CanonicalStatus | None:
    return CanonicalStatus(value) if value is not None else None


def _ref(inst_id: int | None, name: str | None) -> InstitutionRef | None:
    return InstitutionRef(inst_id, name or "") if inst_id is not None else None


def _detail(row: Any, logs: Iterable[Any], followups: Iterable[Any]) -> ComplaintDetail:
    summary = ComplaintSummary(
        id=row["upstream_id"],
        tracking_id=row["tracking_id"],
        title=row["title"],
        status=Status(row["status_code"], row["status_name"], _canonical(row["status"])),
        classification=row["classification"],
        category_name=row["category_name"],
        disposition=_ref(row["agency_id"], row["agency_name"]),
        is_secret=row["is_secret"],
        is_anonymous=row["is_anonymous"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
    return ComplaintDetail(
        summary=summary,
        content=row["content"],
        location_name=row["location_name"],
        date_of_incident=row["date_of_incident"],
        logs=tuple(
            StatusLogEntry(
                id=log["upstream_id"],
                created_at=log["created_at"],
                status_old=Status(
                    log["status_old_code"], log["status_old_name"], _canonical(log["status_old"])
                )
                if log["status_old_code"] is not None
                else None,
                status_new=Status(
                    log["status_new_code"], log["status_new_name"], _canonical(log["status_new"])
                ),
                institution_from=_ref(log["institution_from_id"], log["institution_from_name"]),
                institution_to=_ref(log["institution_to_id"], log["institution_to_name"]),
                content=log["content"],
            )
            for log in logs
        ),
        followups=tuple(
            Followup(
                id=f["upstream_id"],
                created_at=f["created_at"],
                institution_from_id=f["institution_from_id"],
                institution_from_name=f["institution_from_name"],
                is_reporter=f["is_reporter"],
                content=f["content"],
            )
            for f in followups
        ),
    )
