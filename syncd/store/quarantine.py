"""Records that failed validation, kept with their payload and reason, and resolved
when the complaint later arrives whole.

One row per (source, kind, record key): seeing the same bad record again counts it
and refreshes its payload, instead of growing the table.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from connectors.records import QuarantineItem
from syncd.store.chunks import chunks
from syncd.store.tables import QUARANTINE
from syncd.store.upsert import insert as dialect_insert


def record_key(item: QuarantineItem) -> str:
    """The upstream id when readable, else a digest of the payload."""
    if _fits_63_bits(item.upstream_id):
        return str(item.upstream_id)
    canonical = json.dumps(item.payload, sort_keys=True, default=str).encode()
    return "sha256:" + hashlib.sha256(canonical).hexdigest()[:32]


def _without_nul(value: Any) -> Any:
    """The payload with every NUL character replaced: PostgreSQL holds none in a text,
    and a quarantine row that cannot be written would fail the page it belongs to."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_without_nul(str(k)): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


def quarantine(
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
            "upstream_id": item.upstream_id if _fits_63_bits(item.upstream_id) else None,
            "reason": _without_nul(item.reason),
            "payload": _without_nul(item.payload),
            "first_seen": now,
            "last_seen": now,
            "count": 1,
        }
        for item in items
    }
    connection.execute(stmt, list(rows.values()))


def _fits_63_bits(value: int | None) -> bool:
    return value is not None and -(2**63) <= value < 2**63


def resolve_quarantine(
    connection: Connection, source: str, upstream_ids: list[int], now: datetime
) -> None:
    """A complaint that arrived whole resolves its earlier quarantine entries."""
    q = QUARANTINE.c
    for chunk in chunks(upstream_ids):
        connection.execute(
            update(QUARANTINE)
            .where(
                q.source == source,
                q.upstream_id.in_(chunk),
                q.kind.in_(("summary", "detail", "followup")),
                q.resolved_at.is_(None),
            )
            .values(resolved_at=now)
        )


def retry_candidates(connection: Connection, source: str, limit: int) -> list[int]:
    """Complaints quarantined whole (their detail could not be read or stored), the
    longest unseen first: asked for again after a pass, since the listing shows
    them only when they change."""
    q = QUARANTINE.c
    rows = connection.execute(
        select(q.upstream_id)
        .where(
            q.source == source,
            q.kind == "detail",
            q.resolved_at.is_(None),
            q.upstream_id.is_not(None),
        )
        .order_by(q.last_seen)
        .limit(limit)
    )
    return [upstream_id for (upstream_id,) in rows]
