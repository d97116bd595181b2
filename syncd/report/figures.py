"""Compliance figures per agency and clock for a period (CONTRACT.md sections 2 and 4).

Clocks count by the local date they started, within the period; their state is
what it is at the report's ``now`` (a clock started in the period and closed after
it counts by how it closed). Sub-units roll up: a clock held by an institution with
a parent counts for its top-level ancestor too, and the sub-unit is listed under it.

The reporter's window (``reporter_reply``) measures the citizen, not the agency: it
is kept apart (``AgencyReport.reporter_window``), in no figure, ratio or grade.

The database does the counting (``syncd.report.counting``: one ``GROUP BY`` over
the clocks started in the period); here the groups are added up per agency, and the
few clocks overdue are listed with their complaints.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Connection

from syncd.clock.calendar import Holiday, WorkingCalendar
from syncd.clock.compliance import ClockFigures, GradeBands
from syncd.clock.policy import ClockKind
from syncd.clock.policy import zone as tz
from syncd.report.counting import (
    ANSWERED,
    OPEN_BREACHED,
    OPEN_ON_TIME,
    Late,
    count_clocks,
    overdue_clocks,
)
from syncd.report.days import BEYOND, DayTable
from syncd.report.hierarchy import ancestors, heads, institutions
from syncd.report.period import Period
from syncd.report.scope import Scope
from syncd.store.tally import NO_AGENCY

KIND_ORDER = [
    ClockKind.VERIFICATION.value,
    ClockKind.FOLLOWUP.value,
    ClockKind.COMPLETION.value,
]
"""The agency's clocks, which the figures, ratios and grades are made of."""
REPORTER_WINDOW = ClockKind.REPORTER_REPLY.value
MONTHLY_KINDS = (ClockKind.FOLLOWUP.value, ClockKind.COMPLETION.value)
UNNAMED = "(platform, before disposition)"
"""The name of what no agency holds yet (JSON; the other formats translate it)."""


