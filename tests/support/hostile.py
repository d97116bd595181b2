"""A hostile SP4N-LAPOR! upstream on loopback: CONTRACT.md section 1's endpoints,
serving whatever records a test hands it, well-formed or not, and on request the
answers that attack the reader itself (bodies that never end, compression bombs,
huge details, a listing whose ``next_page_url`` never ends).

Records are kept as the wire would carry them (``data`` of a detail, its logs and
followups), so a test can put any JSON value in any field, including an id that no
database holds. The listing sorts by ``updated_at`` as text, as a gateway does.
"""

from __future__ import annotations

import contextlib
import json
import threading
import urllib.parse
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PREFIX = "/lapor/3.0.0"
Attack = str
"""One of ``ATTACKS``, or "" for none."""
ATTACKS = ("endless-body", "gzip-bomb", "huge-details", "endless-pages")
MEBIBYTE = 1024 * 1024
HUGE_DETAIL_BYTES = 100 * MEBIBYTE
BOMB_BYTES = 1024 * MEBIBYTE


@dataclass
class Hosted:
    """One complaint as the upstream holds it."""

    data: dict[str, Any]
    logs: list[Any] = field(default_factory=list)
    followups: list[Any] = field(default_factory=list)
    raw_detail: bytes | None = None
    """Served instead of the detail's JSON (a truncated body, say)."""


def envelope(results: Any) -> dict[str, Any]:
    return {"success": True, "message": "OK", "results": results}


@cache
def bomb() -> bytes:
    """A gzip body of about 1 MB that expands to 1 GiB of valid-looking JSON."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: the gzip container
    parts = [packer.compress(b'{"success": true, "results": {"data": [], "pad": "')]
    block = b"a" * MEBIBYTE
    parts.extend(packer.compress(block) for _ in range(BOMB_BYTES // MEBIBYTE))
    parts.append(packer.compress(b'"}}'))
    parts.append(packer.flush())
    return b"".join(parts)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a reader hanging up on an attack is the point, not an error


class HostileUpstream:
    """The server; ``complaints`` and ``attack`` may be changed while it runs."""

    def __init__(self, complaints: list[Hosted], *, attack: Attack = "") -> None:
        self.complaints = complaints
        self.attack = attack
        self.institutions: list[Any] = [{"id": 4251, "name": "Kabupaten Sekadau"}]
        self.lock = threading.Lock()
        self.requests = 0
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{PREFIX}"

    def __enter__(self) -> HostileUpstream:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def find(self, raw_id: str) -> Hosted | None:
        with self.lock:
            for hosted in self.complaints:
                if str(hosted.data.get("id")) == raw_id:
                    return hosted
        return None

    def listing(self, params: dict[str, str]) -> dict[str, Any]:
        with self.lock:
            rows = [h.data for h in self.complaints]
        rows.sort(key=lambda r: (str(r.get("updated_at")), str(r.get("id"))))
        since = params.get("updated_from")
        if since is not None:
            rows = [r for r in rows if str(r.get("updated_at")) >= since]
        page, size = int(params.get("page", "1")), int(params.get("page_size", "100"))
        chunk = [
            {k: v for k, v in r.items() if k not in ("content", "location_name")}
            for r in rows[(page - 1) * size : page * size]
        ]
        more = page * size < len(rows)
        return {
            "data": chunk,
            "total": len(rows),
            "next_page_url": f"{self.base_url}/complaints?page={page + 1}" if more else None,
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the test's output is for the test

            def do_GET(self) -> None:
                with upstream.lock:
                    upstream.requests += 1
                url = urllib.parse.urlsplit(self.path)
                path = url.path.removeprefix(PREFIX)
                params = dict(urllib.parse.parse_qsl(url.query))
                # A reader that gives up mid-body is what an attack should get.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._answer(path, params)

            def _answer(self, path: str, params: dict[str, str]) -> None:
                parts = path.strip("/").split("/")
                if path == "/complaints":
                    self._listing(params)
                elif path == "/masters/institutions/external":
                    self._json(envelope({"data": upstream.institutions, "next_page_url": None}))
                elif len(parts) == 3 and parts[0] == "complaints":
                    self._complaint(parts[1], parts[2])
                else:
                    self._send(404, b"<html><body>404 Not Found</body></html>", kind="text/html")

            def _listing(self, params: dict[str, str]) -> None:
                attack = upstream.attack
                if attack == "endless-body":
                    self._chunked(endless_listing())
                elif attack == "gzip-bomb":
                    self._send(200, bomb(), encoding="gzip")
                elif attack == "endless-pages":
                    self._json(envelope(endless_page(int(params.get("page", "1")))))
                else:
                    self._json(envelope(upstream.listing(params)))

            def _complaint(self, raw_id: str, what: str) -> None:
                if upstream.attack == "huge-details" and what == "complaint":
                    self._chunked(huge_detail(raw_id))
                    return
                hosted = upstream.find(raw_id)
                if hosted is None or what not in ("complaint", "followups"):
                    self._send(404, b'{"success": false, "message": "not found"}')
                elif what == "followups":
                    self._json(envelope({"data": hosted.followups, "next_page_url": None}))
                elif hosted.raw_detail is not None:
                    self._send(200, hosted.raw_detail)
                else:
                    self._json(envelope({"data": hosted.data, "data_logs": hosted.logs}))

            def _json(self, body: Any) -> None:
                self._send(200, json.dumps(body).encode())

            def _send(
                self,
                status: int,
                body: bytes,
                *,
                kind: str = "application/json",
                encoding: str = "",
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                if encoding:
                    self.send_header("Content-Encoding", encoding)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _chunked(self, parts: Iterator[bytes]) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for part in parts:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.write(b"0\r\n\r\n")

        return Handler


def endless_listing() -> Iterator[bytes]:
    """A listing body that never ends (the reader must stop it)."""
    yield b'{"success": true, "results": {"data": ['
    record = b'{"id": 1, "tracking_id": "T1", "title": "x"},' * 1000
    while True:
        yield record


def huge_detail(raw_id: str) -> Iterator[bytes]:
    """A 100 MB detail, sent in chunks without a declared length."""
    yield b'{"success": true, "results": {"data": {"id": %s, "content": "' % raw_id.encode()
    block = b"a" * MEBIBYTE
    for _ in range(HUGE_DETAIL_BYTES // MEBIBYTE):
        yield block
    yield b'"}, "data_logs": []}}'


def endless_page(page: int) -> dict[str, Any]:
    """Page ``page`` of a listing that always has another page: new ids, one second."""
    first = 5_000_000 + page * 10
    return {
        "data": [
            {
                "id": first + i,
                "tracking_id": f"E{first + i}",
                "title": "tanpa akhir",
                "status_code": 0,
                "status_name": "Belum Terverifikasi",
                "classification": "Pengaduan",
                "is_secret": False,
                "is_anonymous": False,
                "created_at": "2025-03-20 08:00:00",
                "updated_at": "2025-03-20 08:00:00",
            }
            for i in range(10)
        ],
        "next_page_url": f"/complaints?page={page + 1}",
    }
