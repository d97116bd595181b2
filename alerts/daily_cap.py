"""No flood: at most so many alerts alone to one recipient a day, the rest in one summary.

CONTRACT.md section 7. Before each claim the dispatcher asks ``DailyCap.fold``. For
each recipient with alerts ready to go, the day's room is the cap less the alerts
already sent (or in flight) to them since their local midnight. The most actionable
alerts that fit stay pending and go out alone; the rest are ``folded``: marked with
the day's summary key, in the same transaction that records the summary mail, so
each counts as delivered for its (key, recipient) and is never sent alone later.

    most actionable first: due today, then warnings, then new breaches, then
    escalations; within each, the latest due first (the oldest last)

The folding waits until every source has finished a pass that day: on day one the
summary lists what the first sync found, not the first page of it. A summary
already claimed or sent cannot take more: what is over the cap after it waits for
the recipient's next day.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, or_, select, update

from alerts.summary_mail import summary_key
from alerts.windows import Window
from syncd.clock.policy import zone
from syncd.store.tables import OUTBOX
from syncd.store.upsert import insert as dialect_insert
from syncd.vocabulary import ALERTS, AlertKind, OutboxStatus

log = logging.getLogger(__name__)

WAIT_FOR_SYNC = timedelta(minutes=1)
"""How soon alerts over the cap look again while the day's first sync runs."""
_RANK = {AlertKind.DUE: 0, AlertKind.WARNING: 1, AlertKind.BREACH: 2, AlertKind.ESCALATION: 3}


def actionability(row: Mapping[Any, Any]) -> tuple[int, float]:
    """Sorts the most actionable first (CONTRACT.md section 7, "No flood")."""
    due = row["due_at"]
    return _RANK[AlertKind(row["kind"])], -(due.timestamp() if due is not None else 0.0)


@dataclass
class Folded:
    alerts: int = 0
    """Alerts folded into a summary this time."""
    waiting: int = 0
    """Alerts over the cap that wait: for the day's first sync, or for the next day."""
    summaries: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class DailyCap:
    per_recipient: int
    """``[alerts] max_mails_per_recipient_per_day``."""
    window: Window
    """The alerts' delivery window: only alerts that could go now are counted."""
    synced_since: Callable[[Connection, datetime], bool] = lambda connection, since: True
    """Whether the sources have each finished a pass since this instant."""

    def fold(self, connection: Connection, at: datetime) -> Folded:
        """Folds what is over each recipient's cap now; in the caller's transaction."""
        folded = Folded()
        for recipient, rows in self._ready(connection, at).items():
            zone_name = min(row["zone"] for row in rows)
            tz = zone(zone_name)
            day = at.astimezone(tz).date()
            midnight = datetime.combine(day, time(0), tz).astimezone(UTC)
            room = max(0, self.per_recipient - self._used(connection, recipient, midnight, at))
            if len(rows) <= room:
                continue
            over = sorted(rows, key=actionability)[room:]
            ids = [row["id"] for row in over]
            if not self.synced_since(connection, midnight):
                _wait(connection, ids, at + WAIT_FOR_SYNC)
                folded.waiting += len(ids)
                continue
            key = summary_key(recipient, day)
            if not _open_summary(connection, key, recipient, zone_name, at):
                tomorrow = datetime.combine(day + timedelta(days=1), time(0), tz)
                _wait(connection, ids, self.window.next_open(tomorrow.astimezone(UTC), zone_name))
                folded.waiting += len(ids)
                continue
            folded.alerts += _fold(connection, ids, key, day.isoformat())
            folded.summaries.add(key)
        if folded.alerts or folded.waiting:
            log.info(
                "daily cap %d: %d alert(s) folded into %d summary mail(s), %d wait",
                self.per_recipient,
                folded.alerts,
                len(folded.summaries),
                folded.waiting,
            )
        return folded

    def _ready(self, connection: Connection, at: datetime) -> dict[str, list[Mapping[Any, Any]]]:
        """Pending alerts whose attempt and window have come, unclaimed, by recipient."""
        o = OUTBOX.c
        rows = connection.execute(
            select(o.id, o.recipient, o.kind, o.zone, o.due_at).where(
                o.status == OutboxStatus.PENDING,
                o.kind.in_(ALERTS),
                o.next_attempt_at <= at,
                or_(o.claimed_until.is_(None), o.claimed_until <= at),
            )
        ).mappings()
        by_recipient: dict[str, list[Mapping[Any, Any]]] = {}
        for row in rows:
            if self.window.is_open(at, row["zone"]):
                by_recipient.setdefault(row["recipient"], []).append(row)
        return by_recipient

    def _used(
        self, connection: Connection, recipient: str, midnight: datetime, at: datetime
    ) -> int:
        """Alerts sent alone to ``recipient`` since ``midnight``, or being sent."""
        o = OUTBOX.c
        n: int = connection.execute(
            select(func.count()).where(
                o.recipient == recipient,
                o.kind.in_(ALERTS),
                or_(
                    and_(o.status == OutboxStatus.SENT, o.sent_at >= midnight),
                    and_(o.status == OutboxStatus.PENDING, o.claimed_until > at),
                ),
            )
        ).scalar_one()
        return n


def _open_summary(
    connection: Connection, key: str, recipient: str, zone_name: str, at: datetime
) -> bool:
    """Records the day's summary mail, or takes the one recorded while nobody has
    claimed it yet; False when it is claimed or done (it can take no more)."""
    o = OUTBOX.c
    connection.execute(
        dialect_insert(connection, OUTBOX).on_conflict_do_nothing(
            index_elements=["key", "recipient"]
        ),
        {
            "key": key,
            "recipient": recipient,
            "kind": AlertKind.SUMMARY.value,
            "zone": zone_name,
            "status": OutboxStatus.PENDING,
            "created_at": at,
            "next_attempt_at": at,
            "attempts": 0,
        },
    )
    # Touching the row takes it (PostgreSQL locks it until commit): a dispatcher
    # claiming it meanwhile waits, then composes with these alerts in it.
    taken = connection.execute(
        update(OUTBOX)
        .where(
            o.key == key,
            o.recipient == recipient,
            o.status == OutboxStatus.PENDING,
            o.claim_token.is_(None),
            o.attempts == 0,
        )
        .values(next_attempt_at=o.next_attempt_at)
    )
    return (taken.rowcount or 0) == 1


def _fold(connection: Connection, ids: Sequence[int], key: str, day: str) -> int:
    o = OUTBOX.c
    result = connection.execute(
        update(OUTBOX)
        .where(
            o.id.in_(ids),
            o.status == OutboxStatus.PENDING,
            o.claim_token.is_(None),
        )
        .values(
            status=OutboxStatus.FOLDED,
            summary_key=key,
            reason=f"over the daily cap: in the summary of {day}",
        )
    )
    return result.rowcount or 0


def _wait(connection: Connection, ids: Sequence[int], until: datetime) -> None:
    o = OUTBOX.c
    connection.execute(
        update(OUTBOX)
        .where(o.id == bindparam("row_id"), o.status == OutboxStatus.PENDING)
        .values(next_attempt_at=bindparam("until")),
        [{"row_id": i, "until": until} for i in ids],
    )
