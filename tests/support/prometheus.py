"""A real Prometheus (Debian's package) on loopback, scraping what a test serves."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.network import free_port
from tests.support.processes import running
from tests.support.waiting import wait_for


@contextmanager
def prometheus_scraping(
    folder: Path, targets: Sequence[str], rule_files: Sequence[Path] = ()
) -> Iterator[str]:
    """Prometheus scraping ``targets`` every second with ``rule_files`` loaded, its
    data under ``folder``; yields its base URL once it is ready."""
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.fail("prometheus is not installed: apt-get install prometheus")
    port = free_port()
    config = folder / "prometheus.yml"
    config.write_text(
        json.dumps(
            {
                "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                "rule_files": [str(path) for path in rule_files],
                "scrape_configs": [{"job_name": "syncd", "static_configs": [{"targets": targets}]}],
            }
        )
    )
    command = [
        binary,
        f"--config.file={config}",
        f"--storage.tsdb.path={folder / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    base = f"http://127.0.0.1:{port}"
    with running(command, folder / "prometheus.log", stdout_to_log=False):
        wait_for("prometheus", lambda: httpx.get(f"{base}/-/ready").status_code == 200)
        yield base


@contextmanager
def serving_metrics(exposition: str) -> Iterator[str]:
    """An exporter on loopback that answers every GET with ``exposition`` (the
    Prometheus text format); yields its ``host:port`` for a scrape config."""
    body = exposition.encode()

    class Exposition(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # a scrape a second is not worth a line each

    server = ThreadingHTTPServer(("127.0.0.1", 0), Exposition)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def query(base: str, expr: str, at: float | None = None) -> list[dict[str, Any]]:
    """An instant query's result vector (at the instant ``at``, else now); the query
    must succeed."""
    params: dict[str, str | float] = {"query": expr}
    if at is not None:
        params["time"] = at
    answer = httpx.get(f"{base}/api/v1/query", params=params).json()
    assert answer["status"] == "success", (expr, answer)
    result: list[dict[str, Any]] = answer["data"]["result"]
    return result
