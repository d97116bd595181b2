"""A job that raises is logged and counted, and the daemon goes on."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import text

from syncd.config import Config
from syncd.daemon import Daemon
from syncd.store import make_engine, upgrade
from syncd.wiring import metrics as wiring_metrics

pytestmark = pytest.mark.integration


def test_a_raising_job_is_counted_and_the_schedule_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = Config.model_validate(
        {
            "database": {"url": f"sqlite:///{tmp_path / 'syncd.db'}"},
            "sources": [{"name": "sim", "kind": "simulator", "complaints": 50}],
            "alerts": {"routes": [{"agency": "*", "to": ["a@example.go.id"]}]},
        }
    )
    engine = make_engine(config.database.url)
    upgrade(engine)
    registry = CollectorRegistry()
    metrics = wiring_metrics(config, engine, registry)
    daemon = Daemon(config, engine, metrics)
    daemon.start()
    try:
        # The outbox goes away under the running daemon: the alert job now raises.
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE alert_outbox"))
        daemon.run_now("alerts")

        def failed() -> float:
            value = registry.get_sample_value(
                "sp4n_job_failures_total", {"job": "alerts", "reason": "error"}
            )
            return 0.0 if value is None else value

        # A run already under way when the table went (the first one, at start) makes
        # a run asked for meanwhile be skipped, by design: ask until one runs.
        deadline = time.monotonic() + 30
        pause = threading.Event()
        while not failed() and time.monotonic() < deadline:
            pause.wait(0.1)
            daemon.run_now("alerts")
        assert failed() >= 1
        assert daemon.running
        assert any("job failed: job=alerts" in r.getMessage() for r in caplog.records)
        # The schedule goes on: the job is tried again, and fails again, counted.
        before = failed() or 0
        daemon.run_now("alerts")
        deadline = time.monotonic() + 30
        while (failed() or 0) <= before and time.monotonic() < deadline:
            pause.wait(0.1)
            daemon.run_now("alerts")
        assert (failed() or 0) > before
    finally:
        assert daemon.stop()
        engine.dispose()
