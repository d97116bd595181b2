"""The gauges that describe the mirror, read from the running totals, never the mirror.

``MirrorCollector.refresh`` reads a snapshot (a few hundred rows per agency at most,
whatever the mirror holds) and renders it once; a scrape then costs the same with ten
complaints or ten million. The daemon refreshes after every tick and sync pass.

Every series that may exist is exported, as 0 when nothing counts (CONTRACT.md
section 6): each known agency gets every status, and every clock kind it can hold in
every state, outcome and year. A ratio with nothing to divide by is NaN, and so is
the grade from it: an agency without complaints is neither failing nor perfect.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector
from sqlalchemy import Connection, Engine, func, or_, select

from connectors.records import CanonicalStatus
from syncd.clock.compliance import ClockFigures, GradeBands
from syncd.clock.policy import DEFAULT_ZONE, ClockKind, Outcome
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
from syncd.vocabulary import OutboxStatus, RunResult

RUNNING_STATES = tuple(state.value for state in CLOCK_RUNNING_STATES)
OUTCOMES = tuple(outcome.value for outcome in Outcome)
STATUSES = tuple(status.value for status in CanonicalStatus)
PLATFORM_KINDS = (ClockKind.VERIFICATION.value,)
"""What no agency holds yet: verification belongs to the platform's administrators."""
AGENCY_KINDS = tuple(kind.value for kind in ClockKind if kind.value not in PLATFORM_KINDS)
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
    )


def last_success_at(connection: Connection, source: str) -> datetime | None:
    finished: datetime | None = connection.execute(
        select(RUNS.c.finished_at)
        .where(RUNS.c.source == source, RUNS.c.result == RunResult.OK)
        .order_by(RUNS.c.started_at.desc())
        .limit(1)
    ).scalar_one_or_none()
    return finished


def _seconds(instant: datetime | None) -> float:
    return instant.timestamp() if instant is not None else 0.0


def _ratio(value: float | None) -> float:
    return math.nan if value is None else value


def families(snapshot: MirrorSnapshot, bands: GradeBands) -> list[Metric]:
    """The snapshot as metric families, every series that may exist included."""
    agencies = sorted(snapshot.agencies, key=_agency_order)
    holders: list[tuple[str, Sequence[str]]] = [(NO_AGENCY, PLATFORM_KINDS)]
    holders += [(agency, AGENCY_KINDS) for agency in agencies]
    years = [str(y) for y in snapshot.years]

    complaints = GaugeMetricFamily(
        "sp4n_complaints",
        "Mirrored complaints the platform still shows, by holding agency and status.",
        labels=["agency", "status"],
    )
    counted_statuses = {status for _, status in snapshot.complaints}
    for agency in [NO_AGENCY, *agencies]:
        for status in sorted(set(STATUSES) | counted_statuses):
            complaints.add_metric([agency, status], snapshot.complaints.get((agency, status), 0))

    running = GaugeMetricFamily(
        "sp4n_clocks_running",
        "Running response clocks by state (as of the last clock tick).",
        labels=["agency", "clock", "state"],
    )
    closed = GaugeMetricFamily(
        "sp4n_clocks_closed",
        "Closed response clocks by outcome and the year they started (agency time).",
        labels=["agency", "clock", "outcome", "year"],
    )
    on_time = GaugeMetricFamily(
        "sp4n_compliance_on_time_ratio",
        "Met over met, late and open breached, for clocks started in the year; "
        "NaN when there is none.",
        labels=["agency", "clock", "year"],
    )
    oldest = GaugeMetricFamily(
        "sp4n_clock_oldest_breached_due_timestamp_seconds",
        "Due instant of the longest-overdue running clock; 0 when none is overdue.",
        labels=["agency", "clock"],
    )
    for agency, kinds in holders:
        for kind in kinds:
            for state in RUNNING_STATES:
                running.add_metric(
                    [agency, kind, state], snapshot.running.get((agency, kind, state), 0)
                )
            for year in snapshot.years:
                figures = snapshot.figures(agency, kind, year)
                for outcome in OUTCOMES:
                    closed.add_metric([agency, kind, outcome, str(year)], getattr(figures, outcome))
                on_time.add_metric([agency, kind, str(year)], _ratio(figures.on_time_ratio))
            due = snapshot.earliest_due.get((agency, kind))
            overdue = due is not None and due < snapshot.now
            oldest.add_metric([agency, kind], _seconds(due) if overdue else 0.0)

    followed_up = GaugeMetricFamily(
        "sp4n_compliance_followed_up_ratio",
        "Followup clocks met or late over met, late and open breached, by start year; "
        "NaN when there is none.",
        labels=["agency", "year"],
    )
    grade = GaugeMetricFamily(
        "sp4n_compliance_grade",
        "Grade 1 to 5 from the followup on-time ratio by the configured bands "
        "(a local default, not a regulation); NaN when there is no ratio.",
        labels=["agency", "year"],
    )
    info = GaugeMetricFamily(
        "sp4n_agency_info", "An agency's name and time zone.", labels=["agency", "name", "timezone"]
    )
    for agency in agencies:
        known = snapshot.agencies[agency]
        info.add_metric([agency, known.name, known.timezone], 1)
        for year, label in zip(snapshot.years, years, strict=True):
            figures = snapshot.figures(agency, ClockKind.FOLLOWUP.value, year)
            followed_up.add_metric([agency, label], _ratio(figures.followed_up_ratio))
            graded = bands.grade(figures.on_time_ratio)
            grade.add_metric([agency, label], math.nan if graded is None else graded)

    last_success = GaugeMetricFamily(
        "sp4n_sync_last_success_timestamp_seconds",
        "When the source's last successful sync pass finished; 0 before the first.",
        labels=["source"],
    )
    for source, finished in sorted(snapshot.last_success.items()):
        last_success.add_metric([source], _seconds(finished))
    pending = GaugeMetricFamily(
        "sp4n_alert_outbox_pending", "Alert mails decided and not yet delivered."
    )
    pending.add_metric([], snapshot.outbox_pending)
    outbox_oldest = GaugeMetricFamily(
        "sp4n_alert_outbox_oldest_timestamp_seconds",
        "When the oldest undelivered alert mail was decided; 0 when none waits.",
    )
    outbox_oldest.add_metric([], _seconds(snapshot.outbox_oldest))
    return [
        complaints,
        running,
        closed,
        on_time,
        followed_up,
        grade,
        oldest,
        info,
        last_success,
        pending,
        outbox_oldest,
    ]


def _agency_order(agency: str) -> tuple[int, str]:
    return (int(agency), "") if agency.isdigit() else (0, agency)


class MirrorCollector(Collector):
    """Serves the last refreshed snapshot; ``rendered`` is its text exposition."""

    def __init__(
        self,
        engine: Engine,
        settings: MirrorSettings,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.clock = clock
        self._lock = threading.Lock()
        self._families: list[Metric] = []
        self.rendered = b""
        self.snapshot: MirrorSnapshot | None = None

    def refresh(self) -> MirrorSnapshot:
        with self.engine.connect() as connection:
            snapshot = read_snapshot(connection, self.settings, self.clock())
        built = families(snapshot, self.settings.bands)
        rendered = generate_latest(_Fixed(built))
        with self._lock:
            self._families, self.rendered, self.snapshot = built, rendered, snapshot
        return snapshot

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            return iter(list(self._families))


@dataclass(frozen=True)
class _Fixed:
    """Metric families already built, in the shape ``generate_latest`` reads."""

    built: Iterable[Metric]

    def collect(self) -> Iterable[Metric]:
        return self.built
