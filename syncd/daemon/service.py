"""One process, one APScheduler: each source's listing poll at its poll interval (in
listing mode), its tracked checks every minute (or its poll interval, if shorter), and
the alert job (clock tick, digests, dispatch) every minute; the metrics refreshed
after each.

A job that fails is logged and counted, and the next run comes as scheduled: the
daemon never dies of one. Runs that fall behind are coalesced into one, and at most
one instance of a job runs at a time, so a slow backfill never piles up passes.

Stopping: no new run starts; a running sync pass ends after the page it is writing,
the dispatcher after the batch it is sending (each committed, so the next start
resumes there); whatever still runs after ``STOP_WITHIN`` is abandoned, its open
transaction rolled back by the database.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_MISSED,
    JobEvent,
    JobExecutionEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine

from alerts.service import AlertService
from connectors.sp4n_lapor import LaporConnector
from syncd.config import Config
from syncd.metrics import Metrics
from syncd.store.clocks.rules import rederive_if_stale
from syncd.store.lease import Lease
from syncd.sync import PassStats, SyncPass
from syncd.sync.discovery import Mode, discover
from syncd.sync.import_folder import import_folder
from syncd.sync.tracked import TrackedPass
from syncd.wiring import alert_service, open_connector, tracking_schedule

log = logging.getLogger(__name__)

ALERT_EVERY = timedelta(minutes=1)
TRACKED_EVERY = timedelta(minutes=1)
"""The tracked job runs at least this often, so an urgent check is never late by more."""
MISFIRE_GRACE = timedelta(minutes=5)
"""A run later than this is skipped (and logged); the next one comes as scheduled."""
STOP_WITHIN = timedelta(seconds=25)
"""How long running jobs get to finish their unit at shutdown (systemd waits 45 s)."""


@dataclass
class LastSync:
    at: datetime
    ok: bool
    written: int


@dataclass
class Daemon:
    config: Config
    engine: Engine
    metrics: Metrics
    mail_dir: Path | None = None
    """Write mail as ``.eml`` files here instead of speaking SMTP (the demo)."""
    any_hour: bool = False
    """Ignore office hours (the demo)."""
    on_status: Callable[[str], None] = lambda status: None
    """Told a one-line status after each job (systemd's STATUS=)."""
    stopping: threading.Event = field(default_factory=threading.Event)
    last_sync: dict[str, LastSync] = field(default_factory=dict)
    mail_sent: int = 0
    last_alert_pass: datetime | None = None
    _stack: ExitStack = field(default_factory=ExitStack)
    _connectors: dict[str, LaporConnector] = field(default_factory=dict)
    _modes: dict[str, Mode] = field(default_factory=dict)
    """How each source is read, once discovery has told (CONTRACT.md section 1)."""
    _scheduler: BackgroundScheduler | None = None
    _alerts: AlertService | None = None
    lease: Lease | None = None
    """With standbys (PostgreSQL): the lease this process leads under; its jobs'
    engine carries the fence, and each mail waits for the lease to be confirmed."""

    def start(self) -> None:
        instruments = self.metrics.instruments
        for source in self.config.sources:
            observe = instruments.upstream_observer(source.name)
            self._connectors[source.name] = self._stack.enter_context(
                open_connector(source, observe=observe)
            )
        self._alerts = alert_service(
            self.config,
            self.engine,
            mail_dir=self.mail_dir,
            any_hour=self.any_hour,
            on_sent=instruments.alert_sent,
            on_failure=instruments.delivery_failed,
            **self._ha(),
        )
        self._alerts.dispatcher.should_stop = self.stopping.is_set
        # Before any job keeps a clock: clocks derived by older rules are derived again.
        rederive_if_stale(self._alerts.keeper, self.engine, datetime.now(UTC))
        # A claim whose lease has run out is a dead process's; a live one may be a
        # dispatcher's still at work (``syncd alerts send``), and is left alone.
        self._alerts.dispatcher.release_claims(datetime.now(UTC))
        instruments.leader.set(1)

        scheduler = BackgroundScheduler(
            # A listing backfill, the tracked checks and the alert job run side by side.
            executors={"default": ThreadPoolExecutor(max_workers=3)},
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": int(MISFIRE_GRACE.total_seconds()),
            },
            timezone=UTC,
        )
        now = datetime.now(UTC)
        for source in self.config.sources:
            scheduler.add_job(
                self.sync_source,
                "interval",
                seconds=source.poll_interval.total_seconds(),
                args=[source.name],
                id=f"sync:{source.name}",
                next_run_time=now,
            )
            # The tracked checks are a job of their own, so that a long listing pass
            # never holds up an urgent check (the source's budget holds them both).
            scheduler.add_job(
                self.check_tracked,
                "interval",
                seconds=min(source.poll_interval, TRACKED_EVERY).total_seconds(),
                args=[source.name],
                id=f"track:{source.name}",
                next_run_time=now,
            )
        scheduler.add_job(
            self.alert_pass,
            "interval",
            seconds=ALERT_EVERY.total_seconds(),
            id="alerts",
            next_run_time=now,
        )
        scheduler.add_listener(self._on_trouble, EVENT_JOB_ERROR | EVENT_JOB_MISSED)
        scheduler.start()
        self._scheduler = scheduler
        log.info(
            "started: sources=%s alerts_every=%ds",
            ",".join(self._connectors),
            ALERT_EVERY.total_seconds(),
        )

    def _ha(self) -> dict[str, Any]:
        lease = self.lease
        if lease is None:
            return {}
        return {"fencing": lambda: lease.fencing, "lease_fresh": lease.fresh}

    @property
    def running(self) -> bool:
        return self._scheduler is not None and self._scheduler.running

    def stop(self) -> bool:
        """Takes no new work and lets the running units finish; False if some had to
        be abandoned after ``STOP_WITHIN``."""
        self.stopping.set()
        finished = True
        if self._scheduler is not None:
            scheduler, self._scheduler = self._scheduler, None
            waiter = threading.Thread(target=scheduler.shutdown, kwargs={"wait": True})
            waiter.start()
            waiter.join(STOP_WITHIN.total_seconds())
            finished = not waiter.is_alive()
            if not finished:
                log.warning(
                    "stop: jobs still running after %ds abandoned; their open "
                    "transactions roll back",
                    STOP_WITHIN.total_seconds(),
                )
        self.metrics.instruments.leader.set(0)
        if finished:
            self._stack.close()
        log.info("stopped")
        return finished

    def status(self) -> str:
        """One line for systemd's STATUS=: each source's last sync, and mail sent."""
        parts = []
        for name in self._connectors:
            last = self.last_sync.get(name)
            if last is None:
                parts.append(f"{name}: first sync running")
            else:
                outcome = "ok" if last.ok else "FAILED"
                parts.append(
                    f"{name}: sync {outcome} {last.at:%H:%M:%S} UTC, {last.written} written"
                )
        if self.last_alert_pass is not None:
            parts.append(f"alerts {self.last_alert_pass:%H:%M:%S} UTC, {self.mail_sent} mails sent")
        return "; ".join(parts)

    # -- the units of work ----------------------------------------------------------

    def sync_source(self, name: str) -> None:
        """The source's listing poll, once discovery has said it has a listing."""
        source = self.config.source(name)
        connector = self._connectors[name]
        mode = self._modes.get(name)
        if mode is None:
            found = discover(connector, source.discovery, name)
            if found is not None:
                self._modes[name] = mode = found
        if mode != "listing":
            return  # tracked mode: the tracked job reads the source
        stats = SyncPass(
            self.engine,
            connector,
            name,
            clocks=self._alerts.keeper if self._alerts else None,
            should_stop=self.stopping.is_set,
        ).run()
        self._finished(name, "sync", stats)

    def check_tracked(self, name: str) -> None:
        """The source's import folder, then its tracked checks that are due. In tracked
        mode a pass runs (and is recorded) even when nothing is due, so the source's
        last success stays fresh; in listing mode only when a check is due."""
        source = self.config.source(name)
        if source.tracking.import_dir:
            import_folder(self.engine, name, Path(source.tracking.import_dir), datetime.now(UTC))
        listing = self._modes.get(name) == "listing"
        tracked = TrackedPass(
            self.engine,
            self._connectors[name],
            name,
            schedule=tracking_schedule(source),
            clocks=self._alerts.keeper if self._alerts else None,
            concurrency=source.max_concurrency,
            should_stop=self.stopping.is_set,
            # In listing mode the listing pass re-reads the institutions.
            sync_institutions=not listing,
        )
        due = tracked.due_now()
        last = self.last_sync.get(name)
        stale = last is None or datetime.now(UTC) - last.at >= source.poll_interval
        # Nothing due: a pass is still recorded once a poll interval in tracked mode,
        # so that the source's last success (and /readyz) says it is being read.
        if due or (not listing and stale):
            self._finished(name, "tracked", tracked.run())

    def _finished(self, name: str, what: str, stats: PassStats) -> None:
        self.metrics.instruments.sync_finished(stats)
        log.info(
            "%s: source=%s result=%s listed=%d written=%d quarantined=%d seconds=%.1f",
            what,
            name,
            stats.result,
            stats.listed,
            stats.written,
            stats.quarantined,
            stats.seconds,
        )
        if not stats.stopped:
            self.last_sync[name] = LastSync(datetime.now(UTC), stats.ok, stats.written)
        self.metrics.mirror.refresh()
        self.on_status(self.status())
        if stats.written:
            # What the pass wrote may call for mail now: send it without waiting for
            # the alert job's next minute.
            self.run_now("alerts")

    def run_now(self, job_id: str) -> None:
        """Brings a scheduled job's next run to now (it still never runs twice at once)."""
        if self._scheduler is not None and not self.stopping.is_set():
            self._scheduler.modify_job(job_id, next_run_time=datetime.now(UTC))

    def alert_pass(self) -> None:
        if self._alerts is None:
            raise RuntimeError("the alert job runs only once the daemon has started")
        done = self._alerts.run_once()
        sent = sum(done.dispatched.sent.values())
        self.mail_sent += sent
        self.last_alert_pass = datetime.now(UTC)
        failed = done.dispatched
        if sent or failed.temporary or failed.permanent or failed.compose_failures:
            log.info(
                "alerts: evaluated=%d digests=%d sent=%d temporary_failures=%d "
                "permanent_failures=%d compose_failures=%d unconfirmed_window_ms=%.1f",
                done.clocks_evaluated,
                done.digests,
                sent,
                failed.temporary,
                failed.permanent,
                failed.compose_failures,
                failed.unconfirmed_window * 1000,
            )
        self.metrics.mirror.refresh()
        self.on_status(self.status())

    def _on_trouble(self, event: JobEvent) -> None:
        self.metrics.instruments.job_failed(event.job_id, missed=event.code == EVENT_JOB_MISSED)
        if isinstance(event, JobExecutionEvent) and event.exception is not None:
            first_line = (str(event.exception).splitlines() or [""])[0]
            log.error(
                "job failed: job=%s error=%s: %s",
                event.job_id,
                type(event.exception).__name__,
                first_line,
            )
            log.debug("job failed: job=%s traceback:\n%s", event.job_id, event.traceback)
        else:
            log.warning("job run missed: job=%s (it will run at its next time)", event.job_id)
