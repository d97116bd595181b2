"""A real HTTP server speaking the SP4N-LAPOR! V3 API over a simulated world.

Serves the paths of CONTRACT.md section 1, at the root and under ``/lapor/3.0.0``,
with HTTP/1.1 keep-alive, and injects the faults its ``Faults`` switch on.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from datetime import datetime
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from zoneinfo import ZoneInfo

from connectors.simulator import vocabulary as v
from connectors.simulator.answers import Answer, RequestLog, http_date, query_int
from connectors.simulator.faults import Dice, Faults
from connectors.simulator.observed import ObservedRenderer
from connectors.simulator.render import Renderer
from connectors.simulator.world import World

log = logging.getLogger(__name__)

PREFIX = "/lapor/3.0.0"
MAX_PAGE_SIZE = 1000
GATEWAY_ERROR_PAGE = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
GATEWAY_NOT_FOUND_PAGE = b"<html><head><title>404 Not Found</title></head><body>nginx</body></html>"
Profile = Literal["contract", "v3-observed"]
"""contract: the API of CONTRACT.md section 1, listing included; v3-observed: what
real gateways are seen to serve, without the listing (404 with the gateway's page)."""
_DETAIL = re.compile(r"^/complaints/(\d+)/complaint$")
_FOLLOWUPS = re.compile(r"^/complaints/(\d+)/followups$")


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up mid-answer (a reader that stopped at its cap, a fault
    it was served) is one log line, not a traceback on the demo's screen."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            log.info("simulator: %s went away: %s", client_address, type(error).__name__)
        else:
            log.error("simulator: answering %s failed: %r", client_address, error)


class Simulator:
    """The world, the faults and the server, started and stopped together."""

    def __init__(
        self,
        world: World,
        faults: Faults | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 0,
        sleep: Callable[[float], None] = time.sleep,
        profile: Profile = "contract",
    ) -> None:
        self.world = world
        self.profile = profile
        self.faults = faults or Faults()
        self.dice = Dice(seed)
        self.requests = RequestLog()
        zone = ZoneInfo(world.settings.timezone)
        self.renderer = ObservedRenderer(zone) if profile == "v3-observed" else Renderer(zone)
        self._sleep = sleep
        self.on_request: list[Callable[[int], None]] = []
        """Called with the request's number (from 1) before it is answered."""
        self._answered = 0
        self._hook_lock = threading.Lock()
        self._server = _QuietServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Simulator:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="sp4n-simulator", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        """Stop a server started with ``start()``."""
        self._server.shutdown()
        self.close()
        if self._thread is not None:
            self._thread.join()

    def close(self) -> None:
        """Release the listening socket."""
        self._server.server_close()

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def note_request(self) -> None:
        with self._hook_lock:
            self._answered += 1
            number = self._answered
        for hook in self.on_request:
            hook(number)

    # -- routes -------------------------------------------------------------------------

    def answer(self, path: str, query: dict[str, str], headers: Any) -> dict[str, Any]:
        self._check_credentials(headers)
        if self.dice.rate_limited(self.faults.rate_limit_rate):
            retry_after = "1" if self.dice.roll(0.5) else http_date(self.world.now() + 1)
            raise Answer(429, b'{"message":"Too Many Requests"}', {"Retry-After": retry_after})
        if self.dice.roll(self.faults.error_rate):
            if self.dice.roll(0.5):
                raise Answer(502, GATEWAY_ERROR_PAGE, {"Content-Type": "text/html"})
            raise Answer(503, b'{"success":false,"message":"Service Unavailable"}')
        if path.startswith(PREFIX):
            path = path[len(PREFIX) :]
        if path == "/complaints":
            if self.profile == "v3-observed":
                raise Answer(404, GATEWAY_NOT_FOUND_PAGE, {"Content-Type": "text/html"})
            return self._listing(query)
        if match := _DETAIL.match(path):
            return self._detail(int(match.group(1)))
        if match := _FOLLOWUPS.match(path):
            return self._followups(int(match.group(1)), query_int(query, "page", 1))
        if path == "/masters/institutions/external":
            return self._institutions(
                query_int(query, "page", 1), query_int(query, "page_size", 100)
            )
        raise Answer(404, b'{"success":false,"message":"Not Found"}')

    def _check_credentials(self, headers: Any) -> None:
        key, token = self.faults.api_key, self.faults.token
        if key is not None:
            given = headers.get("Authorization") or headers.get("auth") or ""
            if given != f"Bearer {key}":
                raise Answer(401, b'{"success":false,"message":"Unauthorized"}')
        if token is not None and headers.get("token") != token:
            raise Answer(403, b'{"success":false,"message":"Invalid token"}')

    def _listing(self, query: dict[str, str]) -> dict[str, Any]:
        if self.dice.roll(self.faults.mutate_rate):
            self.world.touch_random(self.dice.fork(), count=1 + self.dice.choice_index(3))
        if self.dice.roll(self.faults.late_write_rate):
            self.world.late_write(self.dice.fork(), self.faults.late_write_max_seconds)
        page = query_int(query, "page", 1)
        page_size = query_int(query, "page_size", 100)
        if not 1 <= page_size <= MAX_PAGE_SIZE or page < 1:
            raise Answer(422, b'{"success":false,"message":"invalid page or page_size"}')
        updated_from = self._parse_wall(query["updated_from"]) if "updated_from" in query else None
        with self.world.lock:
            ids, total = self.world.listing(updated_from, page, page_size)
            now = self.world.now()
            data = [self.renderer.summary(self.world.complaints[i], now) for i in ids]
        if data and self.dice.roll(self.faults.duplicate_rate):
            at = self.dice.choice_index(len(data))
            data.insert(at, dict(data[at]))
        last_page = max(1, -(-total // page_size))
        next_query = {**query, "page": str(page + 1)}
        return {
            "data": data,
            "current_page": page,
            "last_page": last_page,
            "per_page": page_size,
            "total": total,
            "next_page_url": self._url("/complaints", next_query) if page < last_page else None,
        }

    def _detail(self, complaint_id: int) -> dict[str, Any]:
        with self.world.lock:
            c = self.world.listed(complaint_id)
            if c is None:
                raise Answer(404, b'{"success":false,"message":"Laporan tidak ditemukan"}')
            return self.renderer.detail(c, self.world.now())

    def _followups(self, complaint_id: int, page: int) -> dict[str, Any]:
        size = self.world.settings.followup_page_size
        with self.world.lock:
            c = self.world.listed(complaint_id)
            if c is None:
                raise Answer(404, b'{"success":false,"message":"Laporan tidak ditemukan"}')
            rendered = self.renderer.followups(c, self.world.now())
        chunk = rendered[(page - 1) * size : page * size]
        more = page * size < len(rendered)
        path = f"/complaints/{complaint_id}/followups"
        return {
            "data": chunk,
            "next_page_url": self._url(path, {"page": str(page + 1)}) if more else None,
        }

    def _institutions(self, page: int, page_size: int) -> dict[str, Any]:
        if isinstance(self.renderer, ObservedRenderer):
            return {"data": self.renderer.institutions()}  # all at once, no parents
        rows = [{"id": i, "name": name, "parent_id": parent} for i, name, parent in v.INSTITUTIONS]
        chunk = rows[(page - 1) * page_size : page * page_size]
        more = page * page_size < len(rows)
        query = {"page": str(page + 1), "page_size": str(page_size)}
        return {
            "data": chunk,
            "next_page_url": self._url("/masters/institutions/external", query) if more else None,
        }

    def _parse_wall(self, text: str) -> int:
        try:
            naive = datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
        except ValueError:
            raise Answer(422, b'{"success":false,"message":"invalid updated_from"}') from None
        return int(naive.replace(tzinfo=self.renderer.zone).timestamp())

    def _url(self, path: str, query: dict[str, str]) -> str:
        return f"{self.base_url}{path}?{urllib.parse.urlencode(query)}"

    # -- faults on the way out --------------------------------------------------------

    def delay(self) -> None:
        if self.faults.latency > 0:
            self._sleep(self.dice.uniform(0, self.faults.latency))

    def truncation(self) -> str | None:
        if not self.dice.roll(self.faults.truncate_rate):
            return None
        return "cut" if self.dice.roll(0.5) else "broken"


def _handler_for(sim: Simulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "SP4N-LAPOR-Simulator/3.0.0"
        # Headers and body go out in two writes; without this, Nagle and delayed ACKs
        # add 40 ms to every keep-alive request.
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            sim.requests.enter()
            try:
                self._get()
            finally:
                sim.requests.leave()

        def _get(self) -> None:
            split = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(split.query))
            sim.note_request()
            sim.delay()
            try:
                results = sim.answer(split.path, query, self.headers)
            except Answer as answer:
                sim.requests.add(str(answer.status))
                self._send(answer.status, answer.body, answer.headers)
                return
            body = json.dumps(
                {"success": True, "message": "OK", "results": results},
                ensure_ascii=False,
                separators=(",", ":"),
            ).encode()
            how = sim.truncation()
            sim.requests.add(f"200-{how}" if how else "200")
            if how == "cut":
                # Promise the whole body, send half, hang up: a transfer cut short.
                self._send(200, body[: len(body) // 2], length=len(body))
                self.close_connection = True
                return
            if how == "broken":
                body = body[: len(body) // 2]
            self._send(200, body)

        def _send(
            self,
            status: int,
            body: bytes,
            headers: dict[str, str] | None = None,
            length: int | None = None,
        ) -> None:
            self.send_response(status)
            merged = {"Content-Type": "application/json", **(headers or {})}
            for name, value in merged.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(length if length is not None else len(body)))
            self.end_headers()
            self.wfile.write(body)

        def date_time_string(self, timestamp: float | None = None) -> str:
            # The Date header tells the world's time, which tests may have moved.
            return formatdate(sim.world.now() if timestamp is None else timestamp, usegmt=True)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("%s %s", self.address_string(), format % args)

    return Handler
