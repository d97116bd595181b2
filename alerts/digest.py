"""The daily digest: one mail per recipient per working day, from ``digest_at``.

Recorded in the outbox under ``digest/<recipient>/<YYYY-MM-DD>`` (the recipient's
local date), so a restart the same day records nothing new. Its content is read
when it is sent; a digest with nothing to list is skipped, not sent. It is recorded
only once the sources have synced that day, so that an empty mirror (the first
start) or yesterday's never decides it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time

from sqlalchemy import Connection

from alerts.routing import RecipientScope
from syncd.clock.calendar import WorkingCalendar
from syncd.clock.policy import ClockPolicy, zone
from syncd.store.tables import OUTBOX
from syncd.store.upsert import insert as dialect_insert
from syncd.vocabulary import AlertKind, OutboxStatus


def digest_key(recipient: str, day: str) -> str:
    return f"digest/{recipient}/{day}"


def scope_zone(scope: RecipientScope, policy: ClockPolicy) -> str:
    """Where a recipient's day is counted: the first of their agencies' zones."""
    first = min(scope.agencies, default=None)
    return policy.zone_name(first) if first is not None else policy.platform_zone


def enqueue_digests(
    connection: Connection,
    scopes: Sequence[RecipientScope],
    policy: ClockPolicy,
    calendar: WorkingCalendar,
    *,
    digest_at: time,
    closes: time,
    now: datetime,
    any_hour: bool = False,
    synced_since: Callable[[Connection, datetime], bool] = lambda connection, since: True,
) -> int:
    """Records today's digest for each recipient whose digest time has come, once the
    sources have each finished a pass that day (``synced_since`` their local
    midnight): never "nothing to report" from a mirror the day's sync has not filled.
    Returns how many rows were considered (the unique key makes repeats no-ops)."""
    rows = []
    for scope in scopes:
        zone_name = scope_zone(scope, policy)
        tz = zone(zone_name)
        local = now.astimezone(tz)
        if not any_hour and not (
            calendar.is_working_day(local.date()) and digest_at <= local.time() < closes
        ):
            continue
        midnight = datetime.combine(local.date(), time(0), tz).astimezone(UTC)
        if not synced_since(connection, midnight):
            continue
        rows.append(
            {
                "key": digest_key(scope.recipient, local.date().isoformat()),
                "recipient": scope.recipient,
                "kind": AlertKind.DIGEST.value,
                "zone": zone_name,
                "status": OutboxStatus.PENDING,
                "created_at": now,
                "next_attempt_at": now,
                "attempts": 0,
            }
        )
    if rows:
        connection.execute(
            dialect_insert(connection, OUTBOX).on_conflict_do_nothing(
                index_elements=["key", "recipient"]
            ),
            rows,
        )
    return len(rows)
