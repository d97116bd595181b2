"""How each database turns a clock's instant into its local date's place in the
report's day table (``syncd.report.days``), and reads the table.

PostgreSQL converts into each clock's ``zone`` itself (``timezone(zone, instant)``)
and reads the table as an array. SQLite knows only fixed offsets: it is given the
offset of each zone that keeps one over the table's days (Indonesia's four, UTC, and
the zones configured), and reads the table from a blob; a clock kept in any other
zone gets no place (NULL), and the caller counts those clocks row by row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Connection,
    Date,
    Integer,
    LargeBinary,
    Text,
    bindparam,
    case,
    cast,
    func,
    literal,
    or_,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement, Grouping

from syncd.report.days import DayTable
from syncd.report.scope import Scope
from syncd.store.tables import CLOCKS
from syncd.store.utc import UTCDateTime

FIXED_ZONES = ("Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura", "UTC")
DAY = 86_400


def local_days(connection: Connection, days: DayTable, zones: Collection[str]) -> LocalDays:
    if connection.dialect.name == "postgresql":
        return PostgresDays(days)
    return SqliteDays(days, SqliteDays.fixed_offsets([*FIXED_ZONES, *zones], days))


class LocalDays:
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

    def fenced(self, query: Select[Any]) -> Select[Any]:
        """``query`` as a subquery that the database computes row by row before it
        groups the rows (each expression once a row, and only its values sorted)."""
        return query


class PostgresDays(LocalDays):
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


class SqliteDays(LocalDays):
    """Fixed offsets in seconds; the tables as blobs of fixed-width digits (``substr``
    of a blob is a byte offset, of a text a walk from its start)."""

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

    def index(self, instant: Any) -> ColumnElement[int]:
        """Whole days from ``first``'s midnight to the instant's local date, in integer
        seconds (``unixepoch``, SQLite 3.38; before it, ``strftime('%s')``)."""
        zone = CLOCKS.c.zone
        offset = (
            case({name: m * 60 for name, m in self.offsets.items()}, value=zone)
            if self.offsets
            else literal(None, Integer)
        )
        seconds = (
            func.unixepoch(instant)
            if sqlite3.sqlite_version_info >= (3, 38)
            else cast(func.strftime("%s", instant), Integer)
        )
        first = int(datetime.combine(self.days.first, time.min, UTC).timestamp())
        return type_coerce((seconds + offset - first) // DAY, Integer)

    def lookup(self, table: str, index: ColumnElement[int]) -> ColumnElement[int]:
        blob = bindparam(table, self.blobs[table], LargeBinary)
        return cast(func.substr(blob, index * self.WIDTH + 1, self.WIDTH), Integer)

    def clamped(self, index: ColumnElement[int]) -> ColumnElement[int]:
        return func.max(0, func.min(len(self.days) - 1, index))

    def at_least_zero(self, value: ColumnElement[int]) -> ColumnElement[int]:
        return func.max(0, value)

    def joined(self, value: ColumnElement[int]) -> ColumnElement[str]:
        return func.group_concat(value)

    def fenced(self, query: Select[Any]) -> Select[Any]:
        # A subquery with a LIMIT is not flattened into the grouping query: SQLite
        # then sorts three integers a row, not the columns the expressions read.
        return query.limit(-1)

    def in_period(self, scope: Scope) -> list[ColumnElement[bool]]:
        """From the period's first local midnight to the one after it, in each zone
        placed; in any other, a day either side (those clocks go row by row)."""
        zone, started = CLOCKS.c.zone, CLOCKS.c.started_at

        def bound(day: date, otherwise: datetime) -> ColumnElement[datetime]:
            midnight = datetime.combine(day, time.min, UTC)
            if not self.offsets:
                return literal(otherwise, UTCDateTime())
            return case(
                *(
                    (zone == name, literal(midnight - timedelta(minutes=m), UTCDateTime()))
                    for name, m in self.offsets.items()
                ),
                else_=literal(otherwise, UTCDateTime()),
            )

        after = scope.end + timedelta(days=1)
        # Only a clock started within a day of the period's ends needs its zone looked at.
        inside = datetime.combine(scope.start, time.min, UTC) + timedelta(days=1)
        inside_end = datetime.combine(after, time.min, UTC) - timedelta(days=1)
        return [
            or_(
                started >= literal(inside, UTCDateTime()), started >= bound(scope.start, scope.low)
            ),
            or_(started < literal(inside_end, UTCDateTime()), started < bound(after, scope.high)),
        ]
