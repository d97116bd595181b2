"""Prometheus metrics (CONTRACT.md section 6) and the HTTP endpoints (section 5).

- ``mirror``: the gauges describing the mirror, from the running totals;
- ``instruments``: this process's counters (sync, upstream, mail);
- ``server``: ``/metrics``, ``/healthz`` and ``/readyz``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from syncd.clock.compliance import GradeBands
from syncd.config import Config
from syncd.metrics.instruments import Instruments
from syncd.metrics.mirror import KnownAgency, MirrorCollector, MirrorSettings
from syncd.metrics.server import Endpoints, MetricsServer, Readiness


@dataclass
class Metrics:
    mirror: MirrorCollector
    registry: CollectorRegistry
    """This process's counters; the mirror's gauges are rendered apart, at refresh."""
    instruments: Instruments
    readiness: Readiness

    @classmethod
    def from_config(
        cls,
        config: Config,
        engine: Engine,
        registry: CollectorRegistry,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> Metrics:
        sources = [source.name for source in config.sources]
        settings = MirrorSettings(
            sources=sources,
            agencies={a.id: KnownAgency(a.name, a.timezone) for a in config.agencies},
            bands=GradeBands(tuple(config.compliance.grade_bands)),
        )
        return cls(
            mirror=MirrorCollector(engine, settings, clock),
            registry=registry,
            instruments=Instruments(registry, sources),
            readiness=Readiness(engine, {s.name: s.poll_interval for s in config.sources}, clock),
        )

    def serve(self, host: str, port: int) -> MetricsServer:
        return MetricsServer(
            Endpoints(self.mirror, self.registry, self.readiness), host, port
        ).start()


__all__ = ["Instruments", "Metrics", "MetricsServer", "MirrorCollector"]
