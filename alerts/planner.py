"""Turns clock evaluations into outbox rows, in the transaction that evaluated them.

The clock keeper hands every clock it stores (a sync, a recompute) or re-evaluates
(a tick) to ``AlertPlanner.observe``. For each clock that may alert, the most severe
threshold that has come is recorded as ``pending`` for each recipient, and the ones
it supersedes as ``skipped``; the unique (key, recipient) makes this idempotent, so
seeing the same clock again records nothing new. When a sync shows a clock stopped,
its pending mail is cancelled; while it is paused, its pending mail is held.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from alerts.routing import Routes
from alerts.thresholds import Schedule, Threshold
from syncd.clock.derive import Clock
from syncd.clock.values import KeptClock
from syncd.store.chunks import chunks
from syncd.store.tables import COMPLAINTS, OUTBOX
from syncd.store.upsert import insert as dialect_insert
from syncd.vocabulary import WAITING, OutboxStatus

CHUNK = 500
"""Outbox rows carry 16 columns: 500 of them stay well within SQLite's bound parameters."""
PENDING, HELD, SKIPPED, CANCELLED = (
    OutboxStatus.PENDING,
    OutboxStatus.HELD,
    OutboxStatus.SKIPPED,
    OutboxStatus.CANCELLED,
)


def clock_key(source: str, upstream_id: int, clock: Clock) -> str:
    """CONTRACT.md section 7's key, without the threshold."""
    agency = "none" if clock.agency_id is None else str(clock.agency_id)
    return f"{source}:{upstream_id}/{agency}/{clock.kind.value}/{clock.cycle}"


@dataclass(frozen=True)
class Intent:
    """One mail the planner decides on: recorded as ``status`` when applied."""

    key: str
    recipient: str
    status: str
    threshold: Threshold
    kept: KeptClock
    clock_key: str
    reason: str | None = None


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    key: str
    recipient: str
    threshold: str
    status: str


class AlertPlanner:
    """A ``ClockWatcher``: decides which alerts are due and records them."""

    def __init__(self, schedule: Schedule, routes: Routes) -> None:
        self.schedule = schedule
        self.routes = routes

    def wake_at(self, clock: Clock, now: datetime) -> datetime | None:
        return self.schedule.next_instant(clock, now)

    def observe(
        self,
        connection: Connection,
        complaint_ids: Sequence[int],
        clocks: Sequence[KeptClock],
        now: datetime,
        *,
        complete: bool,
    ) -> None:
        upstream = _upstream_ids(connection, {k.complaint_id for k in clocks})
        keyed = {clock_key(k.source, upstream[k.complaint_id], k.clock): k for k in clocks}
        # Only clocks that may alert now can have a threshold due; the waiting rows
        # of the others are found through their complaint (a store sees them all).
        live = [ck for ck, kept in keyed.items() if self.schedule.alerts_on(kept.clock)]
        existing = existing_rows(connection, live, complaint_ids if complete else ())
        intents, changes, release = self.decide(keyed, existing, now, complete=complete)
        if intents:
            _record(connection, intents, now)
        for status, reason, ids in changes:
            _set_status(connection, [(i, now) for i in ids], status, reason)
        if release:
            _set_status(connection, [(i, max(at, now)) for i, at in release], PENDING, "")

    def decide(
        self,
        keyed: dict[str, KeptClock],
        existing: Sequence[OutboxEntry],
        now: datetime,
        *,
        complete: bool,
    ) -> tuple[list[Intent], list[tuple[OutboxStatus, str, list[int]]], list[tuple[int, datetime]]]:
        """New rows to record, status changes of existing rows, and held rows to
        release (with when), as of ``now``."""
        by_key = {(e.key, e.recipient): e for e in existing}
        handled: set[int] = set()
        intents: list[Intent] = []
        to_skip: list[int] = []
        to_pend: list[int] = []
        for ck, kept in keyed.items():
            due = self.schedule.due(kept.clock, now)
            if due is None:
                continue
            for threshold, status in (
                (due.send, PENDING),
                *((t, SKIPPED) for t in due.superseded),
            ):
                key = f"{ck}/{threshold.name}"
                reason = None if status == PENDING else f"superseded by {due.send.name}"
                for recipient in self.routes.recipients(kept.clock.agency_id, threshold.kind):
                    found = by_key.get((key, recipient))
                    if found is not None:
                        handled.add(found.id)
                    if found is None:
                        intents.append(Intent(key, recipient, status, threshold, kept, ck, reason))
                    elif found.status in WAITING and status == SKIPPED:
                        to_skip.append(found.id)
                    elif found.status == HELD:
                        to_pend.append(found.id)
        changes = [
            (SKIPPED, "superseded by a more severe threshold", to_skip),
            (PENDING, "", to_pend),
        ]
        release: list[tuple[int, datetime]] = []
        if complete:
            more, release = self._stopped_or_paused(keyed, existing, handled)
            changes.extend(more)
        return intents, [c for c in changes if c[2]], release

    def _stopped_or_paused(
        self, keyed: dict[str, KeptClock], existing: Iterable[OutboxEntry], handled: set[int]
    ) -> tuple[list[tuple[OutboxStatus, str, list[int]]], list[tuple[int, datetime]]]:
        """Waiting rows of clocks that stopped (cancelled) or paused (held), and held
        rows of clocks running again (released, each at its threshold's instant)."""
        cancel: list[int] = []
        hold: list[int] = []
        release: list[tuple[int, datetime]] = []
        for row in existing:
            if row.status not in WAITING or row.id in handled:
                continue
            kept = keyed.get(row.key.rsplit("/", 1)[0])
            if kept is None or kept.clock.outcome is not None:
                cancel.append(row.id)
            elif kept.clock.paused_at is not None:
                if row.status == PENDING:
                    hold.append(row.id)
            elif row.status == HELD:
                instants = {t.name: at for t, at in self.schedule.instants(kept.clock)}
                if row.threshold in instants:
                    release.append((row.id, instants[row.threshold]))
                else:
                    cancel.append(row.id)
        changes = [
            (CANCELLED, "the clock stopped first", cancel),
            (HELD, "the clock is paused", hold),
        ]
        return changes, release


