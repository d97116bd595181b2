"""Alerts wired from configuration: the planner for the clock keeper, and one pass
of the alert job (tick the clocks, record digests, dispatch the outbox).

``syncd alerts send`` runs one pass; the daemon runs it on its schedule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from alerts.compose import Composer
from alerts.digest import enqueue_digests
from alerts.dispatch import Dispatched, Dispatcher
from alerts.gather import FactFinder
from alerts.mailers import FileMailer, Mailer, SmtpMailer
from alerts.monthly import MonthlyReports, enqueue_monthly
from alerts.planner import AlertPlanner
from alerts.routing import Routes
from alerts.thresholds import AlertSettings, Schedule
from alerts.windows import Window
from syncd.clock.calendar import WorkingCalendar
from syncd.clock.compliance import GradeBands
from syncd.clock.keeper import ClockKeeper
from syncd.clock.policy import ClockPolicy
from syncd.config import Config
from syncd.report.figures import ReportSettings

TICK_LIMIT = 5_000


def utcnow() -> datetime:
    return datetime.now(UTC)


def planner_for(config: Config, calendar: WorkingCalendar) -> AlertPlanner | None:
    """The clock keeper's watcher, or None when alerts are disabled."""
    if not config.alerts.enabled:
        return None
    schedule = Schedule(AlertSettings.from_config(config), calendar)
    return AlertPlanner(schedule, Routes(config.alerts.routes))


def keeper_for(config: Config) -> ClockKeeper:
    """The clock keeper with the alert planner watching, as every writer uses it."""
    calendar = WorkingCalendar.from_config(config.calendar)
    return ClockKeeper(ClockPolicy.from_config(config), calendar, planner_for(config, calendar))


@dataclass
class AlertPass:
    clocks_evaluated: int
    digests: int
    dispatched: Dispatched


@dataclass
class AlertService:
    engine: Engine
    keeper: ClockKeeper
    dispatcher: Dispatcher
    settings: AlertSettings
    routes: Routes
    any_hour: bool = False
    now: Callable[[], datetime] = utcnow

    @classmethod
    def from_config(
        cls,
        config: Config,
        engine: Engine,
        *,
        mail_dir: Path | None = None,
        any_hour: bool = False,
        now: Callable[[], datetime] = utcnow,
        batch_size: int = 100,
        on_sent: Callable[[str], None] = lambda kind: None,
        on_failure: Callable[[str], None] = lambda reason: None,
    ) -> AlertService:
        """``mail_dir``: write ``.eml`` files there instead of speaking SMTP (the demo).
        ``any_hour``: ignore office hours and working days (the demo). ``on_sent`` and
        ``on_failure``: told each delivery's kind and each failure's reason."""
        keeper = keeper_for(config)
        calendar = keeper.calendar
        settings = AlertSettings.from_config(config)
        routes = Routes(config.alerts.routes)
        alerts = config.alerts
        smtp = alerts.smtp

        def mailer() -> Mailer:
            return FileMailer(mail_dir) if mail_dir is not None else SmtpMailer(smtp)

        dispatcher = Dispatcher(
            engine=engine,
            composer=Composer(alerts.language, alerts.from_),
            finder=FactFinder(
                calendar,
                {a.id: a.name for a in config.agencies},
                alerts.complaint_url_template,
            ),
            mailer=mailer,
            alert_window=Window(alerts.send_at, alerts.office_hours_end, calendar, any_hour),
            digest_window=Window(alerts.digest_at, alerts.office_hours_end, calendar, any_hour),
            digest_scopes={scope.recipient: scope for scope in routes.digests()},
            alerting=settings.alerting,
            batch_size=batch_size,
            on_sent=on_sent,
            on_failure=on_failure,
            monthly=MonthlyReports(
                {scope.recipient: scope for scope in routes.monthly()},
                ReportSettings(
                    calendar=calendar,
                    bands=GradeBands(tuple(config.compliance.grade_bands)),
                    names={a.id: a.name for a in config.agencies},
                ),
            )
            if config.reports.monthly_email
            else None,
        )
        return cls(engine, keeper, dispatcher, settings, routes, any_hour, now)

    def tick(self) -> int:
        """Re-evaluates every clock whose time has come; the planner records what is due."""
        total = 0
        while True:
            with self.engine.begin() as connection:
                ticked = self.keeper.tick(connection, self.now(), limit=TICK_LIMIT)
            total += ticked.evaluated
            if ticked.evaluated < TICK_LIMIT:
                return total

    def record_digests(self) -> int:
        """Records today's digests, and last month's summaries when it is their time."""
        if not self.settings.enabled:
            return 0
        with self.engine.begin() as connection:
            if self.dispatcher.monthly is not None:
                enqueue_monthly(
                    connection,
                    self.routes.monthly(),
                    self.keeper.calendar,
                    zone_name=self.keeper.policy.platform_zone,
                    send_at=self.settings.send_at,
                    closes=self.settings.office_hours_end,
                    now=self.now(),
                    any_hour=self.any_hour,
                )
            return enqueue_digests(
                connection,
                self.routes.digests(),
                self.keeper.policy,
                self.keeper.calendar,
                digest_at=self.settings.digest_at,
                closes=self.settings.office_hours_end,
                now=self.now(),
                any_hour=self.any_hour,
            )

    def run_once(self) -> AlertPass:
        evaluated = self.tick()
        digests = self.record_digests()
        dispatched = self.dispatcher.run(self.now)
        return AlertPass(evaluated, digests, dispatched)
