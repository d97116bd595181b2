"""What ``syncd clocks show`` and ``syncd clocks recompute`` print.

Titles, classifications, status and institution names are the platform's text:
each reaches the table as a ``Text`` made printable, never as markup."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.table import Table
from sqlalchemy import Engine, select

from connectors.records import ComplaintDetail
from syncd.clock.calendar import zone_abbreviation
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


def clocks_table(
    engine: Engine, row_id: int, detail: ComplaintDetail, keeper: ClockKeeper, now: datetime
) -> Table:
    s = detail.summary
    title = CONFIDENTIAL if s.is_secret else s.title
    heading = rich_text(f"{s.tracking_id}: {title}", newlines=False)
    heading.append("\n")
    heading.append(rich_text(f"{s.status.name}, {s.classification}", newlines=False))
    table = Table(title=heading)
    for name in ("clock", "agency", "cycle", "days", "started", "due", "stopped", "state"):
        table.add_column(name)
    with engine.connect() as connection:
        rows = connection.execute(
            select(CLOCKS)
            .where(CLOCKS.c.complaint_id == row_id)
            .order_by(CLOCKS.c.started_at, CLOCKS.c.kind)
        ).mappings()
        for row in rows:
            clock = clock_from_row(row)
            state = clock.state(now, keeper.policy, keeper.calendar).value
            if clock.paused_at is not None:
                state += (
                    f" (since {local(clock.paused_at, clock.zone)}, {clock.remaining_days} left)"
                )
            table.add_row(
                clock.kind.value,
                str(clock.agency_id or "-"),
                str(clock.cycle),
                str(clock.working_days),
                local(clock.started_at, clock.zone),
                local(clock.due_at, clock.zone),
                local(clock.stopped_at, clock.zone),
                state,
            )
    return table


def history_table(detail: ComplaintDetail, zone_name: str) -> Table:
    table = Table(title="history")
    for name in ("when", "what"):
        table.add_column(name)
    events: list[tuple[datetime, str]] = []
    for log in detail.logs:
        what = log.status_new.name
        if log.institution_to is not None:
            what += f" → {log.institution_to.name} ({log.institution_to.id})"
        events.append((log.created_at, what))
    for f in detail.followups:
        who = "pelapor" if f.is_reporter else f"{f.institution_from_name} ({f.institution_from_id})"
        events.append((f.created_at, f"tindak lanjut oleh {who}"))
    for when, what in sorted(events, key=lambda e: e[0]):
        table.add_row(local(when, zone_name), rich_text(what, newlines=False))
    return table


def moves_table(moves: Sequence[Move], moved: int, zone_name: str, limit: int = 50) -> Table:
    table = Table(title=f"due dates that move ({moved:,})")
    for name in ("complaint", "clock", "agency", "cycle", "before", "after"):
        table.add_column(name)
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
