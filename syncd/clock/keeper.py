"""Keeps the persisted clocks current: on every sync write, on every tick, on recompute.

- ``replace``: in the sync's transaction, the written complaints' clocks are derived
  again and stored with their state at that moment.
- ``tick``: re-evaluates only the clocks whose ``next_evaluation_at`` has come (an
  index range), so its cost follows the thresholds crossed, not the mirror's size.
- ``recompute``: after a policy or calendar change, every complaint's clocks are
  derived again; it reports the due dates that move, and applies them unless asked
  not to.

A ``ClockWatcher`` (the alert planner) sees every clock the keeper stores or
re-evaluates, in the same transaction, and may ask to be woken at instants of its
own: ``next_evaluation_at`` is the earlier of the state's next change and its wish.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, bindparam, delete, select, update

from connectors.records import ComplaintDetail
from syncd.clock.calendar import WorkingCalendar
from syncd.clock.derive import Clock, derive_clocks
from syncd.clock.policy import ClockKind, ClockPolicy, Outcome
from syncd.store import tally
from syncd.store.read import details_by_row_id
from syncd.store.tables import CLOCKS, COMPLAINTS

CHUNK = 1000


@dataclass(frozen=True)
class Transition:
    clock_id: int
    complaint_id: int
    kind: str
    agency_id: int | None
    cycle: int
    before: str
    after: str


@dataclass(frozen=True)
class Ticked:
    evaluated: int
    """Clocks whose evaluation time had come (at most the tick's limit)."""
    changes: list[Transition]
    """The state changes among them."""


@dataclass(frozen=True)
class Move:
    """A clock whose due instant a recompute changes."""

    complaint_id: int
    tracking_id: str
    kind: str
    agency_id: int | None
    cycle: int
    before: datetime | None
    after: datetime | None


ClockKey = tuple[int, str, int | None, int]


@dataclass(frozen=True, slots=True)
class KeptClock:
    """A clock as stored, with the complaint (row id) and source it belongs to."""

    complaint_id: int
    source: str
    clock: Clock


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


def _tally_key(row: Any, state: str | None = None) -> tuple[str, str, str, int]:
    """Where a stored clock counts in the running totals (``state``: its new state)."""
    return (
        tally.agency_label(row["agency_id"]),
        row["kind"],
        state or row["state"],
        tally.start_year(row["started_at"], row["zone"]),
    )


def closed_by_vanishing(clocks: Sequence[Clock], at: datetime) -> list[Clock]:
    """A complaint the platform stopped showing answers to nobody: its running clocks
    end as cancelled when it vanished, so that they neither breach nor alert."""
    return [
        replace(c, outcome=Outcome.CANCELLED, stopped_at=at) if c.running else c for c in clocks
    ]


def _earlier(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    return a if b is None else min(a, b)


@dataclass
class Recomputed:
    complaints: int = 0
    clocks: int = 0
    moved: int = 0
    """Clocks whose due instant changes."""
    added: int = 0
    removed: int = 0
    moves: list[Move] = field(default_factory=list)
    """The first moves, to show."""


def clock_from_row(row: Any) -> Clock:
    """A stored clock row (a mapping of its columns) as a Clock."""
    return Clock(
        kind=ClockKind(row["kind"]),
        agency_id=row["agency_id"],
        cycle=row["cycle"],
        zone=row["zone"],
        working_days=row["working_days"],
        started_at=row["started_at"],
        due_at=row["due_at"],
        paused_at=row["paused_at"],
        remaining_days=row["remaining_days"],
        stopped_at=row["stopped_at"],
        outcome=Outcome(row["outcome"]) if row["outcome"] else None,
    )


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
        state, next_change = self._evaluate(clock, now)
        return {
            "complaint_id": complaint_id,
            "source": source,
            "kind": clock.kind.value,
            "agency_id": clock.agency_id,
            "cycle": clock.cycle,
            "zone": clock.zone,
            "working_days": clock.working_days,
            "started_at": clock.started_at,
            "due_at": clock.due_at,
            "paused_at": clock.paused_at,
            "remaining_days": clock.remaining_days,
            "stopped_at": clock.stopped_at,
            "outcome": clock.outcome.value if clock.outcome else None,
            "state": state,
            "evaluated_at": now,
            "next_evaluation_at": next_change,
        }

    def replace(
        self,
        connection: Connection,
        source: str,
        details: Mapping[int, ComplaintDetail],
        now: datetime,
    ) -> int:
        """Stores the clocks of these complaints (by row id) anew; returns how many."""
        derived = {
            row_id: derive_clocks(detail, self.policy, self.calendar)
            for row_id, detail in details.items()
        }
        return self.store(connection, source, derived, now)

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
        for start in range(0, len(row_ids), CHUNK):
            chunk = row_ids[start : start + CHUNK]
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
                counts[_tally_key(old)] -= 1
                if old["outcome"] is None and old["paused_at"] is None:
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
            counts[_tally_key(row)] += 1
            if row["outcome"] is None and row["paused_at"] is None:
                earliest.add(tally.agency_label(row["agency_id"]), row["kind"], row["due_at"])
        for start in range(0, len(rows), CHUNK):
            connection.execute(CLOCKS.insert(), rows[start : start + CHUNK])
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
            clock = clock_from_row(row)
            state, next_change = self._evaluate(clock, now)
            kept.append(KeptClock(row["complaint_id"], row["source"], clock))
            updates.append(
                {
                    "clock_id": row["id"],
                    "new_state": state,
                    "new_evaluated_at": now,
                    "new_next": next_change,
                }
            )
            if state != row["state"]:
                counts[_tally_key(row)] -= 1
                counts[_tally_key(row, state)] += 1
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
        for start in range(0, len(row_ids), CHUNK):
            for row in connection.execute(
                select(CLOCKS).where(CLOCKS.c.complaint_id.in_(row_ids[start : start + CHUNK]))
            ).mappings():
                stored[row["complaint_id"]].append(clock_from_row(row))
        closed = {row_id: closed_by_vanishing(clocks, at) for row_id, clocks in stored.items()}
        self.store(connection, source, closed, at)

    def recompute(
        self,
        engine: Engine,
        now: datetime,
        *,
        apply: bool,
        progress: Callable[[int], None] = lambda n: None,
        samples: int = 1000,
    ) -> Recomputed:
        """Derives every mirrored complaint's clocks again, chunk by chunk.

        Counts the due dates that move, the clocks that appear and those that go;
        keeps the first ``samples`` moves to show, so memory stays flat at any size.
        """
        result = Recomputed()
        for row_ids in _chunks_of_complaints(engine):
            with engine.begin() as connection:
                details = details_by_row_id(connection, row_ids)
                before = _dues(connection, row_ids)
                derived = {
                    row_id: derive_clocks(detail, self.policy, self.calendar)
                    for row_id, detail in details.items()
                }
                for row_id, at in _vanished(connection, row_ids).items():
                    derived[row_id] = closed_by_vanishing(derived[row_id], at)
                after = {
                    (row_id, c.kind.value, c.agency_id, c.cycle): c.due_at
                    for row_id, clocks in derived.items()
                    for c in clocks
                }
                self._compare(connection, before, after, result, samples)
                if apply:
                    for source, mine in _by_source(connection, derived).items():
                        self.store(connection, source, mine, now)
                result.complaints += len(details)
                result.clocks += len(after)
            progress(len(row_ids))
        return result

    @staticmethod
    def _compare(
        connection: Connection,
        before: Mapping[ClockKey, datetime],
        after: Mapping[ClockKey, datetime],
        result: Recomputed,
        samples: int,
    ) -> None:
        result.added += len(after.keys() - before.keys())
        result.removed += len(before.keys() - after.keys())
        moved = sorted(
            (key for key in after.keys() & before.keys() if after[key] != before[key]), key=str
        )
        result.moved += len(moved)
        room = samples - len(result.moves)
        if room <= 0 or not moved:
            return
        shown = moved[:room]
        tracking = {
            row_id: tracking_id
            for row_id, tracking_id in connection.execute(
                select(COMPLAINTS.c.id, COMPLAINTS.c.tracking_id).where(
                    COMPLAINTS.c.id.in_({key[0] for key in shown})
                )
            )
        }
        for key in shown:
            row_id, kind, agency, cycle = key
            result.moves.append(
                Move(row_id, tracking[row_id], kind, agency, cycle, before[key], after[key])
            )


def _by_source(
    connection: Connection, derived: Mapping[int, Sequence[Clock]]
) -> dict[str, dict[int, Sequence[Clock]]]:
    grouped: dict[str, dict[int, Sequence[Clock]]] = {}
    rows = connection.execute(
        select(COMPLAINTS.c.id, COMPLAINTS.c.source).where(COMPLAINTS.c.id.in_(list(derived)))
    )
    for row_id, source in rows:
        grouped.setdefault(source, {})[row_id] = derived[row_id]
    return grouped


def _chunks_of_complaints(engine: Engine) -> Iterator[list[int]]:
    """Complaint row ids in chunks, by keyset so that each chunk is one range read."""
    last = 0
    while True:
        with engine.connect() as connection:
            ids = list(
                connection.execute(
                    select(COMPLAINTS.c.id)
                    .where(COMPLAINTS.c.id > last)
                    .order_by(COMPLAINTS.c.id)
                    .limit(CHUNK)
                ).scalars()
            )
        if not ids:
            return
        yield ids
        last = ids[-1]


def _vanished(connection: Connection, row_ids: Sequence[int]) -> dict[int, datetime]:
    c = COMPLAINTS.c
    rows = connection.execute(
        select(c.id, c.vanished_at).where(c.id.in_(row_ids), c.vanished_at.is_not(None))
    )
    return {row_id: at for row_id, at in rows}


def _dues(connection: Connection, row_ids: Sequence[int]) -> dict[ClockKey, datetime]:
    c = CLOCKS.c
    rows = connection.execute(
        select(c.complaint_id, c.kind, c.agency_id, c.cycle, c.due_at).where(
            c.complaint_id.in_(row_ids)
        )
    )
    return {(r[0], r[1], r[2], r[3]): r[4] for r in rows}