@dataclass
class ClockTotals:
    received: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    """met, late, open_on_time, open_breached, transferred, cancelled (and, for the
    reporter's window, lapsed)."""
    response_days: Counter[int] = field(default_factory=Counter)
    """Working days from start to stop → how many of the met and late clocks took them."""

    def add(self, other: ClockTotals) -> None:
        self.received += other.received
        self.counts.update(other.counts)
        self.response_days.update(other.response_days)

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

    def _nth(self, position: int) -> int:
        """The ``position``-th (from 0) of the response times in order."""
        seen = 0
        for days in sorted(self.response_days):
            seen += self.response_days[days]
            if seen > position:
                return days
        raise IndexError(position)

    @property
    def median_response_days(self) -> float | None:
        n = sum(self.response_days.values())
        if not n:
            return None
        return (self._nth((n - 1) // 2) + self._nth(n // 2)) / 2

    @property
    def p90_response_days(self) -> float | None:
        """The nearest-rank 90th percentile: 90 % of responses took at most this."""
        n = sum(self.response_days.values())
        return float(self._nth(max(0, -(-9 * n // 10) - 1))) if n else None


class Overdue(NamedTuple):
    """A followup clock still running past its due date: a complaint not followed up."""

    tracking_id: str
    title: str | None
    """None for a confidential complaint: its title is never shown."""
    holder: str
    holder_name: str
    due_at: datetime
    working_days_late: int
    zone: str = "Asia/Jakarta"
    """The holder's time zone, in which its due date is shown."""


@dataclass
class AgencyReport:
    agency: str
    name: str
    clocks: dict[str, ClockTotals] = field(default_factory=dict)
    """The agency's clocks by kind (``KIND_ORDER``); never the reporter's window."""
    units: list[AgencyReport] = field(default_factory=list)
    """Sub-units, whose clocks are included in this agency's totals."""
    not_followed_up: list[Overdue] = field(default_factory=list)
    own_part: bool = False
    """Listed under its agency as that agency's own clocks, beside its sub-units'."""
    monthly: dict[str, dict[tuple[int, int], Counter[str]]] = field(default_factory=dict)
    """Followup and completion clocks by kind and start month: received, answered
    (met or late), met, open_breached, and judged (met, late or open breached: the
    on-time ratio's denominator)."""
    reporter_window: ClockTotals = field(default_factory=ClockTotals)
    """The reporter's windows opened by this agency's followups, by state: for
    information only, in no figure, ratio or grade of the agency."""

    def totals(self, kind: str) -> ClockTotals:
        return self.clocks.setdefault(kind, ClockTotals())

    def month(self, kind: str, month: tuple[int, int]) -> Counter[str]:
        return self.monthly.setdefault(kind, {}).setdefault(month, Counter())


@dataclass
class Report:
    period: Period
    now: datetime
    bands: GradeBands
    agencies: list[AgencyReport]
    zone: str = "Asia/Jakarta"
    """Where the reader is: the report's own instants are shown in this zone."""
    estimated_holidays: list[Holiday] = field(default_factory=list)
    """Holidays in the period whose date the calendar only estimates."""


@dataclass(frozen=True)
class ReportSettings:
    calendar: WorkingCalendar
    bands: GradeBands = field(default_factory=GradeBands)
    names: Mapping[int, str] = field(default_factory=dict)
    """Configured agency names; they win over the platform's."""
    agency: int | None = None
    """Only this agency (with its sub-units)."""
    zone: str = "Asia/Jakarta"
    """The reader's time zone (``Report.zone``)."""
    zones: Collection[str] = ()
    """The configured zones: SQLite then places those clocks' local dates itself."""


def build_report(
    connection: Connection, period: Period, now: datetime, settings: ReportSettings
) -> Report:
    names, parents = institutions(connection)
    names.update({str(i): n for i, n in settings.names.items()})
    wanted = None if settings.agency is None else str(settings.agency)
    top = heads(ancestors(parents), wanted)
    own: dict[str, AgencyReport] = {}

    def report_of(agency: str) -> AgencyReport:
        if agency not in own:
            own[agency] = AgencyReport(agency, names.get(agency, _unnamed(agency)))
        return own[agency]

    calendar = settings.calendar
    scope = _scope(period, wanted, top)
    last = max(period.end, now.date()) + BEYOND
    days = DayTable.covering(period.start - timedelta(days=2), last, calendar)
    behind: set[int] = set()
    """The agencies with followups overdue, for the list of them."""
    for tally in count_clocks(connection, scope, now, days, settings.zones):
        if wanted is not None and top.get(tally.agency, tally.agency) != wanted:
            continue
        if tally.state == OPEN_BREACHED and tally.kind == ClockKind.FOLLOWUP.value:
            behind.update([int(tally.agency)] if tally.agency.isdigit() else [])
        mine = report_of(tally.agency)
        totals = mine.reporter_window if tally.kind == REPORTER_WINDOW else mine.totals(tally.kind)
        totals.received += tally.clocks
        totals.counts[tally.state] += tally.clocks
        if tally.took:
            totals.response_days.update(tally.took)
        if tally.month is not None and tally.kind in MONTHLY_KINDS:
            month = mine.month(tally.kind, tally.month)
            month["received"] += tally.clocks
            month["answered"] += tally.clocks * (tally.state in ANSWERED)
            month["met"] += tally.clocks * (tally.state == "met")
            month[OPEN_BREACHED] += tally.clocks * (tally.state == OPEN_BREACHED)
            month["judged"] += tally.clocks * (tally.state in (*ANSWERED, OPEN_BREACHED))
    overdue = [
        row
        for row in overdue_clocks(
            connection,
            Scope(period.start, period.end, sorted(behind)),
            now,
            ClockKind.FOLLOWUP.value,
            days,
            settings.zones,
        )
        if wanted is None or top.get(row.agency, row.agency) == wanted
    ]
    _attach_overdue(report_of, overdue, names, days, now)
    return Report(
        period,
        now,
        settings.bands,
        _roll_up(own, top, names),
        zone=settings.zone,
        estimated_holidays=calendar.estimated_between(period.start - timedelta(days=1), period.end),
    )


def _scope(period: Period, wanted: str | None, top: Mapping[str, str]) -> Scope:
    """For one agency: its clocks and its sub-units', filtered by the database."""
    if wanted is None:
        return Scope(period.start, period.end)
    if wanted == NO_AGENCY:
        return Scope(period.start, period.end, unheld=True)
    family = [wanted, *(unit for unit, head in top.items() if head == wanted)]
    return Scope(period.start, period.end, [int(a) for a in family if a.isdigit()])


def _unnamed(agency: str) -> str:
    return UNNAMED if agency == NO_AGENCY else agency


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
            for kind, months in part.monthly.items():
                for month, counts in months.items():
                    merged.month(kind, month).update(counts)
            merged.reporter_window.add(part.reporter_window)
            merged.not_followed_up.extend(part.not_followed_up)
        merged.not_followed_up.sort(key=lambda o: -o.working_days_late)
        if mine is not None and (mine.clocks or mine.reporter_window.received):
            merged.units.append(
                AgencyReport(
                    head,
                    mine.name,
                    mine.clocks,
                    own_part=True,
                    reporter_window=mine.reporter_window,
                )
            )
        merged.units += units
        rolled.append(merged)
    return sorted(rolled, key=lambda r: _order(r.agency))


def _order(agency: str) -> tuple[int, int]:
    return (0, 0) if agency == NO_AGENCY else (1, int(agency)) if agency.isdigit() else (2, 0)


def _attach_overdue(
    report_of: Callable[[str], AgencyReport],
    rows: Sequence[Late],
    names: Mapping[str, str],
    days: DayTable,
    now: datetime,
) -> None:
    late: dict[str, list[Overdue]] = defaultdict(list)
    how_late: dict[tuple[datetime, str], int] = {}
    for row in rows:
        key = (row.due_at, row.zone)
        if key not in how_late:  # many clocks share a due instant
            local = tz(row.zone)
            due_day, today = row.due_at.astimezone(local).date(), now.astimezone(local).date()
            how_late[key] = days.working_days_between(due_day, today)
        late[row.agency].append(
            Overdue(
                tracking_id=row.tracking_id,
                title=row.title,
                holder=row.agency,
                holder_name=names.get(row.agency, row.agency),
                due_at=row.due_at,
                working_days_late=how_late[key],
                zone=row.zone,
            )
        )
    for agency, items in late.items():
        report_of(agency).not_followed_up = sorted(items, key=lambda o: -o.working_days_late)
