"""Runs the daemon in the foreground: systemd's notifications, signals, the watchdog.

First it takes the database (``syncd.store.holder``): a second ``syncd run`` on the
same database stops there with ``DatabaseInUse``, naming the holder, before it binds
a port or touches the outbox. READY=1 goes out once the database is upgraded, the
first schedule is up and the metrics answer; STATUS= after every job; WATCHDOG=1
every half watchdog interval while the scheduler runs (a wedged scheduler stops the
pings and systemd restarts the service); STOPPING=1 on SIGTERM or SIGINT.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from syncd.config import Config
from syncd.daemon.notify import Notifier
from syncd.daemon.service import Daemon
from syncd.daemon.starting import serve_metrics, stopped_by_signals
from syncd.store.holder import DatabaseLock, Holder, hold_database
from syncd.wiring import metrics as wiring_metrics

log = logging.getLogger("syncd")

IDLE_WAKE = 5.0
"""How often the main thread looks up when there is no watchdog to feed."""

_KEPT_TO_THE_END: list[DatabaseLock] = []
"""Locks of runs that abandoned work at stop: released only when the process ends."""


@dataclass(frozen=True)
class Foreground:
    config: Config
    engine: Engine
    notifier: Notifier
    mail_dir: Path | None = None
    any_hour: bool = False
    duration: timedelta | None = None
    """Stop by itself after this long (the demo)."""
    on_status: Callable[[str], None] | None = None
    """Also told each status line (the demo prints them)."""
    lock: DatabaseLock | None = None
    """The database, already taken (the demo takes it before clearing its folder);
    else ``run`` takes it, and releases it at the end."""

    def run(self, on_ready: Callable[[Daemon], None] = lambda daemon: None) -> int:
        """Runs until a signal (or ``duration``); the exit code: 0, or 1 when running
        work had to be abandoned at stop. Raises ``DatabaseInUse`` when another
        process holds the database."""
        if self.engine.dialect.name == "postgresql" and self.lock is None:
            # PostgreSQL is shared: this process leads or stands by (CONTRACT.md 8).
            from syncd.daemon.replica import Replica

            return Replica(self.config, self.engine, self.notifier).run(on_ready)
        with ExitStack() as stack:
            lock = self.lock or stack.enter_context(
                hold_database(self.engine, Holder.this_process(datetime.now(UTC)))
            )
            log.info("database: %s held by this process, %s", lock.database, lock.holder)
            code = self._run(on_ready)
            if code != 0 and self.lock is None:
                # Work abandoned at stop may still be running: the lock stays until
                # the process ends, so that no other process starts sending meanwhile.
                stack.pop_all()
                _KEPT_TO_THE_END.append(lock)
            return code

    def _run(self, on_ready: Callable[[Daemon], None]) -> int:
        metrics = wiring_metrics(self.config, self.engine, CollectorRegistry())
        daemon = Daemon(
            self.config,
            self.engine,
            metrics,
            mail_dir=self.mail_dir,
            any_hour=self.any_hour,
            on_status=self._status,
        )
        with stopped_by_signals() as stop:
            server = serve_metrics(self.config, metrics)
            try:
                daemon.start()
                self.notifier.ready(daemon.status())
                on_ready(daemon)
                self._wait(stop, daemon)
            finally:
                self.notifier.stopping()
                server.close()
                finished = daemon.stop()
        return 0 if finished else 1

    def _status(self, line: str) -> None:
        self.notifier.status(line)
        if self.on_status is not None:
            self.on_status(line)

    def _wait(self, stop: threading.Event, daemon: Daemon) -> None:
        deadline = time.monotonic() + self.duration.total_seconds() if self.duration else None
        every = self.notifier.ping_every or IDLE_WAKE
        while not stop.is_set():
            if deadline is not None and time.monotonic() >= deadline:
                log.info("stopping: duration=%ds reached", self.duration.total_seconds())  # type: ignore[union-attr]
                return
            if daemon.running:
                self.notifier.watchdog()
            else:
                log.error("the scheduler is not running: no watchdog ping")
            wait = every if deadline is None else min(every, max(0.0, deadline - time.monotonic()))
            stop.wait(wait)
