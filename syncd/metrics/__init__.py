"""Prometheus metrics (CONTRACT.md section 6) and the HTTP endpoints (section 5).

- ``mirror``: the gauges describing the mirror, from the running totals;
- ``instruments``: this process's counters (sync, upstream, mail);
- ``server``: ``/metrics``, ``/healthz`` and ``/readyz``.

The wiring (``syncd.wiring.metrics``) builds them from the configuration.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry

from syncd.metrics.instruments import Instruments
from syncd.metrics.mirror import MirrorCollector
from syncd.metrics.server import Endpoints, MetricsServer, Readiness


@dataclass
class Metrics:
    mirror: MirrorCollector
    registry: CollectorRegistry
    """This process's counters; the mirror's gauges are rendered apart, at refresh."""
    instruments: Instruments
    readiness: Readiness

    def serve(self, host: str, port: int) -> MetricsServer:
        return MetricsServer(
            Endpoints(self.mirror, self.registry, self.readiness), host, port
        ).start()


__all__ = ["Instruments", "Metrics", "MetricsServer", "MirrorCollector"]
