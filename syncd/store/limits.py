"""What the store can hold, checked before a record is written.

A value the database refuses (a NUL character in a text, on PostgreSQL; a text
longer than its column; an integer beyond its column's range) would fail the
whole page's transaction on every pass, so one bad record would stop the mirror.
Each row is checked against its table's own column types instead, and a record
that does not fit is quarantined with the reason while the rest is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Integer, SmallInteger, String, Table, TypeDecorator

from connectors.records import PRESENT_SKEW

_INTEGER_BITS = ((SmallInteger, 15), (BigInteger, 63), (Integer, 31))


def _bits(column_type: Any) -> int | None:
    for kind, bits in _INTEGER_BITS:
        if isinstance(column_type, kind):
            return bits
    return None


@cache
def _limits(table: Table) -> dict[str, tuple[int | None, int | None]]:
    """Each column's longest text and integer width, from the table's own types
    (SQLModel wraps its strings in a ``TypeDecorator``)."""
    limits: dict[str, tuple[int | None, int | None]] = {}
    for column in table.columns:
        kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
        length = kind.length if isinstance(kind, String) else None
        limits[column.name] = (length, _bits(kind))
    return limits


def misfit(table: Table, row: Mapping[str, Any]) -> str | None:
    """Why ``row`` cannot be written to ``table``, or None when it can."""
    limits = _limits(table)
    for name, value in row.items():
        length, bits = limits[name]
        if isinstance(value, str):
            if "\x00" in value:
                return (
                    f"{table.name}.{name}: contains a NUL character, which no database text holds"
                )
            if length is not None and len(value) > length:
                return f"{table.name}.{name}: {len(value)} characters, the column holds {length}"
        elif (
            isinstance(value, int)
            and not isinstance(value, bool)
            and bits is not None
            and not -(2**bits) <= value < 2**bits
        ):
            return f"{table.name}.{name}: {value} is beyond the column's {bits + 1}-bit range"
    return None


def first_misfit(table: Table, rows: Iterable[Mapping[str, Any]]) -> str | None:
    for row in rows:
        reason = misfit(table, row)
        if reason is not None:
            return reason
    return None


def beyond_present(instants: Iterable[tuple[str, datetime]], now: datetime) -> str | None:
    """Why a record dated after the present (``now`` plus the allowed skew) is not
    believed, naming the first such field; None when none is."""
    horizon = now + PRESENT_SKEW
    for name, instant in instants:
        if instant > horizon:
            return f"{name} {instant.isoformat()} is later than the present ({now.isoformat()})"
    return None
