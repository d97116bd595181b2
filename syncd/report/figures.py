"""Compliance figures per agency and clock for a period (CONTRACT.md sections 2 and 4).

Clocks count by the local date they started, within the period; their state is
what it is at the report's ``now`` (a clock started in the period and closed after
it counts by how it closed). Sub-units roll up: a clock held by an institution with
a parent counts for its top-level ancestor too, and the sub-unit is listed under it.

Read in one pass over the clocks started in the period (plus a day either side for
time zones), so a year of a million complaints is one scan, not a query per agency.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from syncd.clock.calendar import WorkingCalendar
from syncd.clock.compliance import ClockFigures, GradeBands
from syncd.clock.policy import ClockKind
from syncd.clock.policy import zone as tz
from syncd.report.hierarchy import ancestors, heads, institutions
from syncd.report.period import Period
from syncd.store.chunks import chunks
from syncd.store.tables import CLOCKS, COMPLAINTS
from syncd.store.tally import NO_AGENCY, agency_label

OPEN_ON_TIME, OPEN_BREACHED = "open_on_time", "open_breached"
KIND_ORDER = [kind.value for kind in ClockKind]


@dataclass
class ClockTotals:
    received: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    """met, late, open_on_time, open_breached, transferred, cancelled."""
    response_days: list[int] = field(default_factory=list)
    """Working days from start to stop of the met and late clocks."""

    def add(self, other: ClockTotals) -> None:
        self.received += other.received
        self.counts.update(other.counts)
        self.response_days.extend(other.response_days)

    @property
    def figures(self) -> ClockFigures:
        c = self.counts
        return ClockFigures(
            met=c["met"],
            late=c["late"],
            open_on_time=c[OPEN_ON_TIME],
            open_breached=c[OPEN_BREACHED],
            transferred=c["transferred"],
            cancelled=c["cancelled"],
        )

    @property
    def median_response_days(self) -> float | None:
        return float(statistics.median(self.response_days)) if self.response_days else None

    @property
    def p90_response_days(self) -> float | None:
        """The nearest-rank 90th percentile: 90 % of responses took at most this."""
        if not self.response_days:
            return None
        ordered = sorted(self.response_days)
        return float(ordered[max(0, -(-9 * len(ordered) // 10) - 1)])


@dataclass(frozen=True)
class Overdue:
    """A followup clock still running past its due date: a complaint not followed up."""

    tracking_id: str
    title: str | None
    """None for a confidential complaint: its title is never shown."""
    holder: str
    holder_name: str
    due_at: datetime
    working_days_late: int


@dataclass
class AgencyReport:
    agency: str
    name: str
    clocks: dict[str, ClockTotals] = field(default_factory=dict)
    units: list[AgencyReport] = field(default_factory=list)
    """Sub-units, whose clocks are included in this agency's totals."""
    not_followed_up: list[Overdue] = field(default_factory=list)
    own_part: bool = False
    """Listed under its agency as that agency's own clocks, beside its sub-units'."""
    monthly: dict[tuple[int, int], Counter[str]] = field(default_factory=dict)
    """Followup clocks by start month: received, followed_up (met or late), met, and
    judged (met, late or open breached: the on-time ratio's denominator)."""

    @property
    def label(self) -> str:
        return f"{self.name} (own)" if self.own_part else self.name

    def totals(self, kind: str) -> ClockTotals:
        return self.clocks.setdefault(kind, ClockTotals())


@dataclass
class Report:
    period: Period
    now: datetime
    bands: GradeBands
    agencies: list[AgencyReport]


@dataclass(frozen=True)
class ReportSettings:
    calendar: WorkingCalendar
    bands: GradeBands = field(default_factory=GradeBands)
    names: Mapping[int, str] = field(default_factory=dict)
    """Configured agency names; they win over the platform's."""
    agency: int | None = None
    """Only this agency (with its sub-units)."""


