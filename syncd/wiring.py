"""Builds syncd's parts from the configuration: the one module that reads the model of
the file on behalf of the layers below it.

Below the wiring nothing imports ``syncd.config``: the calendar, the clock policy,
the alert settings, routes and SMTP settings, the metrics and the connectors each
take plain values of their own, filled in here. The entry points (``syncd.cli``,
``syncd.daemon``) load the configuration and call these functions.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry
from sqlalchemy import Connection, Engine

from alerts.compose import Composer
from alerts.daily_cap import DailyCap
from alerts.dispatch import Dispatcher
from alerts.gather import FactFinder
from alerts.mailers import FileMailer, Mailer, SmtpMailer, SmtpSettings
from alerts.monthly import MonthlyReports
from alerts.planner import AlertPlanner
from alerts.routing import Route, Routes
from alerts.service import AlertService, utcnow
from alerts.thresholds import AlertSettings, Schedule
from alerts.windows import Window
from connectors.http import ResponseObserver
from connectors.simulator import Simulator, World, WorldSettings
from connectors.sp4n_lapor import LaporConnector, LaporSettings, build_client
from syncd.clock.calendar import WorkingCalendar
from syncd.clock.compliance import GradeBands
from syncd.clock.policy import ClockKind, ClockPolicy
from syncd.clock.schedule import TrackingSchedule
from syncd.config import Config, SourceConfig
from syncd.config.model import CalendarConfig, SmtpConfig
from syncd.metrics import Metrics
from syncd.metrics.instruments import Instruments
from syncd.metrics.mirror import MirrorCollector
from syncd.metrics.server import Readiness
from syncd.metrics.snapshot import KnownAgency, MirrorSettings
from syncd.report.figures import ReportSettings
from syncd.store.clocks import ClockKeeper
from syncd.store.runs import synced_since

SIMULATOR_CREDENTIAL = "simulator"


class SourceUnusable(Exception):
    """The source's configuration cannot make a connector (a missing secret, say)."""


# -- the clocks -------------------------------------------------------------------------


def working_calendar(calendar: CalendarConfig) -> WorkingCalendar:
    return WorkingCalendar(
        extra_holidays=calendar.extra_holidays,
        extra_working_days=calendar.extra_working_days,
        joint_holidays=calendar.joint_holidays,
    )


def clock_policy(config: Config) -> ClockPolicy:
    clocks = config.clocks
    return ClockPolicy(
        verification_days=clocks.verification.working_days,
        followup_days=clocks.followup.working_days,
        completion_days=clocks.completion.working_days,
        completion_by_classification={
            str(k): v for k, v in clocks.completion.by_classification.items()
        },
        field_examination_categories=frozenset(clocks.completion.field_examination_categories),
        field_examination_days=clocks.completion.field_examination_working_days,
        reporter_reply_days=clocks.reporter_reply.working_days,
        restart_on_reporter_reply=clocks.followup.restart_on_reporter_reply,
        due_soon_working_days=max(config.alerts.warn_working_days_before, default=0),
        send_at=config.alerts.send_at,
        agency_zones={a.id: a.timezone for a in config.agencies},
    )


def grade_bands(config: Config) -> GradeBands:
    return GradeBands(tuple(config.compliance.grade_bands))


def agency_names(config: Config) -> dict[int, str]:
    return {a.id: a.name for a in config.agencies}


def clock_keeper(config: Config) -> ClockKeeper:
    """The clock keeper with the alert planner watching (when alerts are enabled), as
    every writer uses it: the alerts a clock calls for are recorded in its transaction."""
    calendar = working_calendar(config.calendar)
    return ClockKeeper(clock_policy(config), calendar, alert_planner(config, calendar))


# -- alerts -----------------------------------------------------------------------------


def alert_settings(config: Config) -> AlertSettings:
    alerts, clocks = config.alerts, config.clocks
    alerting = {
        kind
        for kind, on in (
            (ClockKind.VERIFICATION, clocks.verification.alert),
            (ClockKind.FOLLOWUP, clocks.followup.alert),
            (ClockKind.COMPLETION, clocks.completion.alert),
        )
        if on
    }
    return AlertSettings(
        enabled=alerts.enabled,
        send_at=alerts.send_at,
        office_hours_end=alerts.office_hours_end,
        warn_working_days_before=tuple(alerts.warn_working_days_before),
        escalate_after_working_days=alerts.escalate_after_working_days,
        digest_at=alerts.digest_at,
        alerting=frozenset(alerting),
    )


def routes(config: Config) -> Routes:
    return Routes(
        [Route(r.agency, tuple(r.to), tuple(r.escalate_to), r.digest) for r in config.alerts.routes]
    )


def smtp_settings(smtp: SmtpConfig) -> SmtpSettings:
    return SmtpSettings(
        host=smtp.host,
        port=smtp.port,
        security=smtp.security,
        username=smtp.username,
        password=smtp.password,
        timeout=smtp.timeout,
        ca_file=smtp.ca_file,
    )


def alert_planner(config: Config, calendar: WorkingCalendar) -> AlertPlanner | None:
    """The clock keeper's watcher, or None when alerts are disabled."""
    if not config.alerts.enabled:
        return None
    return AlertPlanner(Schedule(alert_settings(config), calendar), routes(config))


