"""One pass of the alert job: tick the clocks, record digests, dispatch the outbox.

``syncd alerts send`` runs one pass; the daemon runs it on its schedule. The wiring
(``syncd.wiring.alert_service``) builds it from the configuration.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine

from alerts.digest import enqueue_digests
from alerts.dispatch import Dispatcher
from alerts.dispatched import Dispatched
from alerts.monthly import enqueue_monthly
from alerts.routing import Routes
from alerts.thresholds import AlertSettings
from syncd.store.clocks import ClockKeeper
from syncd.store.runs import synced_since

TICK_LIMIT = 5_000


def utcnow() -> datetime:
    return datetime.now(UTC)


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
    sources: Sequence[str] = ()
    """The sources whose day's first pass the digest waits for."""

    def synced_since(self, connection: Connection, since: datetime) -> bool:
        return synced_since(connection, self.sources, since)

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
                synced_since=self.synced_since,
            )

    def run_once(self) -> AlertPass:
        evaluated = self.tick()
        digests = self.record_digests()
        dispatched = self.dispatcher.run(self.now)
        return AlertPass(evaluated, digests, dispatched)
