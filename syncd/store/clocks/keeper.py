"""Keeps the persisted clocks current: on every sync write and on every tick.

- ``replace``: in the sync's transaction, the written complaints' clocks are derived
  again and stored with their state at that moment.
- ``tick``: re-evaluates only the clocks whose ``next_evaluation_at`` has come (an
  index range), so its cost follows the thresholds crossed, not the mirror's size.
- ``vanish``: ends the running clocks of complaints the platform stopped showing.

A ``ClockWatcher`` (the alert planner) sees every clock the keeper stores or
re-evaluates, in the same transaction, and may ask to be woken at instants of its
own: ``next_evaluation_at`` is the earlier of the state's next change and its wish.
Every store moves the running totals by the difference, in the same transaction.
(The recompute after a policy or calendar change is ``syncd.store.clocks.recompute``.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, bindparam, delete, select, update

from connectors.records import ComplaintDetail
from syncd.clock.calendar import WorkingCalendar
from syncd.clock.derive import Clock, closed_by_vanishing, derive_clocks
from syncd.clock.policy import ClockPolicy
from syncd.clock.values import KeptClock, Ticked, Transition
from syncd.store import tally
from syncd.store.chunks import chunks
from syncd.store.clocks.rows import clock_columns, clock_from_row, runs_toward_due, tally_key
from syncd.store.tables import CLOCKS


class ClockWatcher(Protocol):
    def wake_at(self, clock: Clock, now: datetime) -> datetime | None:
        """When this clock next needs the watcher, by time alone; None: never."""

    def observe(
        self,
        connection: Connection,
        complaint_ids: Sequence[int],
        clocks: Sequence[KeptClock],
        now: datetime,
        *,
        complete: bool,
    ) -> None:
        """Called in the keeper's transaction. ``complete``: ``clocks`` are all the
        clocks of ``complaint_ids`` (a store); else only those due for a tick."""


def _earlier(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    return a if b is None else min(a, b)


@dataclass(frozen=True)
class ClockKeeper:
    policy: ClockPolicy
    calendar: WorkingCalendar
    watcher: ClockWatcher | None = None

    def _evaluate(self, clock: Clock, now: datetime) -> tuple[str, datetime | None]:
        state, next_change = clock.evaluate(now, self.policy, self.calendar)
        if self.watcher is not None:
            next_change = _earlier(next_change, self.watcher.wake_at(clock, now))
        return state.value, next_change

    def row(self, complaint_id: int, source: str, clock: Clock, now: datetime) -> dict[str, Any]:
        clock = clock.as_of(now)
        state, next_change = self._evaluate(clock, now)
        return {
            "complaint_id": complaint_id,
            "source": source,
            **clock_columns(clock),
            "state": state,
            "evaluated_at": now,
            "next_evaluation_at": next_change,
        }

    def derive(self, details: Mapping[int, ComplaintDetail]) -> dict[int, list[Clock]]:
        """The clocks of these complaints (by row id), by the policy and the calendar."""
        return {
            row_id: derive_clocks(detail, self.policy, self.calendar)
            for row_id, detail in details.items()
        }

    def replace(
        self,
        connection: Connection,
        source: str,
        details: Mapping[int, ComplaintDetail],
        now: datetime,
    ) -> int:
        """Stores the clocks of these complaints (by row id) anew; returns how many."""
        return self.store(connection, source, self.derive(details), now)

    def store(
        self,
        connection: Connection,
        source: str,
        clocks: Mapping[int, Sequence[Clock]],
        now: datetime,
    ) -> int:
        """Replaces the stored clocks of these complaints (by row id) with ``clocks``,
        and moves the running totals by the difference."""
        row_ids = list(clocks)
        counts: tally.ClockCount = Counter()
        earliest = tally.EarliestDueChanges()
        c = CLOCKS.c
        for chunk in chunks(row_ids):
            for old in connection.execute(
                select(
                    c.agency_id,
                    c.kind,
                    c.state,
                    c.started_at,
                    c.zone,
                    c.due_at,
                    c.outcome,
                    c.paused_at,
                ).where(c.complaint_id.in_(chunk))
            ).mappings():
                counts[tally_key(old)] -= 1
                if runs_toward_due(old):
                    earliest.remove(
                        tally.agency_label(old["agency_id"]), old["kind"], old["due_at"]
                    )
            connection.execute(delete(CLOCKS).where(c.complaint_id.in_(chunk)))
        rows = [
            self.row(row_id, source, clock, now)
            for row_id, derived in clocks.items()
            for clock in derived
        ]
        for row in rows:
            counts[tally_key(row)] += 1
            if runs_toward_due(row):
                earliest.add(tally.agency_label(row["agency_id"]), row["kind"], row["due_at"])
        for chunk_of_rows in chunks(rows):
            connection.execute(CLOCKS.insert(), chunk_of_rows)
        tally.add_clocks(connection, counts)
        tally.track_earliest_due(connection, earliest)
        if self.watcher is not None:
            kept = [
                KeptClock(row_id, source, clock)
                for row_id, derived in clocks.items()
                for clock in derived
            ]
            self.watcher.observe(connection, row_ids, kept, now, complete=True)
        return len(rows)

    def tick(self, connection: Connection, now: datetime, limit: int = 10_000) -> Ticked:
        """Re-evaluates at most ``limit`` clocks due for it, the most overdue first."""
        c = CLOCKS.c
        due = (
            connection.execute(
                select(CLOCKS)
                .where(c.next_evaluation_at <= now)
                .order_by(c.next_evaluation_at)
                .limit(limit)
            )
            .mappings()
            .all()
        )
        changes: list[Transition] = []
        counts: tally.ClockCount = Counter()
        updates: list[dict[str, Any]] = []
        kept: list[KeptClock] = []
        for row in due:
            clock = clock_from_row(row).as_of(now)
            state, next_change = self._evaluate(clock, now)
            kept.append(KeptClock(row["complaint_id"], row["source"], clock))
            updates.append(
                {
                    "clock_id": row["id"],
                    "new_state": state,
                    "new_evaluated_at": now,
                    "new_next": next_change,
                    # A reporter's window that ran out closes here (``Clock.as_of``).
                    "new_outcome": clock.outcome.value if clock.outcome else None,
                    "new_stopped_at": clock.stopped_at,
                }
            )
            if state != row["state"]:
                counts[tally_key(row)] -= 1
                counts[tally_key(row, state)] += 1
                changes.append(
                    Transition(
                        row["id"],
                        row["complaint_id"],
                        row["kind"],
                        row["agency_id"],
                        row["cycle"],
                        row["state"],
                        state,
                    )
                )
        if updates:
            connection.execute(
                update(CLOCKS)
                .where(c.id == bindparam("clock_id"))
                .values(
                    state=bindparam("new_state"),
                    evaluated_at=bindparam("new_evaluated_at"),
                    next_evaluation_at=bindparam("new_next"),
                    outcome=bindparam("new_outcome"),
                    stopped_at=bindparam("new_stopped_at"),
                ),
                updates,
            )
        tally.add_clocks(connection, counts)
        if self.watcher is not None and kept:
            complaint_ids = list(dict.fromkeys(k.complaint_id for k in kept))
            self.watcher.observe(connection, complaint_ids, kept, now, complete=False)
        return Ticked(len(due), changes)

    def vanish(
        self, connection: Connection, source: str, row_ids: Sequence[int], at: datetime
    ) -> None:
        """Ends the running clocks of complaints the platform stopped showing."""
        stored: dict[int, list[Clock]] = {row_id: [] for row_id in row_ids}
        for chunk in chunks(row_ids):
            for row in connection.execute(
                select(CLOCKS).where(CLOCKS.c.complaint_id.in_(chunk))
            ).mappings():
                stored[row["complaint_id"]].append(clock_from_row(row))
        closed = {row_id: closed_by_vanishing(clocks, at) for row_id, clocks in stored.items()}
        self.store(connection, source, closed, at)