def alert_service(
    config: Config,
    engine: Engine,
    *,
    mail_dir: Path | None = None,
    any_hour: bool = False,
    now: Callable[[], datetime] = utcnow,
    batch_size: int = 100,
    on_sent: Callable[[str], None] = lambda kind: None,
    on_failure: Callable[[str], None] = lambda reason: None,
    fencing: Callable[[], int | None] = lambda: None,
    lease_fresh: Callable[[], bool] | None = None,
) -> AlertService:
    """``mail_dir``: write ``.eml`` files there instead of speaking SMTP (the demo).
    ``any_hour``: ignore office hours and working days (the demo). ``on_sent`` and
    ``on_failure``: told each delivery's kind and each failure's reason."""
    keeper = clock_keeper(config)
    calendar = keeper.calendar
    settings = alert_settings(config)
    routing = routes(config)
    alerts = config.alerts
    smtp = smtp_settings(alerts.smtp)

    def mailer() -> Mailer:
        return FileMailer(mail_dir) if mail_dir is not None else SmtpMailer(smtp)

    monthly = (
        MonthlyReports(
            {scope.recipient: scope for scope in routing.monthly()},
            ReportSettings(
                calendar=calendar, bands=grade_bands(config), names=agency_names(config)
            ),
        )
        if config.reports.monthly_email
        else None
    )
    sources = [source.name for source in config.sources]
    alert_window = Window(alerts.send_at, alerts.office_hours_end, calendar, any_hour)

    def sources_synced_since(connection: Connection, since: datetime) -> bool:
        return synced_since(connection, sources, since)

    dispatcher = Dispatcher(
        engine=engine,
        composer=Composer(alerts.language, alerts.from_),
        finder=FactFinder(calendar, agency_names(config), alerts.complaint_url_template),
        mailer=mailer,
        alert_window=alert_window,
        digest_window=Window(alerts.digest_at, alerts.office_hours_end, calendar, any_hour),
        digest_scopes={scope.recipient: scope for scope in routing.digests()},
        alerting=settings.alerting,
        routes=routing,
        batch_size=batch_size,
        on_sent=on_sent,
        on_failure=on_failure,
        monthly=monthly,
        cap=DailyCap(alerts.max_mails_per_recipient_per_day, alert_window, sources_synced_since),
        fencing=fencing,
        lease_fresh=lease_fresh,
    )
    return AlertService(
        engine, keeper, dispatcher, settings, routing, any_hour, now, sources=sources
    )


# -- metrics ----------------------------------------------------------------------------


def metrics(
    config: Config,
    engine: Engine,
    registry: CollectorRegistry,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    role: Callable[[], tuple[dict[str, Any], str | None]] | None = None,
) -> Metrics:
    sources = [source.name for source in config.sources]
    settings = mirror_settings(config)
    intervals = {s.name: s.poll_interval for s in config.sources}
    return Metrics(
        mirror=MirrorCollector(engine, settings, clock),
        registry=registry,
        instruments=Instruments(registry, sources),
        readiness=Readiness(engine, intervals, clock, role),
    )


def mirror_settings(config: Config) -> MirrorSettings:
    return MirrorSettings(
        sources=[source.name for source in config.sources],
        agencies={a.id: KnownAgency(a.name, a.timezone) for a in config.agencies},
        bands=grade_bands(config),
    )


def tracking_schedule(source: SourceConfig) -> TrackingSchedule:
    tracking = source.tracking
    return TrackingSchedule(
        urgent_every=tracking.urgent_every,
        active_every=tracking.active_every,
        closed_every=tracking.closed_every,
        closed_for=tracking.closed_for,
    )


# -- connectors -------------------------------------------------------------------------


def lapor_settings(source: SourceConfig, base_url: str) -> LaporSettings:
    return LaporSettings(
        base_url=base_url,
        api_key=source.api_key or SIMULATOR_CREDENTIAL,
        token=source.token or SIMULATOR_CREDENTIAL,
        auth_header=source.auth_header,
        timezone=source.timezone,
        page_size=source.page_size,
        lookback=source.lookback,
        concurrency=source.concurrency,
        status_map=source.status_codes,
        status_names=source.status_aliases,
        max_requests_per_second=source.request_budget[0],
        max_concurrency=source.request_budget[1],
        max_response_bytes=source.max_response_bytes,
    )


def simulated_world(source: SourceConfig, clock: Callable[[], float] = time.time) -> World:
    """The simulator's world for a source of kind "simulator".

    Anchored at today's midnight UTC, so that separate ``syncd sync`` runs on one day
    see one world progressing, not a new world each time.
    """
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    settings = WorldSettings(complaints=source.complaints, seed=source.seed)
    return World.generate(settings, clock=clock, start=int(midnight.timestamp()))


@contextmanager
def open_connector(
    source: SourceConfig, *, observe: ResponseObserver | None = None
) -> Iterator[LaporConnector]:
    """A connector for the source, closed (and its simulator stopped) on exit."""
    simulator: Simulator | None = None
    if source.kind == "simulator":
        simulator = Simulator(simulated_world(source), profile=source.profile).start()
        base_url = simulator.base_url
    else:
        if not source.base_url:
            raise SourceUnusable(f"source {source.name!r}: base_url is not set")
        if not source.api_key or not source.token:
            raise SourceUnusable(
                f"source {source.name!r}: the API key and token are required "
                "(api_key_file/token_file, or the SYNCD_SOURCES_* environment variables)"
            )
        base_url = source.base_url
    settings = lapor_settings(source, base_url)
    connector = LaporConnector(
        settings, build_client(settings, verify=source.verify_tls), observe=observe
    )
    try:
        yield connector
    finally:
        connector.close()
        if simulator is not None:
            simulator.stop()
