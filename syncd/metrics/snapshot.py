"""What the mirror's gauges show, read from the running totals in one go.

``read_snapshot`` reads a few hundred rows per agency at most, whatever the mirror
holds: the totals the writers keep (``syncd.store.tally``), the institutions, the
outbox's pending count and each source's last successful run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, or_, select

from connectors.records import CanonicalStatus
from syncd.clock.compliance import ClockFigures, GradeBands
from syncd.clock.policy import AGENCY_CLOCKS, DEFAULT_ZONE, ClockKind, ClockState, Outcome
from syncd.clock.policy import RUNNING_STATES as CLOCK_RUNNING_STATES
from syncd.store.tables import (
    CLOCK_TALLY,
    COMPLAINT_TALLY,
    EARLIEST_DUE,
    INSTITUTIONS,
    OUTBOX,
    RUNS,
)
from syncd.store.tally import NO_AGENCY
from syncd.store.tracked import overdue, schedule_counts
from syncd.vocabulary import OutboxStatus, RunResult

RUNNING_STATES = tuple(state.value for state in CLOCK_RUNNING_STATES)
OUTCOMES = tuple(outcome.value for outcome in Outcome)
STATUSES = tuple(status.value for status in CanonicalStatus)
PLATFORM_KINDS = (ClockKind.VERIFICATION.value,)
"""What no agency holds yet: verification belongs to the platform's administrators."""
AGENCY_KINDS = tuple(kind.value for kind in ClockKind if kind.value not in PLATFORM_KINDS)
"""The kinds an agency's clocks come in, the reporter's window among them."""
JUDGED_KINDS = tuple(kind.value for kind in AGENCY_CLOCKS)
"""The kinds that measure whoever must act: never the reporter's window."""
WINDOW_STATES = (ClockState.ON_TRACK.value, ClockState.PAUSED.value)
"""The only running states of the reporter's window: it lapses, never breaches."""
SCHEDULES = ("urgent", "active", "closed", "dormant")
YEAR_ZONE = ZoneInfo(DEFAULT_ZONE)
"""Whose new year starts the "current year" label: the platform's (WIB)."""


@dataclass(frozen=True)
class KnownAgency:
    name: str
    timezone: str = DEFAULT_ZONE


@dataclass(frozen=True)
class MirrorSnapshot:
    """What one refresh read; every figure the gauges show comes from here."""

    now: datetime
    complaints: Mapping[tuple[str, str], int]
    clocks: Mapping[tuple[str, str, str, int], int]
    """By agency, kind, state and start year: the current and previous years, and
    running clocks of any year."""
    running: Mapping[tuple[str, str, str], int]
    """Running clocks by agency, kind and state, whatever year they started."""
    earliest_due: Mapping[tuple[str, str], datetime | None]
    agencies: Mapping[str, KnownAgency]
    last_success: Mapping[str, datetime | None]
    outbox_pending: int = 0
    outbox_oldest: datetime | None = None
    tracked: Mapping[tuple[str, str], int] = field(default_factory=dict)
    """Tracked ids by source and schedule class."""
    tracked_overdue: Mapping[str, tuple[int, datetime | None]] = field(default_factory=dict)
    """By source: scheduled checks past their time, and the oldest one's due instant."""

    @property
    def years(self) -> tuple[int, int]:
        """The previous and the current calendar year, in the platform's time."""
        current = self.now.astimezone(YEAR_ZONE).year
        return current - 1, current

    def figures(self, agency: str, kind: str, year: int) -> ClockFigures:
        def n(state: str) -> int:
            return self.clocks.get((agency, kind, state, year), 0)

        return ClockFigures(
            met=n("met"),
            late=n("late"),
            open_on_time=n("on_track") + n("due_soon") + n("paused"),
            open_breached=n("breached"),
            transferred=n("transferred"),
            cancelled=n("cancelled"),
            lapsed=n("lapsed"),
        )


@dataclass(frozen=True)
class MirrorSettings:
    sources: Sequence[str]
    agencies: Mapping[int, KnownAgency] = field(default_factory=dict)
    """Configured agencies: their names and zones win over the platform's."""
    bands: GradeBands = field(default_factory=GradeBands)


def read_snapshot(
    connection: Connection, settings: MirrorSettings, now: datetime
) -> MirrorSnapshot:
    previous = now.astimezone(YEAR_ZONE).year - 1
    complaints = {(a, s): n for a, s, n in connection.execute(select(COMPLAINT_TALLY))}
    t = CLOCK_TALLY.c
    clocks: Counter[tuple[str, str, str, int]] = Counter()
    running: Counter[tuple[str, str, str]] = Counter()
    for agency, kind, state, year, n in connection.execute(
        select(t.agency, t.kind, t.state, t.year, t.n).where(
            or_(t.year >= previous, t.state.in_(RUNNING_STATES))
        )
    ):
        clocks[agency, kind, state, year] += n
        if state in RUNNING_STATES:
            running[agency, kind, state] += n
    earliest = {(a, k): d for a, k, d in connection.execute(select(EARLIEST_DUE))}
    agencies = {
        str(upstream_id): KnownAgency(name)
        for upstream_id, name in connection.execute(
            select(INSTITUTIONS.c.upstream_id, INSTITUTIONS.c.name).where(
                INSTITUTIONS.c.source.in_(settings.sources)
            )
        )
    }
    agencies.update({str(i): agency for i, agency in settings.agencies.items()})
    for agency, *_ in [*complaints, *clocks, *earliest]:
        if agency != NO_AGENCY:
            agencies.setdefault(agency, KnownAgency(agency))
    o = OUTBOX.c
    pending, oldest = connection.execute(
        select(func.count(), func.min(o.created_at)).where(o.status == OutboxStatus.PENDING)
    ).one()
    return MirrorSnapshot(
        now=now,
        complaints=complaints,
        clocks=clocks,
        running=running,
        earliest_due=earliest,
        agencies=agencies,
        last_success={s: last_success_at(connection, s) for s in settings.sources},
        outbox_pending=pending,
        outbox_oldest=oldest,
        tracked=schedule_counts(connection),
        tracked_overdue=overdue(connection, now),
    )


def last_failure(connection: Connection, source: str) -> tuple[str, datetime] | None:
    """The kind and end of the source's latest run if it failed; None if it did not."""
    row = connection.execute(
        select(RUNS.c.result, RUNS.c.error_kind, RUNS.c.finished_at)
        .where(RUNS.c.source == source, RUNS.c.finished_at.is_not(None))
        .order_by(RUNS.c.started_at.desc())
        .limit(1)
    ).first()
    if row is None or row.result != RunResult.ERROR:
        return None
    return row.error_kind or "error", row.finished_at


def last_success_at(connection: Connection, source: str) -> datetime | None:
    finished: datetime | None = connection.execute(
        select(RUNS.c.finished_at)
        .where(RUNS.c.source == source, RUNS.c.result == RunResult.OK)
        .order_by(RUNS.c.started_at.desc())
        .limit(1)
    ).scalar_one_or_none()
    return finished
