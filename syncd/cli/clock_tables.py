"""What ``syncd clocks show`` and ``syncd clocks recompute`` print: tables, or with
``--json`` the same data as objects (CONTRACT.md section 4).

Titles, classifications, status and institution names are the platform's text:
each reaches a table as a ``Text`` made printable, never as markup; JSON carries it
as it came."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich.table import Table
from sqlalchemy import Engine, select

from connectors.records import ComplaintDetail
from syncd.cli.tables import wrapping_table
from syncd.clock.calendar import zone_abbreviation
from syncd.clock.derive import Clock
from syncd.clock.policy import zone
from syncd.clock.values import Move
from syncd.report.escape import rich_text
from syncd.store.clocks import ClockKeeper, clock_from_row
from syncd.store.read import details_by_row_id
from syncd.store.tables import CLOCKS, COMPLAINTS

CONFIDENTIAL = "(rahasia: judul disembunyikan)"


def local(instant: datetime | None, zone_name: str) -> str:
    if instant is None:
        return "-"
    tz = zone(zone_name)
    return f"{instant.astimezone(tz):%Y-%m-%d %H:%M} {zone_abbreviation(tz, instant)}"


def find_complaint(engine: Engine, tracking_id: str) -> tuple[int, ComplaintDetail] | None:
    with engine.connect() as connection:
        row_id = connection.execute(
            select(COMPLAINTS.c.id).where(COMPLAINTS.c.tracking_id == tracking_id)
        ).scalar_one_or_none()
        if row_id is None:
            return None
        return row_id, details_by_row_id(connection, [row_id])[row_id]


def stored_clocks(
    engine: Engine, row_id: int, keeper: ClockKeeper, now: datetime
) -> list[tuple[Clock, str]]:
    """A complaint's clocks as stored, oldest first, each with its state at ``now``."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(CLOCKS)
            .where(CLOCKS.c.complaint_id == row_id)
            .order_by(CLOCKS.c.started_at, CLOCKS.c.kind)
        ).mappings()
        clocks = [clock_from_row(row) for row in rows]
    return [(clock, clock.state(now, keeper.policy, keeper.calendar).value) for clock in clocks]


def clocks_table(detail: ComplaintDetail, clocks: Sequence[tuple[Clock, str]]) -> Table:
    s = detail.summary
    title = CONFIDENTIAL if s.is_secret else s.title
    heading = rich_text(f"{s.tracking_id}: {title}", newlines=False)
    heading.append("\n")
    heading.append(rich_text(f"{s.status.name}, {s.classification}", newlines=False))
    table = wrapping_table(
        heading,
        *("clock", "agency", "cycle", "days", "started", "due", "stopped", "state"),
        times=("started", "due", "stopped"),
    )
    for clock, state in clocks:
        shown = state
        if clock.paused_at is not None:
            shown += f" (since {local(clock.paused_at, clock.zone)}, {clock.remaining_days} left)"
        table.add_row(
            clock.kind.value,
            str(clock.agency_id or "-"),
            str(clock.cycle),
            str(clock.working_days),
            local(clock.started_at, clock.zone),
            local(clock.due_at, clock.zone),
            local(clock.stopped_at, clock.zone),
            shown,
        )
    return table


def _events(detail: ComplaintDetail) -> list[tuple[datetime, str, dict[str, Any]]]:
    """The complaint's history by time: each event as a line to show and an object."""
    events: list[tuple[datetime, str, dict[str, Any]]] = []
    for log in detail.logs:
        what = log.status_new.name
        to = log.institution_to
        if to is not None:
            what += f" → {to.name} ({to.id})"
        shown = {"status": log.status_new.name, "to": _institution(to.id, to.name) if to else None}
        events.append((log.created_at, what, {"at": log.created_at, "event": "status", **shown}))
    for f in detail.followups:
        who = "pelapor" if f.is_reporter else f"{f.institution_from_name} ({f.institution_from_id})"
        by = None if f.is_reporter else _institution(f.institution_from_id, f.institution_from_name)
        event = {"at": f.created_at, "event": "followup", "by_reporter": f.is_reporter, "by": by}
        events.append((f.created_at, f"tindak lanjut oleh {who}", event))
    return sorted(events, key=lambda e: e[0])


def _institution(upstream_id: int | None, name: str) -> dict[str, Any]:
    return {"id": upstream_id, "name": name}


def history_table(detail: ComplaintDetail, zone_name: str) -> Table:
    table = wrapping_table("history", "when", "what", times=("when",))
    for when, what, _ in _events(detail):
        table.add_row(local(when, zone_name), rich_text(what, newlines=False))
    return table


def complaint_document(
    detail: ComplaintDetail, clocks: Sequence[tuple[Clock, str]]
) -> dict[str, Any]:
    """What ``syncd clocks show --json`` prints: the complaint, its clocks, its history.
    A confidential complaint's title is ``null``, as the table hides it."""
    s = detail.summary
    return {
        "tracking_id": s.tracking_id,
        "title": None if s.is_secret else s.title,
        "secret": s.is_secret,
        "status": s.status.name,
        "classification": s.classification,
        "clocks": [
            {
                "kind": clock.kind.value,
                "agency": clock.agency_id,
                "cycle": clock.cycle,
                "working_days": clock.working_days,
                "zone": clock.zone,
                "started_at": clock.started_at,
                "due_at": clock.due_at,
                "stopped_at": clock.stopped_at,
                "paused_at": clock.paused_at,
                "remaining_days": clock.remaining_days,
                "state": state,
            }
            for clock, state in clocks
        ],
        "history": [event for _, _, event in _events(detail)],
    }


def moves_table(moves: Sequence[Move], moved: int, zone_name: str, limit: int = 50) -> Table:
    table = wrapping_table(
        f"due dates that move ({moved:,})",
        *("complaint", "clock", "agency", "cycle", "before", "after"),
        times=("before", "after"),
    )
    for move in moves[:limit]:
        table.add_row(
            rich_text(move.tracking_id, newlines=False),
            move.kind,
            str(move.agency_id or "-"),
            str(move.cycle),
            local(move.before, zone_name),
            local(move.after, zone_name),
        )
    if moved > limit:
        table.caption = f"… and {moved - min(limit, len(moves)):,} more"
    return table


def move_document(move: Move) -> dict[str, Any]:
    return {
        "tracking_id": move.tracking_id,
        "kind": move.kind,
        "agency": move.agency_id,
        "cycle": move.cycle,
        "before": move.before,
        "after": move.after,
    }
