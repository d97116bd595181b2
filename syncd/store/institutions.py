"""The platform's institutions (agencies), as the last listing of them said."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, func, select

from connectors.records import Institution
from syncd.store.limits import misfit
from syncd.store.tables import INSTITUTIONS
from syncd.store.upsert import insert as dialect_insert

log = logging.getLogger(__name__)


def institutions_synced_at(connection: Connection, source: str) -> datetime | None:
    """When the source's institutions were last written; None if never."""
    last: datetime | None = connection.execute(
        select(func.max(INSTITUTIONS.c.synced_at)).where(INSTITUTIONS.c.source == source)
    ).scalar_one_or_none()
    return last


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
    rows = []
    for i in institutions:
        row = {
            "source": source,
            "upstream_id": i.id,
            "name": i.name,
            "parent_id": i.parent_id,
            "synced_at": now,
        }
        reason = misfit(INSTITUTIONS, row)
        if reason is None:
            rows.append(row)
        else:
            log.warning("institution not stored: source=%s id=%s reason=%s", source, i.id, reason)
    if not rows:
        return 0
    connection.execute(stmt, rows)
    return len(rows)