def _upstream_ids(connection: Connection, row_ids: set[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    ids = sorted(row_ids)
    for chunk in chunks(ids, CHUNK):
        rows = connection.execute(
            select(COMPLAINTS.c.id, COMPLAINTS.c.upstream_id).where(COMPLAINTS.c.id.in_(chunk))
        )
        found.update((row_id, upstream_id) for row_id, upstream_id in rows)
    return found


def existing_rows(
    connection: Connection, clock_keys: Sequence[str], complaint_ids: Sequence[int]
) -> list[OutboxEntry]:
    """The outbox rows of these clocks, and the waiting rows of these complaints."""
    o = OUTBOX.c
    columns = (o.id, o.key, o.recipient, o.threshold, o.status)
    seen: dict[int, OutboxEntry] = {}
    for keys in chunks(clock_keys, CHUNK):
        rows = connection.execute(select(*columns).where(o.clock_key.in_(keys)))
        seen.update((r[0], OutboxEntry(*r)) for r in rows)
    for chunk in chunks(complaint_ids, CHUNK):
        rows = connection.execute(
            select(*columns).where(o.complaint_id.in_(chunk), o.status.in_(WAITING))
        )
        seen.update((r[0], OutboxEntry(*r)) for r in rows)
    return list(seen.values())


def _record(connection: Connection, intents: Sequence[Intent], now: datetime) -> None:
    rows: list[dict[str, Any]] = [
        {
            "key": i.key,
            "recipient": i.recipient,
            "kind": i.threshold.kind.value,
            "clock_key": i.clock_key,
            "threshold": i.threshold.name,
            "complaint_id": i.kept.complaint_id,
            "clock_kind": i.kept.clock.kind.value,
            "agency_id": i.kept.clock.agency_id,
            "cycle": i.kept.clock.cycle,
            "zone": i.kept.clock.zone,
            "status": i.status,
            "reason": i.reason,
            "created_at": now,
            "due_at": i.kept.clock.due_at,
            "next_attempt_at": now,
            "attempts": 0,
        }
        for i in intents
    ]
    statement = dialect_insert(connection, OUTBOX).on_conflict_do_nothing(
        index_elements=["key", "recipient"]
    )
    for chunk in chunks(rows, CHUNK):
        connection.execute(statement, chunk)


def _set_status(
    connection: Connection, rows: Sequence[tuple[int, datetime]], status: OutboxStatus, reason: str
) -> None:
    """Waiting rows (id, next attempt) to ``status``; sent or failed rows stay as they are."""
    statement = (
        update(OUTBOX)
        .where(OUTBOX.c.id == bindparam("row_id"), OUTBOX.c.status.in_(WAITING))
        .values(status=status, reason=reason or None, next_attempt_at=bindparam("at"))
    )
    connection.execute(statement, [{"row_id": i, "at": at} for i, at in rows])
