"""Keeps the running totals the metrics read, and recounts them from the mirror.

Three totals, each changed by the write that changes what it counts, in its
transaction:

- complaints the platform still shows, by holder and canonical status (the sync's
  writer: ``add_complaints`` with the difference between before and after a batch);
- clocks by agency, kind, stored state and local start year (the clock keeper:
  ``add_clocks`` on every store and on every state change of a tick);
- the earliest due instant of each agency kind's running, unpaused clocks
  (``track_earliest_due``, on every store; a tick never changes it).

``recount`` derives all three from the mirror itself: the upgrade that introduces
the totals fills them with it, and the tests hold the kept totals against it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, delete, func, select

from syncd.clock.policy import ClockKind, zone
from syncd.store.chunks import chunks
from syncd.store.tables import (
    CLOCK_TALLY,
    CLOCKS,
    COMPLAINT_TALLY,
    COMPLAINTS,
    EARLIEST_DUE,
)
from syncd.store.tables.clock import RUNNING_UNPAUSED
from syncd.store.upsert import insert

NO_AGENCY = "none"
"""The agency label of what no agency holds yet (CONTRACT.md section 6)."""
UNKNOWN_STATUS = "unknown"

ClockCount = Counter[tuple[str, str, str, int]]
"""(agency, kind, state, year) → clocks."""
ComplaintCount = Counter[tuple[str, str]]
"""(agency, status) → complaints."""
KindOfAgency = tuple[str, str]


def agency_label(agency_id: int | None) -> str:
    return NO_AGENCY if agency_id is None else str(agency_id)


def status_label(status: str | None) -> str:
    return status or UNKNOWN_STATUS


def start_year(started_at: datetime, zone_name: str) -> int:
    """The year of the clock's start in its agency's time: compliance counts by it."""
    return started_at.astimezone(zone(zone_name)).year


def add_complaints(connection: Connection, counts: ComplaintCount) -> None:
    rows = [{"agency": a, "status": s, "n": n} for (a, s), n in counts.items() if n]
    _add(connection, COMPLAINT_TALLY, rows, ["agency", "status"])


def add_clocks(connection: Connection, counts: ClockCount) -> None:
    rows = [
        {"agency": a, "kind": k, "state": s, "year": y, "n": n}
        for (a, k, s, y), n in counts.items()
        if n
    ]
    _add(connection, CLOCK_TALLY, rows, ["agency", "kind", "state", "year"])


def _add(
    connection: Connection, table: object, rows: list[dict[str, object]], key: list[str]
) -> None:
    if not rows:
        return
    statement = insert(connection, table)  # type: ignore[arg-type]
    statement = statement.on_conflict_do_update(
        index_elements=key, set_={"n": statement.table.c.n + statement.excluded.n}
    )
    for chunk in chunks(rows):
        connection.execute(statement, chunk)


def complaint_counts(
    connection: Connection, source: str, upstream_ids: Sequence[int]
) -> ComplaintCount:
    """How these complaints count now: the shown ones by holder and status."""
    counts: ComplaintCount = Counter()
    c = COMPLAINTS.c
    for chunk in chunks(upstream_ids):
        rows = connection.execute(
            select(c.agency_id, c.status).where(
                c.source == source,
                c.upstream_id.in_(chunk),
                c.vanished_at.is_(None),
            )
        )
        for agency_id, status in rows:
            counts[agency_label(agency_id), status_label(status)] += 1
    return counts


@dataclass
class EarliestDueChanges:
    """The running, unpaused due instants a store took away and put back, by kind."""

    removed: dict[KindOfAgency, datetime] = field(default_factory=dict)
    added: dict[KindOfAgency, datetime] = field(default_factory=dict)

    def remove(self, agency: str, kind: str, due_at: datetime) -> None:
        _keep_earliest(self.removed, (agency, kind), due_at)

    def add(self, agency: str, kind: str, due_at: datetime) -> None:
        _keep_earliest(self.added, (agency, kind), due_at)


def _keep_earliest(into: dict[KindOfAgency, datetime], key: KindOfAgency, due: datetime) -> None:
    held = into.get(key)
    if held is None or due < held:
        into[key] = due


def track_earliest_due(connection: Connection, changes: EarliestDueChanges) -> None:
    """Moves each touched kind's earliest due instant, after the store.

    Added clocks can only bring it earlier. Only when a removed clock was due at or
    before it may the earliest be gone: then the index on running clocks answers.
    """
    pairs = changes.removed.keys() | changes.added.keys()
    if not pairs:
        return
    e = EARLIEST_DUE.c
    stored: dict[KindOfAgency, datetime | None] = {}
    agencies = sorted({agency for agency, _ in pairs})
    for chunk in chunks(agencies):
        for agency, kind, due_at in connection.execute(
            select(e.agency, e.kind, e.due_at).where(e.agency.in_(chunk))
        ):
            stored[agency, kind] = due_at
    rows = []
    for pair in pairs:
        held = stored.get(pair)
        lost = changes.removed.get(pair)
        if held is not None and lost is not None and lost <= held:
            earliest = _earliest_running_due(connection, *pair)
        else:
            gained = changes.added.get(pair)
            earliest = held if gained is None or (held is not None and held <= gained) else gained
        if pair not in stored or earliest != held:
            rows.append({"agency": pair[0], "kind": pair[1], "due_at": earliest})
    if rows:
        statement = insert(connection, EARLIEST_DUE)
        statement = statement.on_conflict_do_update(
            index_elements=["agency", "kind"], set_={"due_at": statement.excluded.due_at}
        )
        connection.execute(statement, rows)


def _earliest_running_due(connection: Connection, agency: str, kind: str) -> datetime | None:
    c = CLOCKS.c
    holder = c.agency_id.is_(None) if agency == NO_AGENCY else c.agency_id == int(agency)
    earliest: datetime | None = connection.execute(
        select(func.min(c.due_at)).where(holder, c.kind == kind, RUNNING_UNPAUSED)
    ).scalar_one()
    return earliest


@dataclass
class Recount:
    complaints: ComplaintCount
    clocks: ClockCount
    earliest_due: dict[KindOfAgency, datetime]


def recount(connection: Connection) -> Recount:
    """The three totals as the mirror has them now, read in full (not for a scrape)."""
    c = COMPLAINTS.c
    complaints: ComplaintCount = Counter()
    for agency_id, status, n in connection.execute(
        select(c.agency_id, c.status, func.count())
        .where(c.vanished_at.is_(None))
        .group_by(c.agency_id, c.status)
    ):
        complaints[agency_label(agency_id), status_label(status)] += n
    k = CLOCKS.c
    clocks: ClockCount = Counter()
    rows = connection.execute(
        select(k.agency_id, k.kind, k.state, k.started_at, k.zone).execution_options(
            yield_per=10_000
        )
    )
    for agency_id, kind, state, started_at, zone_name in rows:
        clocks[agency_label(agency_id), kind, state, start_year(started_at, zone_name)] += 1
    earliest = {
        (agency_label(agency_id), kind): due_at
        for agency_id, kind, due_at in connection.execute(
            select(k.agency_id, k.kind, func.min(k.due_at))
            .where(RUNNING_UNPAUSED, k.kind != ClockKind.REPORTER_REPLY.value)
            .group_by(k.agency_id, k.kind)
        )
    }
    return Recount(complaints, clocks, earliest)


def kept(connection: Connection) -> Recount:
    """The totals as kept, with zero counts and empty kinds left out, to compare."""
    complaints: ComplaintCount = Counter()
    for agency, status, n in connection.execute(select(COMPLAINT_TALLY)):
        if n:
            complaints[agency, status] = n
    clocks: ClockCount = Counter()
    for agency, kind, state, year, n in connection.execute(select(CLOCK_TALLY)):
        if n:
            clocks[agency, kind, state, year] = n
    earliest = {
        (agency, kind): due_at
        for agency, kind, due_at in connection.execute(select(EARLIEST_DUE))
        if due_at is not None
    }
    return Recount(complaints, clocks, earliest)


def rebuild(connection: Connection) -> Recount:
    """Replaces the kept totals with a recount."""
    counted = recount(connection)
    for table in (COMPLAINT_TALLY, CLOCK_TALLY, EARLIEST_DUE):
        connection.execute(delete(table))
    add_complaints(connection, counted.complaints)
    add_clocks(connection, counted.clocks)
    rows = [{"agency": a, "kind": k, "due_at": d} for (a, k), d in counted.earliest_due.items()]
    if rows:
        connection.execute(EARLIEST_DUE.insert(), rows)
    return counted


def complaint_delta(
    before: Mapping[tuple[str, str], int], after: Mapping[tuple[str, str], int]
) -> ComplaintCount:
    delta: ComplaintCount = Counter()
    for key, n in before.items():
        delta[key] -= n
    for key, n in after.items():
        delta[key] += n
    return delta
