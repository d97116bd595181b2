"""Derives every mirrored complaint's clocks again, after a policy or calendar change.

It counts the due dates that move, the clocks that appear and those that go, and
applies them unless asked not to (``syncd clocks recompute --dry-run``). It works
in chunks of complaints, one transaction each, and keeps only the first moves to
show, so its memory stays flat at any size of mirror.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime

from sqlalchemy import Connection, Engine, select

from syncd.clock.derive import Clock, closed_by_vanishing
from syncd.clock.values import Move, Recomputed
from syncd.store.chunks import CHUNK
from syncd.store.clocks.keeper import ClockKeeper
from syncd.store.read import details_by_row_id
from syncd.store.tables import CLOCKS, COMPLAINTS

ClockKey = tuple[int, str, int | None, int]
"""A clock's identity across a recompute: complaint row id, kind, agency, cycle."""


def recompute(
    keeper: ClockKeeper,
    engine: Engine,
    now: datetime,
    *,
    apply: bool,
    progress: Callable[[int], None] = lambda n: None,
    samples: int = 1000,
) -> Recomputed:
    """Derives every mirrored complaint's clocks again, chunk by chunk; ``samples``:
    how many moves to keep for showing."""
    result = Recomputed()
    for row_ids in _chunks_of_complaints(engine):
        with engine.begin() as connection:
            details = details_by_row_id(connection, row_ids)
            before = _dues(connection, row_ids)
            derived = keeper.derive(details)
            for row_id, at in _vanished(connection, row_ids).items():
                derived[row_id] = closed_by_vanishing(derived[row_id], at)
            after = {
                (row_id, c.kind.value, c.agency_id, c.cycle): c.due_at
                for row_id, clocks in derived.items()
                for c in clocks
            }
            _compare(connection, before, after, result, samples)
            if apply:
                for source, mine in _by_source(connection, derived).items():
                    keeper.store(connection, source, mine, now)
            result.complaints += len(details)
            result.clocks += len(after)
        progress(len(row_ids))
    return result


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
