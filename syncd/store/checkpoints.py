"""Where each source's listing resumes: its checkpoint, moved in the transaction of
the page that reached it, so it is never ahead of what is committed."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from connectors.records import PRESENT_SKEW
from syncd.store.tables import CHECKPOINTS
from syncd.store.upsert import insert as dialect_insert

log = logging.getLogger(__name__)


def stored_cursor(connection: Connection, source: str) -> datetime | None:
    """The source's checkpoint: the ``updated_at`` its next listing starts from."""
    cursor: datetime | None = connection.execute(
        select(CHECKPOINTS.c.cursor).where(CHECKPOINTS.c.source == source)
    ).scalar_one_or_none()
    return cursor


def advance_checkpoint(
    connection: Connection,
    source: str,
    cursor: datetime,
    now: datetime,
    *,
    full_done: bool = False,
) -> None:
    """Moves the checkpoint to ``cursor``, never past the present (``now`` plus the
    skew allowed): a cursor in the future would make every later listing ask for
    changes after it, and see none."""
    horizon = now + PRESENT_SKEW
    if cursor > horizon:
        log.warning(
            "checkpoint clamped: source=%s cursor=%s is later than the present; kept at %s",
            source,
            cursor.isoformat(),
            horizon.isoformat(),
        )
        cursor = horizon
    insert = dialect_insert(connection, CHECKPOINTS)
    values: dict[str, Any] = {"source": source, "cursor": cursor, "updated_at": now}
    if full_done:
        values["last_full_at"] = now
    stmt = insert.values(values).on_conflict_do_update(
        index_elements=["source"],
        set_={k: v for k, v in values.items() if k != "source"},
    )
    connection.execute(stmt)
