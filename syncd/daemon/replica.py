"""One of several ``syncd run`` processes sharing a PostgreSQL database: the leader or a
standby (CONTRACT.md section 8).

Every process serves ``/metrics``, ``/healthz`` and ``/readyz`` from the start and
records itself in ``ha_members``. Every third of ``[ha] lease_ttl`` the main thread
looks at the lease (``syncd.store.lease``): a standby takes it once it has expired
and starts the jobs (a ``Daemon``, whose engine carries the fence); the leader
renews it, and when it cannot, or a job's transaction finds it gone, it stops its
jobs and stands by. SIGTERM gives the lease up after the jobs have stopped, so a
standby takes over at its next look, well within one TTL.

The lease's engine is not the jobs': a renewal never queues behind a job's
connection, and the fence applies to the jobs alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from syncd.config import Config
from syncd.daemon.notify import Notifier
from syncd.daemon.service import Daemon
from syncd.daemon.starting import serve_metrics, stopped_by_signals
from syncd.metrics import Metrics
from syncd.store import make_engine
from syncd.store.lease import Fence, Lease
from syncd.wiring import metrics as wiring_metrics

log = logging.getLogger("syncd")

NO_LEADER_TTLS = 2
"""A standby is not ready once no process has led for this many TTLs."""


@dataclass
class Replica:
    config: Config
    engine: Engine
    """For the lease, the metrics and ``/readyz``: never fenced."""
    notifier: Notifier
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    daemon: Daemon | None = None

    def run(self, on_ready: Callable[[Daemon], None] = lambda daemon: None) -> int:
        ttl = self.config.ha.lease_ttl
        lease = Lease(self.engine, ttl)
        jobs = make_engine(self.config.database.url)
        Fence(lease).install(jobs)
        metrics = wiring_metrics(
            self.config, self.engine, CollectorRegistry(), role=lambda: self._role(lease)
        )
        with stopped_by_signals() as stop:
            server = serve_metrics(self.config, metrics)
            log.info("ha: standing by; lease_ttl=%ds", ttl.total_seconds())
            lease.heartbeat(self.started_at, "standby")
            self.notifier.ready(self._status(lease))
            try:
                while not stop.is_set():
                    self._look(lease, jobs, metrics, on_ready)
                    lease.heartbeat(self.started_at, "leader" if lease.leading else "standby")
                    self.notifier.status(self._status(lease))
                    self.notifier.watchdog()
                    every = ttl.total_seconds() / 3
                    ping = self.notifier.ping_every
                    stop.wait(min(every, ping) if ping else every)
            finally:
                self.notifier.stopping()
                finished = self._stop_jobs(metrics)
                lease.release()
                lease.heartbeat(self.started_at, "stopped")
                server.close()
                jobs.dispose()
        return 0 if finished else 1

    def _look(
        self, lease: Lease, jobs: Engine, metrics: Metrics, on_ready: Callable[[Daemon], None]
    ) -> None:
        if lease.leading and lease.renew():
            return
        if self.daemon is not None:
            # The lease is gone (a renewal failed, or a job's transaction found it
            # taken): the jobs stop; the fence has made their writes fail meanwhile.
            self._stop_jobs(metrics)
        if not lease.leading and lease.try_lead() is not None:
            daemon = Daemon(self.config, jobs, metrics, lease=lease, on_status=self._job_status)
            try:
                daemon.start()
            except Exception as exc:
                log.error("ha: the jobs could not start: %s", type(exc).__name__)
                lease.step_down("the jobs could not start")
                daemon.stop()
                return
            self.daemon = daemon
            on_ready(daemon)
        elif not lease.leading:
            metrics.mirror.refresh()  # a standby's gauges follow the shared totals

    def _stop_jobs(self, metrics: Metrics) -> bool:
        daemon, self.daemon = self.daemon, None
        metrics.instruments.leader.set(0)
        if daemon is None:
            return True
        log.info("ha: stopping the jobs")
        return daemon.stop()

    def _job_status(self, line: str) -> None:
        self.notifier.status(f"leader: {line}")

    def _status(self, lease: Lease) -> str:
        if lease.leading:
            line = self.daemon.status() if self.daemon is not None else ""
            return f"leader (fencing {lease.fencing}): {line}".rstrip(": ")
        try:
            seen = lease.leader()
        except Exception:
            return "standby: the database does not answer"
        if seen is None or seen.expires_in <= 0:
            return "standby: no leader"
        return f"standby: leader is pid {seen.pid} on {seen.host} (fencing {seen.fencing})"

    def _role(self, lease: Lease) -> tuple[dict[str, Any], str | None]:
        if lease.leading:
            return {"role": "leader", "fencing": lease.fencing}, None
        seen = lease.leader()
        if seen is not None and seen.expires_in > 0:
            leader = {"host": seen.host, "pid": seen.pid, "fencing": seen.fencing}
            return {"role": "standby", "leader": leader}, None
        limit = NO_LEADER_TTLS * self.config.ha.lease_ttl.total_seconds()
        gone_for = float("inf") if seen is None else -seen.expires_in
        problem = f"no leader for over {int(limit)} s" if gone_for > limit else None
        return {"role": "standby", "leader": None}, problem
