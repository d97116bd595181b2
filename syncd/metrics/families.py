"""The snapshot as Prometheus metric families (CONTRACT.md section 6).

Every series that may exist is exported, as 0 when nothing counts: each known
agency gets every status, and every clock kind it can hold in every state, outcome
and year. A ratio with nothing to divide by is NaN, and so is the grade from it: an
agency without complaints is neither failing nor perfect.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from prometheus_client.core import GaugeMetricFamily, Metric

from syncd.clock.compliance import GradeBands
from syncd.clock.policy import ClockKind
from syncd.metrics.snapshot import (
    AGENCY_KINDS,
    JUDGED_KINDS,
    OUTCOMES,
    PLATFORM_KINDS,
    RUNNING_STATES,
    SCHEDULES,
    STATUSES,
    WINDOW_STATES,
    MirrorSnapshot,
)
from syncd.store.tally import NO_AGENCY


def families(snapshot: MirrorSnapshot, bands: GradeBands) -> list[Metric]:
    """The snapshot as metric families, every series that may exist included."""
    agencies = sorted(snapshot.agencies, key=_agency_order)
    complaints = _complaints(snapshot, agencies)
    running, closed, on_time, oldest = _clocks(snapshot, agencies)
    followed_up, grade, info = _agencies(snapshot, agencies, bands)
    return [
        complaints,
        running,
        closed,
        on_time,
        followed_up,
        grade,
        oldest,
        info,
        *_service(snapshot),
        *_tracking(snapshot),
    ]


def _complaints(snapshot: MirrorSnapshot, agencies: Sequence[str]) -> Metric:
    complaints = GaugeMetricFamily(
        "sp4n_complaints",
        "Mirrored complaints the platform still shows, by holding agency and status.",
        labels=["agency", "status"],
    )
    counted_statuses = {status for _, status in snapshot.complaints}
    for agency in [NO_AGENCY, *agencies]:
        for status in sorted(set(STATUSES) | counted_statuses):
            complaints.add_metric([agency, status], snapshot.complaints.get((agency, status), 0))
    return complaints


def _clocks(
    snapshot: MirrorSnapshot, agencies: Sequence[str]
) -> tuple[Metric, Metric, Metric, Metric]:
    """Running and closed clocks, the on-time ratio and the longest overdue, by kind."""
    holders: list[tuple[str, Sequence[str]]] = [(NO_AGENCY, PLATFORM_KINDS)]
    holders += [(agency, AGENCY_KINDS) for agency in agencies]
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
            judged = kind in JUDGED_KINDS
            for state in RUNNING_STATES if judged else WINDOW_STATES:
                running.add_metric(
                    [agency, kind, state], snapshot.running.get((agency, kind, state), 0)
                )
            for year in snapshot.years:
                figures = snapshot.figures(agency, kind, year)
                for outcome in OUTCOMES:
                    closed.add_metric([agency, kind, outcome, str(year)], getattr(figures, outcome))
                if judged:
                    on_time.add_metric([agency, kind, str(year)], _ratio(figures.on_time_ratio))
            if not judged:
                continue  # the reporter's window is never overdue
            due = snapshot.earliest_due.get((agency, kind))
            overdue = due is not None and due < snapshot.now
            oldest.add_metric([agency, kind], _seconds(due) if overdue else 0.0)
    return running, closed, on_time, oldest


def _agencies(
    snapshot: MirrorSnapshot, agencies: Sequence[str], bands: GradeBands
) -> tuple[Metric, Metric, Metric]:
    """Each agency's followed-up ratio and grade by year, and its name and zone."""
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
    years = [str(y) for y in snapshot.years]
    for agency in agencies:
        known = snapshot.agencies[agency]
        info.add_metric([agency, known.name, known.timezone], 1)
        for year, label in zip(snapshot.years, years, strict=True):
            figures = snapshot.figures(agency, ClockKind.FOLLOWUP.value, year)
            followed_up.add_metric([agency, label], _ratio(figures.followed_up_ratio))
            graded = bands.grade(figures.on_time_ratio)
            grade.add_metric([agency, label], math.nan if graded is None else graded)
    return followed_up, grade, info


def _service(snapshot: MirrorSnapshot) -> list[Metric]:
    """Each source's last success, and the outbox's backlog."""
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
    return [last_success, pending, outbox_oldest]


def _tracking(snapshot: MirrorSnapshot) -> list[Metric]:
    """Each source's tracked ids by schedule class, and how far checks lag behind."""
    tracked = GaugeMetricFamily(
        "sp4n_tracked_complaints",
        "Complaint ids the source checks one by one, by schedule class.",
        labels=["source", "schedule"],
    )
    overdue = GaugeMetricFamily(
        "sp4n_tracked_checks_overdue",
        "Tracked complaints whose scheduled check is past; above 0 for long: the request "
        "budget is too small for the schedule.",
        labels=["source"],
    )
    lag = GaugeMetricFamily(
        "sp4n_tracked_check_lag_seconds",
        "How late the most overdue scheduled check is; 0 when none is.",
        labels=["source"],
    )
    for source in sorted(snapshot.last_success):
        for schedule in SCHEDULES:
            tracked.add_metric([source, schedule], snapshot.tracked.get((source, schedule), 0))
        late, oldest = snapshot.tracked_overdue.get(source, (0, None))
        overdue.add_metric([source], late)
        behind = (snapshot.now - oldest).total_seconds() if oldest is not None else 0.0
        lag.add_metric([source], max(0.0, behind))
    return [tracked, overdue, lag]


def _seconds(instant: datetime | None) -> float:
    return instant.timestamp() if instant is not None else 0.0


def _ratio(value: float | None) -> float:
    return math.nan if value is None else value


def _agency_order(agency: str) -> tuple[int, str]:
    return (int(agency), "") if agency.isdigit() else (0, agency)
