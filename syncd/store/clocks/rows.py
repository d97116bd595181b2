"""A clock as a row of the ``clocks`` table, and back."""

from __future__ import annotations

from typing import Any

from syncd.clock.derive import Clock
from syncd.clock.policy import ClockKind, Outcome
from syncd.store import tally


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


def clock_columns(clock: Clock) -> dict[str, Any]:
    """The columns a clock fills by itself (the keeper adds its ids and its state)."""
    return {
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
    }


def tally_key(row: Any, state: str | None = None) -> tuple[str, str, str, int]:
    """Where a stored clock counts in the running totals (``state``: its new state)."""
    return (
        tally.agency_label(row["agency_id"]),
        row["kind"],
        state or row["state"],
        tally.start_year(row["started_at"], row["zone"]),
    )


def runs_toward_due(row: Any) -> bool:
    """Running and not paused, and someone's to act on: the clocks the earliest-due
    totals follow (the reporter's window is never overdue)."""
    return (
        row["outcome"] is None
        and row["paused_at"] is None
        and row["kind"] != ClockKind.REPORTER_REPLY.value
    )
