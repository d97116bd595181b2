"""The report's counting, done by the database: one ``GROUP BY`` over the clocks.

Each clock started in the period (by its local date) counts once, under its agency,
kind and state at the report's ``now`` (its outcome, else ``open_breached`` when it
runs unpaused past its due instant, else ``open_on_time``); the followup and
completion clocks also under the month they started, and the met and late ones
with the working days they took. The database gets the calendar as a lookup table
(``syncd.report.days``) and packs kind, state and month into one integer, so the
sort behind the ``GROUP BY`` compares two numbers a row; Python reads one row per
group (the working days come as a list per group), not per clock.

The local date: PostgreSQL converts each clock's instant into its ``zone`` itself.
SQLite knows only fixed offsets: it is given the offset of each zone that keeps one
over the report's days (Indonesia's four, UTC, and the zones configured), and the
clocks kept in any other zone, which that query leaves uncounted, are read and
counted row by row here instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    Connection,
    Date,
    Integer,
    LargeBinary,
    Text,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import ColumnElement, Grouping

from syncd.clock.policy import ClockKind
from syncd.clock.policy import zone as tz
from syncd.report.days import DayTable
from syncd.store.tables import CLOCKS, COMPLAINTS
from syncd.store.tally import agency_label
from syncd.store.utc import UTCDateTime

OPEN_ON_TIME, OPEN_BREACHED, OTHER = "open_on_time", "open_breached", "other"
KINDS = tuple(kind.value for kind in ClockKind)
STATES = ("met", "late", "transferred", "cancelled", "lapsed", OTHER, OPEN_BREACHED, OPEN_ON_TIME)
"""Outcomes other than these five count as ``other`` (received, in no figure)."""
BY_MONTH = (ClockKind.FOLLOWUP.value, ClockKind.COMPLETION.value)
ANSWERED = ("met", "late")
FIXED_ZONES = ("Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura", "UTC")

# The packed group key: (kind * 10 + state) * MONTHS + month.
MONTHS = 1_000
_JULIAN_DAY_OF_ORDINAL_0 = 1_721_424.5  # SQLite's julianday('0001-01-01') - 1


class Tally(NamedTuple):
    agency: str
    kind: str
    state: str
    month: tuple[int, int] | None
    """(year, month) the clock started, for the followup and completion clocks."""
    days: int | None
    """Working days from start to stop, for the met and late clocks."""
    clocks: int


@dataclass(frozen=True)
class Scope:
    """Which clocks a report counts: started on ``start`` to ``end`` (local dates),
    held by ``holders`` (None: any agency; an empty list: those held by none)."""

    start: date
    end: date
    holders: Sequence[int] | None = None
    unheld: bool = False
    """Only the clocks of no agency (verification before any disposition)."""

    @property
    def low(self) -> datetime:
        """The earliest UTC instant of a local date in the period, in any zone."""
        return datetime.combine(self.start, time.min, UTC) - timedelta(days=1)

    @property
    def high(self) -> datetime:
        return datetime.combine(self.end, time.max, UTC) + timedelta(days=1)

    def filters(self) -> list[ColumnElement[bool]]:
        c = CLOCKS.c
        found: list[ColumnElement[bool]] = [c.started_at >= self.low, c.started_at <= self.high]
        if self.unheld:
            found.append(c.agency_id.is_(None))
        elif self.holders is not None:
            found.append(c.agency_id.in_(self.holders))
        return found


def count_clocks(
    connection: Connection,
    scope: Scope,
    now: datetime,
    days: DayTable,
    zones: Collection[str] = (),
) -> Iterator[Tally]:
    """Every clock of ``scope``, counted (see the module's docstring)."""
    local = _local_days(connection, days, zones)
    unplaced = False
    for tally in _grouped(connection, scope, now, days, local):
        if tally is None:
            unplaced = True
        else:
            yield tally
    if unplaced:
        yield from _row_by_row(connection, scope, now, days, exclude=local.placed)


def _local_days(connection: Connection, days: DayTable, zones: Collection[str]) -> _LocalDays:
    if connection.dialect.name == "postgresql":
        return _PostgresDays(days)
    return _SqliteDays(days, _SqliteDays.fixed_offsets([*FIXED_ZONES, *zones], days))


def _state(now: datetime) -> ColumnElement[int]:
    c = CLOCKS.c
    closed = {outcome: code for code, outcome in enumerate(STATES[:5])}
    return case(
        *((c.outcome == outcome, code) for outcome, code in closed.items()),
        (c.outcome.is_not(None), STATES.index(OTHER)),
        (and_(c.paused_at.is_(None), c.due_at < now), STATES.index(OPEN_BREACHED)),
        else_=STATES.index(OPEN_ON_TIME),
    )


def _grouped(
    connection: Connection, scope: Scope, now: datetime, days: DayTable, local: _LocalDays
) -> Iterator[Tally | None]:
    """The counts, and None for each group of clocks whose zone ``local`` cannot place."""
    c = CLOCKS.c
    start = local.index(c.started_at)
    stop = local.clamped(local.index(c.stopped_at))
    kind = case(*((c.kind == k, code) for code, k in enumerate(KINDS)))
    month = case((c.kind.in_(BY_MONTH), local.lookup("months", start)), else_=0)
    took = case(
        (
            c.outcome.in_(ANSWERED),
            local.at_least_zero(local.lookup("ranks", stop) - local.lookup("ranks", start)),
        )
    )
    packed = ((cast(kind, BigInteger) * 10 + _state(now)) * MONTHS + month).label("packed")
    query = (
        select(c.agency_id, packed, func.count().label("clocks"), local.joined(took))
        .where(*scope.filters(), c.kind.in_(KINDS), *local.in_period(scope))
        # By the output's name: a repeated expression would be computed twice a row.
        .group_by(c.agency_id, literal_column("packed"))
    )
    for agency_id, key, clocks, took_days in connection.execute(query):
        if key is None:
            yield None
            continue
        rest, month_code = divmod(int(key), MONTHS)
        kind_code, state_code = divmod(rest, 10)
        kind_name, state = KINDS[kind_code], STATES[state_code]
        when = days.month_of(month_code) if kind_name in BY_MONTH else None
        agency = agency_label(agency_id)
        answers = Counter(map(int, took_days.split(","))) if took_days else Counter[int]()
        if clocks > answers.total():  # not answered, or (met or late) without a stop
            yield Tally(agency, kind_name, state, when, None, clocks - answers.total())
        for n, count in answers.items():
            yield Tally(agency, kind_name, state, when, n, count)


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
            took = days.working_days_between(start_day, stopped.astimezone(local).date())
        month = (start_day.year, start_day.month) if kind in BY_MONTH else None
        yield Tally(agency_label(agency_id), kind, state, month, took, 1)


class _LocalDays:
    """How one dialect turns an instant into its index in the day table."""

    placed: Collection[str] | None = None
    """The zones it places (None: every zone)."""

    def __init__(self, days: DayTable) -> None:
        self.days = days

    def index(self, instant: Any) -> ColumnElement[int]:
        raise NotImplementedError

    def lookup(self, table: str, index: ColumnElement[int]) -> ColumnElement[int]:
        raise NotImplementedError

    def clamped(self, index: ColumnElement[int]) -> ColumnElement[int]:
        raise NotImplementedError

    def at_least_zero(self, value: ColumnElement[int]) -> ColumnElement[int]:
        raise NotImplementedError

    def joined(self, value: ColumnElement[int]) -> ColumnElement[str]:
        """The group's values, comma-separated (a histogram is then read from them:
        a group per value would make the sort several times slower)."""
        raise NotImplementedError

    def in_period(self, scope: Scope) -> list[ColumnElement[bool]]:
        raise NotImplementedError


class _PostgresDays(_LocalDays):
    def index(self, instant: Any) -> ColumnElement[int]:
        local_day = cast(func.timezone(CLOCKS.c.zone, instant), Date)
        return type_coerce(local_day - bindparam("first", self.days.first, Date), Integer)

    def lookup(self, table: str, index: ColumnElement[int]) -> ColumnElement[int]:
        entries = list(getattr(self.days, table))
        values = Grouping(bindparam(table, entries, ARRAY(Integer, zero_indexes=True)))
        return type_coerce(values[index], Integer)

    def clamped(self, index: ColumnElement[int]) -> ColumnElement[int]:
        return func.greatest(0, func.least(len(self.days) - 1, index))

    def at_least_zero(self, value: ColumnElement[int]) -> ColumnElement[int]:
        return func.greatest(0, value)

    def joined(self, value: ColumnElement[int]) -> ColumnElement[str]:
        return func.string_agg(cast(value, Text), ",")

    def in_period(self, scope: Scope) -> list[ColumnElement[bool]]:
        local_day = cast(func.timezone(CLOCKS.c.zone, CLOCKS.c.started_at), Date)
        return [local_day >= scope.start, local_day <= scope.end]


class _SqliteDays(_LocalDays):
    """Offsets as ``julianday`` modifiers; the tables as blobs of fixed-width digits
    (``substr`` of a blob is a byte offset, of a text a walk from its start)."""

    WIDTH = 5

    def __init__(self, days: DayTable, offsets: dict[str, int]) -> None:
        super().__init__(days)
        self.offsets = offsets
        self.placed = list(offsets)
        self.blobs = {
            table: "".join(f"{n:0{self.WIDTH}d}" for n in getattr(days, table)).encode()
            for table in ("ranks", "months")
        }

    @staticmethod
    def fixed_offsets(zones: Collection[str], days: DayTable) -> dict[str, int]:
        """Minutes east of UTC, for the zones that keep one offset over the table's
        days (and a day either side)."""
        found = {}
        for name in dict.fromkeys(zones):
            zone = ZoneInfo(name)
            offsets = {
                zone.utcoffset(datetime.combine(days.first + timedelta(days=i), time(12)))
                for i in range(-1, len(days) + 1)
            }
            if len(offsets) == 1 and (offset := offsets.pop()) is not None:
                found[name] = int(offset.total_seconds()) // 60
        return found

    def _modifier(self) -> ColumnElement[str]:
        zone = CLOCKS.c.zone
        return case(*((zone == name, f"{m:+d} minutes") for name, m in self.offsets.items()))

    def index(self, instant: Any) -> ColumnElement[int]:
        first = self.days.first.toordinal() + _JULIAN_DAY_OF_ORDINAL_0
        return cast(func.julianday(instant, self._modifier()) - first, Integer)

    def lookup(self, table: str, index: ColumnElement[int]) -> ColumnElement[int]:
        blob = bindparam(table, self.blobs[table], LargeBinary)
        return cast(func.substr(blob, index * self.WIDTH + 1, self.WIDTH), Integer)

    def clamped(self, index: ColumnElement[int]) -> ColumnElement[int]:
        return func.max(0, func.min(len(self.days) - 1, index))

    def at_least_zero(self, value: ColumnElement[int]) -> ColumnElement[int]:
        return func.max(0, value)

    def joined(self, value: ColumnElement[int]) -> ColumnElement[str]:
        return func.group_concat(value)

    def in_period(self, scope: Scope) -> list[ColumnElement[bool]]:
        """From the period's first local midnight to the one after it, in each zone
        placed; in any other, a day either side (those clocks go row by row)."""
        zone, started = CLOCKS.c.zone, CLOCKS.c.started_at

        def bound(day: date, otherwise: datetime) -> ColumnElement[datetime]:
            midnight = datetime.combine(day, time.min, UTC)
            return case(
                *(
                    (zone == name, literal(midnight - timedelta(minutes=m), UTCDateTime()))
                    for name, m in self.offsets.items()
                ),
                else_=literal(otherwise, UTCDateTime()),
            )

        after = scope.end + timedelta(days=1)
        return [started >= bound(scope.start, scope.low), started < bound(after, scope.high)]


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
    read through the running clocks' index, with their complaints."""
    c, k = CLOCKS.c, COMPLAINTS.c
    local = _local_days(connection, days, zones)
    # The local start date is checked here only for a zone the query cannot place.
    unplaced = (
        literal(None, UTCDateTime())
        if local.placed is None
        else case(
            (c.zone.in_(list(local.placed)), literal(None, UTCDateTime())), else_=c.started_at
        )
    )
    for agency_id, due, zone, started, tracking_id, title, secret in connection.execute(
        select(c.agency_id, c.due_at, c.zone, unplaced, k.tracking_id, k.title, k.is_secret)
        .join(COMPLAINTS, k.id == c.complaint_id)
        .where(
            *scope.filters(),
            *local.in_period(scope),
            c.kind == kind,
            c.outcome.is_(None),
            c.paused_at.is_(None),
            c.due_at < now,
        )
    ):
        if started is None or scope.start <= started.astimezone(tz(zone)).date() <= scope.end:
            yield Late(agency_label(agency_id), tracking_id, None if secret else title, due, zone)
