"""The counters this process keeps as it works: sync passes, upstream requests, mail.

Unlike the mirror's gauges they start from zero with the process, which is what
Prometheus expects of counters (``rate`` and ``increase`` handle the reset). Every
label value that can occur is created up front, so each series exists as 0 before
its first event (CONTRACT.md section 6).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)

from syncd import __version__
from syncd.sync.stats import PassStats
from syncd.vocabulary import AlertKind, RunResult

UPSTREAM_CODES = ("200", "401", "403", "404", "429", "500", "502", "503", "504", "error")
"""The codes created as 0 up front; others appear when they first happen."""
DELIVERY_FAILURES = ("temporary", "permanent", "compose")
"""compose: the mail could not be composed (a template or facts error); retried a few
times, then failed."""
SYNC_BUCKETS = (0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)


class Instruments:
    def __init__(self, registry: CollectorRegistry, sources: Sequence[str]) -> None:
        # The *_created series would double every counter for no reader's benefit.
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self.sync_runs = Counter(
            "sp4n_sync_runs", "Sync passes by result.", ["source", "result"], registry=registry
        )
        self.sync_complaints = Counter(
            "sp4n_sync_complaints",
            "Complaints written into the mirror by sync passes.",
            ["source"],
            registry=registry,
        )
        self.sync_quarantined = Counter(
            "sp4n_sync_quarantined",
            "Upstream records quarantined by sync passes.",
            ["source"],
            registry=registry,
        )
        self.sync_duration = Histogram(
            "sp4n_sync_duration_seconds",
            "How long sync passes took.",
            ["source"],
            buckets=SYNC_BUCKETS,
            registry=registry,
        )
        self.upstream_requests = Counter(
            "sp4n_upstream_requests",
            'Requests to the platform by HTTP status, or "error" when no answer came.',
            ["source", "code"],
            registry=registry,
        )
        self.upstream_up = Gauge(
            "sp4n_upstream_up",
            "1 when the platform's last answer was not a server error, else 0.",
            ["source"],
            registry=registry,
        )
        self.alerts_sent = Counter(
            "sp4n_alerts_sent", "Alert mails delivered, by kind.", ["kind"], registry=registry
        )
        self.delivery_failures = Counter(
            "sp4n_alert_delivery_failures",
            "Failed alert mail deliveries: temporary ones are retried, compose ones a few times.",
            ["reason"],
            registry=registry,
        )
        self.job_failures = Counter(
            "sp4n_job_failures",
            "Scheduled jobs of the daemon that raised, or whose run was missed.",
            ["job", "reason"],
            registry=registry,
        )
        self.leader = Gauge(
            "sp4n_leader", "1 in the process that sends the alert mail.", registry=registry
        )
        self.build_info = Gauge(
            "sp4n_build_info", "The running syncd's version.", ["version"], registry=registry
        )
        self.build_info.labels(__version__).set(1)
        for source in sources:
            for result in (RunResult.OK, RunResult.ERROR):
                self.sync_runs.labels(source, result)
            self.sync_complaints.labels(source)
            self.sync_quarantined.labels(source)
            self.sync_duration.labels(source)
            for code in UPSTREAM_CODES:
                self.upstream_requests.labels(source, code)
            self.upstream_up.labels(source)
        for job in [*(f"sync:{source}" for source in sources), "alerts"]:
            for reason in ("error", "missed"):
                self.job_failures.labels(job, reason)
        for kind in AlertKind:
            self.alerts_sent.labels(kind.value)
        for reason in DELIVERY_FAILURES:
            self.delivery_failures.labels(reason)

    def sync_finished(self, stats: PassStats) -> None:
        if stats.stopped:
            return  # cut short by a shutdown: neither a success nor a failure
        self.sync_runs.labels(stats.source, RunResult.OK if stats.ok else RunResult.ERROR).inc()
        self.sync_complaints.labels(stats.source).inc(stats.written)
        self.sync_quarantined.labels(stats.source).inc(stats.quarantined)
        self.sync_duration.labels(stats.source).observe(stats.seconds)

    def upstream_observer(self, source: str) -> Callable[[str], None]:
        """The connector's response hook: one call per HTTP exchange."""

        def observe(code: str) -> None:
            self.upstream_requests.labels(source, code).inc()
            answered = code != "error" and not code.startswith("5")
            self.upstream_up.labels(source).set(1 if answered else 0)

        return observe

    def alert_sent(self, kind: str) -> None:
        self.alerts_sent.labels(kind).inc()

    def delivery_failed(self, reason: str) -> None:
        self.delivery_failures.labels(reason).inc()

    def job_failed(self, job: str, *, missed: bool) -> None:
        self.job_failures.labels(job, "missed" if missed else "error").inc()
