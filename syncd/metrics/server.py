"""``/metrics``, ``/healthz`` and ``/readyz`` on ``metrics.listen`` (CONTRACT.md section 5).

A plain threading HTTP server from the standard library: three read-only endpoints
need no framework. ``/metrics`` joins the mirror's gauges, rendered at their last
refresh, with this process's counters, rendered per scrape (a few dozen series).
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from syncd.metrics.mirror import MirrorCollector
from syncd.metrics.snapshot import last_success_at

log = logging.getLogger(__name__)

STALE_AFTER_POLLS = 3


@dataclass(frozen=True)
class Readiness:
    """Ready when the database answers and every source synced within 3 poll intervals."""

    engine: Engine
    poll_intervals: Mapping[str, timedelta]
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    def check(self) -> dict[str, Any]:
        """Empty when ready; else the reasons, by what failed."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
                last = {s: last_success_at(connection, s) for s in self.poll_intervals}
        except SQLAlchemyError as exc:
            return {"database": f"does not answer: {type(exc).__name__}"}
        now = self.clock()
        stale = {}
        for source, interval in self.poll_intervals.items():
            finished = last[source]
            limit = STALE_AFTER_POLLS * interval
            if finished is None:
                stale[source] = "no successful sync yet"
            elif now - finished > limit:
                stale[source] = (
                    f"last successful sync {finished.isoformat()} is older than "
                    f"{STALE_AFTER_POLLS} poll intervals ({int(limit.total_seconds())} s)"
                )
        return {"sources": stale} if stale else {}


@dataclass(frozen=True)
class Endpoints:
    mirror: MirrorCollector
    registry: CollectorRegistry
    readiness: Readiness

    def exposition(self) -> bytes:
        return self.mirror.rendered + generate_latest(self.registry)


class _Handler(BaseHTTPRequestHandler):
    endpoints: Endpoints
    server_version = "syncd"

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/metrics":
            self._send(200, self.endpoints.exposition(), CONTENT_TYPE_PLAIN_0_0_4)
        elif path == "/healthz":
            self._send(200, b"ok\n", "text/plain; charset=utf-8")
        elif path == "/readyz":
            reasons = self.endpoints.readiness.check()
            body = json.dumps({"ready": not reasons, **reasons}).encode() + b"\n"
            self._send(503 if reasons else 200, body, "application/json")
        else:
            self._send(
                404,
                b"not found: /metrics, /healthz and /readyz are served\n",
                "text/plain; charset=utf-8",
            )

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("metrics http: " + format, *args)


class MetricsServer:
    """The endpoints served from a background thread until ``close``."""

    def __init__(self, endpoints: Endpoints, host: str, port: int) -> None:
        handler = type("Handler", (_Handler,), {"endpoints": endpoints})
        server_class = type(
            "Server",
            (ThreadingHTTPServer,),
            {
                "address_family": socket.AF_INET6 if ":" in host else socket.AF_INET,
                "daemon_threads": True,
            },
        )
        self._server = server_class((host, port), handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="syncd-metrics", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> MetricsServer:
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
