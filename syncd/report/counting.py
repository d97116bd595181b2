"""The report's counting, done by the database: one ``GROUP BY`` over the clocks.

Each clock started in the period (by its local date) counts once, under its agency,
kind and state at the report's ``now`` (its outcome, else ``open_breached`` when it
runs unpaused past its due instant, else ``open_on_time``); the followup and
completion clocks also under the month they started, and the met and late ones
with the working days they took. The database gets the calendar as a lookup table
(``syncd.report.days``) and packs kind, state and month into one integer, so the
sort behind the ``GROUP BY`` compares two numbers a row; Python reads one row per
group (the working days come as a list per group), not per clock.

The local dates come from ``syncd.report.local_days``: PostgreSQL places every
zone, SQLite the zones with one offset; the clocks kept in any other zone, which
that query leaves uncounted, are read and counted row by row here instead.

The complaints not followed up are a list, not a count: read through the running
clocks' partial index, one seek per agency that the counts say has some.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterator
from datetime import UTC, datetime
from typing import NamedTuple

from sqlalchemy import (
    BigInteger,
    Connection,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    select,
    type_coerce,
)
from sqlalchemy.sql.elements import ColumnElement

from syncd.clock.policy import ClockKind
from syncd.clock.policy import zone as tz
from syncd.report.days import DayTable
from syncd.report.local_days import LocalDays, local_days
from syncd.report.scope import Scope
from syncd.store.chunks import chunks
from syncd.store.tables import CLOCKS, COMPLAINTS
from syncd.store.tally import agency_label

OPEN_ON_TIME, OPEN_BREACHED, OTHER = "open_on_time", "open_breached", "other"
KINDS = tuple(kind.value for kind in ClockKind)
STATES = ("met", "late", "transferred", "cancelled", "lapsed", OTHER, OPEN_BREACHED, OPEN_ON_TIME)
"""Outcomes other than these five count as ``other`` (received, in no figure)."""
BY_MONTH = (ClockKind.FOLLOWUP.value, ClockKind.COMPLETION.value)
ANSWERED = ("met", "late")

# The packed group key: (kind * 10 + state) * MONTHS + month.
MONTHS = 1_000


class Tally(NamedTuple):
    agency: str
    kind: str
    state: str
    month: tuple[int, int] | None
    """(year, month) the clock started, for the followup and completion clocks."""
    took: Counter[int] | None
    """Working days from start to stop → how many of these clocks took them (the met
    and late ones that stopped; None for the others)."""
    clocks: int


def count_clocks(
    connection: Connection,
    scope: Scope,
    now: datetime,
    days: DayTable,
    zones: Collection[str] = (),
) -> Iterator[Tally]:
    """Every clock of ``scope``, counted (see the module's docstring)."""
    local = local_days(connection, days, zones)
    unplaced = False
    for tally in _grouped(connection, scope, now, days, local):
        if tally is None:
            unplaced = True
        else:
            yield tally
    if unplaced:
        yield from _row_by_row(connection, scope, now, days, exclude=local.placed)


def _state(now: datetime) -> ColumnElement[int]:
    c = CLOCKS.c
    closed = {outcome: code for code, outcome in enumerate(STATES[:5])}
    running = case(
        (and_(c.paused_at.is_(None), c.due_at < now), STATES.index(OPEN_BREACHED)),
        else_=STATES.index(OPEN_ON_TIME),
    )
    # The simple CASE form reads the column once, not once per WHEN.
    return case(
        closed,
        value=c.outcome,
        else_=case((c.outcome.is_(None), running), else_=STATES.index(OTHER)),
    )


def _grouped(
    connection: Connection, scope: Scope, now: datetime, days: DayTable, local: LocalDays
) -> Iterator[Tally | None]:
    """The counts, and None for each group of clocks whose zone ``local`` cannot place."""
    c = CLOCKS.c
    start = local.index(c.started_at)
    stop = local.clamped(local.index(c.stopped_at))
    kind = case({k: code for code, k in enumerate(KINDS)}, value=c.kind)
    month = case((c.kind.in_(BY_MONTH), local.lookup("months", start)), else_=0)
    took = case(
        (
            c.outcome.in_(ANSWERED),
            local.at_least_zero(local.lookup("ranks", stop) - local.lookup("ranks", start)),
        )
    )
    packed = (cast(kind, BigInteger) * 10 + _state(now)) * MONTHS + month
    each = local.fenced(
        select(c.agency_id, packed.label("packed"), took.label("took")).where(
            *scope.filters(), c.kind.in_(KINDS), *local.in_period(scope)
        )
    ).subquery()
    query = select(
        each.c.agency_id, each.c.packed, func.count(), local.joined(each.c.took)
    ).group_by(each.c.agency_id, each.c.packed)
    for agency_id, key, clocks, took_days in connection.execute(query):
        if key is None:
            yield None
            continue
        rest, month_code = divmod(int(key), MONTHS)
        kind_code, state_code = divmod(rest, 10)
        kind_name, state = KINDS[kind_code], STATES[state_code]
        when = days.month_of(month_code) if kind_name in BY_MONTH else None
        answers = Counter(map(int, took_days.split(","))) if took_days else None
        yield Tally(agency_label(agency_id), kind_name, state, when, answers, clocks)


def _row_by_row(
    connection: Connection,
    scope: Scope,
    now: datetime,
    days: DayTable,
    exclude: Collection[str] | None,
) -> Iterator[Tally]:
    """The clocks kept in ``zone``s other than ``exclude``, read one by one."""
    c = CLOCKS.c
    rows = connection.execute(
        select(
            c.kind,
            c.agency_id,
            c.zone,
            c.started_at,
            c.due_at,
            c.paused_at,
            c.stopped_at,
            c.outcome,
        )
        .where(*scope.filters(), c.kind.in_(KINDS), c.zone.not_in(list(exclude or ())))
        .execution_options(yield_per=20_000)
    )
    for kind, agency_id, zone, started, due, paused, stopped, outcome in rows:
        local = tz(zone)
        start_day = started.astimezone(local).date()
        if not scope.start <= start_day <= scope.end:
            continue
        if outcome is not None:
            state = outcome if outcome in STATES[:5] else OTHER
        elif paused is None and now > due:
            state = OPEN_BREACHED
        else:
            state = OPEN_ON_TIME
        took = None
        if state in ANSWERED and stopped is not None:
            took = Counter([days.working_days_between(start_day, stopped.astimezone(local).date())])
        month = (start_day.year, start_day.month) if kind in BY_MONTH else None
        yield Tally(agency_label(agency_id), kind, state, month, took, 1)


class Late(NamedTuple):
    """A clock running unpaused past its due instant, with its complaint."""

    agency: str
    tracking_id: str
    title: str | None
    """None for a confidential complaint."""
    due_at: datetime
    zone: str


def overdue_clocks(
    connection: Connection,
    scope: Scope,
    now: datetime,
    kind: str,
    days: DayTable,
    zones: Collection[str] = (),
) -> Iterator[Late]:
    """The clocks of ``kind`` in ``scope`` running unpaused past their due instant,
    with their complaints. Give ``scope`` the agencies that have some (the counts
    say which): each is then one seek in the running clocks' index."""
    c, k = CLOCKS.c, COMPLAINTS.c
    local = local_days(connection, days, zones)
    # The local start date is checked here only for a zone the query cannot place,
    # read as text (most rows have none to convert).
    unplaced = type_coerce(
        literal(None)
        if local.placed is None
        else case((c.zone.in_(list(local.placed)), None), else_=c.started_at),
        String,
    )
    holders = [None] if scope.holders is None else list(chunks(scope.holders))
    for some in holders:
        part = Scope(scope.start, scope.end, some, scope.unheld)
        for agency_id, due, zone, started, tracking_id, title, secret in connection.execute(
            select(c.agency_id, c.due_at, c.zone, unplaced, k.tracking_id, k.title, k.is_secret)
            .join(COMPLAINTS, k.id == c.complaint_id)
            .where(
                *part.filters(),
                *local.in_period(part),
                c.kind == kind,
                c.outcome.is_(None),
                c.paused_at.is_(None),
                c.due_at < now,
            )
        ):
            if started is not None and not _local_start_in(scope, started, zone):
                continue
            yield Late(agency_label(agency_id), tracking_id, None if secret else title, due, zone)


def _local_start_in(scope: Scope, started: str | datetime, zone: str) -> bool:
    """For a clock kept in a zone the query could not place: its start, as stored."""
    if isinstance(started, str):  # SQLite's text, UTC
        started = datetime.fromisoformat(started).replace(tzinfo=UTC)
    return scope.start <= started.astimezone(tz(zone)).date() <= scope.end
