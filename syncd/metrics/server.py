"""``/metrics``, ``/healthz`` and ``/readyz`` on ``metrics.listen`` (CONTRACT.md section 5).

An HTTP server from the standard library: three read-only endpoints need no
framework. ``/metrics`` joins the mirror's gauges, rendered at their last refresh,
with this process's counters, rendered per scrape (a few dozen series).

Whoever can reach the port gets no more than ``ServerLimits`` allow: the kernel
holds up to ``backlog`` connections not yet accepted; syncd holds up to
``connections`` open, each waiting for its request on one selector (a thread per
connection only once its request has begun to arrive), answered on at most
``threads`` threads. A client has ``timeout`` seconds to begin its request, as long
again to finish sending it, and as long to take the answer; then it is closed. A
client that goes away or times out is one log line, never a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import io
import itertools
import json
import logging
import selectors
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from syncd.metrics.mirror import MirrorCollector
from syncd.metrics.snapshot import last_failure, last_success_at

log = logging.getLogger(__name__)

STALE_AFTER_POLLS = 3


@dataclass(frozen=True)
class ServerLimits:
    """What the endpoints give any client, however many come."""

    backlog: int = 1024
    """Connections the kernel holds until they are accepted (``listen()``'s backlog)."""
    timeout: float = 10.0
    """Seconds to begin sending a request, to finish sending it, and to take the answer."""
    threads: int = 8
    """Requests answered at once; a scrape takes milliseconds."""
    connections: int = 256
    """Connections held open at once; the next ones wait in the backlog."""


@dataclass(frozen=True)
class Readiness:
    """Ready when the database answers and every source synced within 3 poll intervals."""

    engine: Engine
    poll_intervals: Mapping[str, timedelta]
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    role: Callable[[], tuple[dict[str, Any], str | None]] | None = None
    """With standbys: this process's role (and the leader it sees), and why it is not
    ready on that account (no leader for too long), or None."""

    def describe(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """What ``/readyz`` says besides ``ready``, and the reasons it is not."""
        reasons = self.check()
        if self.role is None:
            return {}, reasons
        try:
            info, problem = self.role()
        except Exception as exc:
            return {}, {**reasons, "leader": f"cannot tell: {type(exc).__name__}"}
        if problem is not None:
            reasons = {**reasons, "leader": problem}
        return info, reasons

    def check(self) -> dict[str, Any]:
        """Empty when ready; else the reasons, by what failed."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
                last = {s: last_success_at(connection, s) for s in self.poll_intervals}
                failed = {s: last_failure(connection, s) for s in self.poll_intervals}
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
            failure = failed[source]
            if source in stale and failure is not None:
                # Why it is stale, for the operator: the kind only (a run's message
                # stays in `syncd status`).
                stale[source] += f"; the last run failed ({failure[0]})"
        return {"sources": stale} if stale else {}


@dataclass(frozen=True)
class Endpoints:
    mirror: MirrorCollector
    registry: CollectorRegistry
    readiness: Readiness

    def exposition(self) -> bytes:
        return self.mirror.rendered + generate_latest(self.registry)


class _DeadlineReader(io.RawIOBase):
    """A connection's bytes, each read given what is left until one deadline: a
    client sending a byte now and then cannot keep a thread for long."""

    def __init__(self, connection: socket.socket, deadline: float) -> None:
        self._connection = connection
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request took too long to arrive")
        self._connection.settimeout(left)
        return self._connection.recv_into(buffer)


class _Handler(BaseHTTPRequestHandler):
    endpoints: Endpoints
    limit: float
    server_version = "syncd"

    def setup(self) -> None:
        super().setup()
        self.rfile.close()
        deadline = time.monotonic() + self.limit
        self.rfile = io.BufferedReader(_DeadlineReader(self.connection, deadline))

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/metrics":
            self._send(200, self.endpoints.exposition(), CONTENT_TYPE_PLAIN_0_0_4)
        elif path == "/healthz":
            self._send(200, b"ok\n", "text/plain; charset=utf-8")
        elif path == "/readyz":
            info, reasons = self.endpoints.readiness.describe()
            body = json.dumps({"ready": not reasons, **info, **reasons}).encode() + b"\n"
            self._send(503 if reasons else 200, body, "application/json")
        else:
            self._send(
                404,
                b"not found: /metrics, /healthz and /readyz are served\n",
                "text/plain; charset=utf-8",
            )

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.connection.settimeout(self.limit)  # the whole answer, once more the limit
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("metrics http: %s " + format, _peer(self.client_address), *args)

    def log_error(self, format: str, *args: Any) -> None:
        """A request that timed out or could not be read: one line."""
        log.info("metrics http: %s " + format, _peer(self.client_address), *args)


def _peer(address: Any) -> str:
    if isinstance(address, tuple) and len(address) >= 2:
        host, port = address[0], address[1]
        return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"
    return str(address)


class _Server(HTTPServer):
    """Accepts connections, holds each on one selector until its request begins to
    arrive (or its time is up), and answers it on a fixed pool of threads."""

    def __init__(
        self, address: tuple[str, int], handler: type[_Handler], limits: ServerLimits
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.request_queue_size = limits.backlog
        self.limits = limits
        super().__init__(address, handler)
        self.socket.setblocking(False)
        self._selector = selectors.DefaultSelector()
        self._wake_in, self._wake_out = socket.socketpair()
        self._wake_in.setblocking(False)
        self._wake_out.setblocking(False)
        self._selector.register(self._wake_in, selectors.EVENT_READ)
        self._pool = ThreadPoolExecutor(limits.threads, thread_name_prefix="syncd-metrics-http")
        self._waiting: dict[socket.socket, tuple[float, Any]] = {}
        """Accepted, their request not begun: by deadline, the earliest first."""
        self._open = 0
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._listening = False
        self._paused_until = 0.0

    def serve(self) -> None:
        """Until ``stop``: accept, wait for requests, hand them to the pool."""
        while not self._closing.is_set():
            now = time.monotonic()
            self._listen(now)
            for key, _ in self._selector.select(self._wait(now)):
                if key.fileobj is self.socket:
                    self._accept()
                elif key.fileobj is self._wake_in:
                    self._drain_wakeups()
                else:
                    self._dispatch(key.fileobj)  # type: ignore[arg-type]
            self._expire(time.monotonic())

    def stop(self) -> None:
        """Stop serving: connections still waiting are closed, requests being
        answered are finished (each within the limits)."""
        self._closing.set()
        self._wake()

    def close(self) -> None:
        """After ``serve`` has returned."""
        for connection in list(self._waiting):
            self._forget(connection)
            self.shutdown_request(connection)
            self._release()
        self._pool.shutdown(wait=True)
        self._selector.close()
        self._wake_in.close()
        self._wake_out.close()
        self.server_close()

    def _listen(self, now: float) -> None:
        with self._lock:
            room = self._open < self.limits.connections and now >= self._paused_until
        if room and not self._listening:
            self._selector.register(self.socket, selectors.EVENT_READ)
        elif not room and self._listening:
            self._selector.unregister(self.socket)
        self._listening = room

    def _wait(self, now: float) -> float | None:
        """How long select may wait: until the next deadline or the end of a pause."""
        until = [deadline for deadline, _ in itertools.islice(self._waiting.values(), 1)]
        if self._paused_until > now:
            until.append(self._paused_until)
        return max(0.0, min(until) - now) if until else None

    def _accept(self) -> None:
        while True:
            with self._lock:
                if self._open >= self.limits.connections:
                    return
            try:
                connection, address = self.socket.accept()
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                return
            except OSError as exc:
                if exc.errno not in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    raise
                log.warning("metrics http: cannot accept a connection (%s): pausing 1 s", exc)
                self._paused_until = time.monotonic() + 1.0
                return
            with self._lock:
                self._open += 1
            self._waiting[connection] = (time.monotonic() + self.limits.timeout, address)
            self._selector.register(connection, selectors.EVENT_READ)

    def _dispatch(self, connection: socket.socket) -> None:
        _, address = self._forget(connection)
        self._pool.submit(self._answer, connection, address)

    def _answer(self, connection: socket.socket, address: Any) -> None:
        try:
            self.finish_request(connection, address)
        except Exception:
            self.handle_error(connection, address)
        finally:
            self.shutdown_request(connection)
            self._release()

    def _expire(self, now: float) -> None:
        while self._waiting:
            connection, (deadline, address) = next(iter(self._waiting.items()))
            if deadline > now:
                return  # the rest are later
            self._forget(connection)
            log.info(
                "metrics http: %s sent no request within %g s: closed",
                _peer(address),
                self.limits.timeout,
            )
            self.shutdown_request(connection)
            self._release()

    def _forget(self, connection: socket.socket) -> tuple[float, Any]:
        self._selector.unregister(connection)
        return self._waiting.pop(connection)

    def _release(self) -> None:
        with self._lock:
            was_full = self._open >= self.limits.connections
            self._open -= 1
        if was_full:
            self._wake()

    def _wake(self) -> None:
        # A full buffer means a wake-up is pending already; a closed one, that we stop.
        with contextlib.suppress(OSError):
            self._wake_out.send(b"\0")

    def _drain_wakeups(self) -> None:
        with contextlib.suppress(BlockingIOError):
            while self._wake_in.recv(4096):
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One line per failed answer: a client that went away is not a traceback."""
        error = sys.exc_info()[1]
        peer = _peer(client_address)
        if isinstance(error, OSError):  # reset, broken pipe, timed out
            log.info("metrics http: %s went away: %s", peer, error or type(error).__name__)
        else:
            log.error(
                "metrics http: answering %s failed: %s: %s",
                peer,
                type(error).__name__,
                error,
                exc_info=log.isEnabledFor(logging.DEBUG),
            )


class MetricsServer:
    """The endpoints served from a background thread until ``close``."""

    def __init__(
        self, endpoints: Endpoints, host: str, port: int, limits: ServerLimits | None = None
    ) -> None:
        limits = limits or ServerLimits()
        handler = type("Handler", (_Handler,), {"endpoints": endpoints, "limit": limits.timeout})
        self._server = _Server((host, port), handler, limits)
        self._thread = threading.Thread(
            target=self._server.serve, name="syncd-metrics", daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> MetricsServer:
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.stop()
        if self._thread.is_alive():
            self._thread.join()
        self._server.close()