def build_report(
    connection: Connection, period: Period, now: datetime, settings: ReportSettings
) -> Report:
    names, parents = institutions(connection)
    names.update({str(i): n for i, n in settings.names.items()})
    wanted = None if settings.agency is None else str(settings.agency)
    top = heads(ancestors(parents), wanted)
    own: dict[str, AgencyReport] = {}
    overdue_rows: list[tuple[str, int, datetime, str]] = []

    def report_of(agency: str) -> AgencyReport:
        if agency not in own:
            own[agency] = AgencyReport(agency, names.get(agency, _unnamed(agency)))
        return own[agency]

    c = CLOCKS.c
    margin = timedelta(days=1)
    low = datetime.combine(period.start, datetime.min.time(), UTC) - margin
    high = datetime.combine(period.end, datetime.max.time(), UTC) + margin
    rows = connection.execute(
        select(
            c.complaint_id,
            c.kind,
            c.agency_id,
            c.zone,
            c.started_at,
            c.due_at,
            c.paused_at,
            c.stopped_at,
            c.outcome,
        )
        .where(c.started_at >= low, c.started_at <= high, *_holders(wanted, top))
        .execution_options(yield_per=20_000)
    )
    calendar = settings.calendar
    for complaint_id, kind, agency_id, zone, started, due, paused, stopped, outcome in rows:
        local = tz(zone)
        start_day = started.astimezone(local).date()
        if start_day not in period:
            continue
        agency = agency_label(agency_id)
        if wanted is not None and top.get(agency, agency) != wanted:
            continue
        if outcome is not None:
            state = outcome
        elif paused is None and now > due:
            state = OPEN_BREACHED
        else:
            state = OPEN_ON_TIME
        mine = report_of(agency)
        totals = mine.totals(kind)
        totals.received += 1
        totals.counts[state] += 1
        if state in ("met", "late") and stopped is not None:
            totals.response_days.append(
                calendar.working_days_between(start_day, stopped.astimezone(local).date())
            )
        if kind == ClockKind.FOLLOWUP.value:
            month = mine.monthly.setdefault((start_day.year, start_day.month), Counter())
            month["received"] += 1
            month["followed_up"] += state in ("met", "late")
            month["met"] += state == "met"
            month["judged"] += state in ("met", "late", OPEN_BREACHED)
            if state == OPEN_BREACHED:
                overdue_rows.append((agency, complaint_id, due, zone))
    _attach_overdue(connection, own, overdue_rows, names, calendar, now)
    return Report(period, now, settings.bands, _roll_up(own, top, names))


def _holders(wanted: str | None, top: Mapping[str, str]) -> list[Any]:
    """For one agency: its clocks and its sub-units', filtered by the database."""
    if wanted is None:
        return []
    family = [wanted, *(unit for unit, head in top.items() if head == wanted)]
    if wanted == NO_AGENCY:
        return [CLOCKS.c.agency_id.is_(None)]
    return [CLOCKS.c.agency_id.in_([int(a) for a in family if a.isdigit()])]


def _unnamed(agency: str) -> str:
    return "(platform, before disposition)" if agency == NO_AGENCY else agency


def _roll_up(
    own: dict[str, AgencyReport], top: Mapping[str, str], names: Mapping[str, str]
) -> list[AgencyReport]:
    """One report per top-level agency: its own clocks and its sub-units' added up,
    with each sub-unit (and the agency's own part, when it has clocks) listed under it."""
    families: dict[str, list[AgencyReport]] = {}
    for agency, report in own.items():
        families.setdefault(top.get(agency, agency), []).append(report)
    rolled = []
    for head, parts in families.items():
        mine = own.get(head)
        units = sorted((p for p in parts if p.agency != head), key=lambda r: _order(r.agency))
        if mine is not None and not units:
            rolled.append(mine)
            continue
        merged = AgencyReport(head, mine.name if mine else names.get(head, _unnamed(head)))
        for part in parts:
            for kind, totals in part.clocks.items():
                merged.totals(kind).add(totals)
            for month, counts in part.monthly.items():
                merged.monthly.setdefault(month, Counter()).update(counts)
            merged.not_followed_up.extend(part.not_followed_up)
        merged.not_followed_up.sort(key=lambda o: -o.working_days_late)
        if mine is not None and mine.clocks:
            merged.units.append(AgencyReport(head, mine.name, mine.clocks, own_part=True))
        merged.units += units
        rolled.append(merged)
    return sorted(rolled, key=lambda r: _order(r.agency))


def _order(agency: str) -> tuple[int, int]:
    return (0, 0) if agency == NO_AGENCY else (1, int(agency)) if agency.isdigit() else (2, 0)


def _attach_overdue(
    connection: Connection,
    own: Mapping[str, AgencyReport],
    rows: Sequence[tuple[str, int, datetime, str]],
    names: Mapping[str, str],
    calendar: WorkingCalendar,
    now: datetime,
) -> None:
    k = COMPLAINTS.c
    found: dict[int, tuple[str, str, bool]] = {}
    ids = sorted({complaint_id for _, complaint_id, _, _ in rows})
    for chunk in chunks(ids):
        for row_id, tracking, title, secret in connection.execute(
            select(k.id, k.tracking_id, k.title, k.is_secret).where(k.id.in_(chunk))
        ):
            found[row_id] = (tracking, title, secret)
    late: dict[str, list[Overdue]] = defaultdict(list)
    for agency, complaint_id, due, zone in rows:
        tracking, title, secret = found[complaint_id]
        local = tz(zone)
        days = calendar.working_days_between(
            due.astimezone(local).date(), now.astimezone(local).date()
        )
        late[agency].append(
            Overdue(
                tracking_id=tracking,
                title=None if secret else title,
                holder=agency,
                holder_name=names.get(agency, agency),
                due_at=due,
                working_days_late=days,
            )
        )
    for agency, items in late.items():
        own[agency].not_followed_up = sorted(items, key=lambda o: -o.working_days_late)
