"""The metrics server under attack on loopback: a thousand scrapes at once, two
hundred clients that connect and say nothing, one that sends a byte now and then,
one that resets its connection. Threads stay bounded; every event is one log line."""

from __future__ import annotations

import asyncio
import logging
import select
import socket
import struct
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from syncd.metrics import MetricsServer
from syncd.metrics.server import Endpoints, ServerLimits
from syncd.wiring import metrics as wiring_metrics
from tests.support.mirror import make_config

pytestmark = pytest.mark.integration

TIMEOUT = 0.2
"""The server's per-connection limit in these tests (10 s in service)."""
REQUEST = b"GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n"


@pytest.fixture
def endpoints(sqlite_engine: Engine) -> Endpoints:
    metrics = wiring_metrics(make_config(2525), sqlite_engine, CollectorRegistry())
    metrics.mirror.refresh()
    return Endpoints(metrics.mirror, metrics.registry, metrics.readiness)


@contextmanager
def serving(endpoints: Endpoints, **limits: Any) -> Iterator[MetricsServer]:
    server = MetricsServer(endpoints, "127.0.0.1", 0, ServerLimits(**limits)).start()
    try:
        yield server
    finally:
        server.close()


class Lines(logging.Handler):
    """The server's log records, and an event once ``expected`` of them came."""

    def __init__(self, expected: int = 1) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.expected = expected
        self.arrived = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.INFO:
            self.records.append(record)
            if len(self.records) >= self.expected:
                self.arrived.set()


@contextmanager
def server_log(expected: int = 1) -> Iterator[Lines]:
    lines = Lines(expected)
    logger = logging.getLogger("syncd.metrics.server")
    logger.addHandler(lines)
    level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        yield lines
    finally:
        logger.removeHandler(lines)
        logger.setLevel(level)


async def _scrape(port: int) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(REQUEST)
        await writer.drain()
        answer = await reader.read()
    finally:
        writer.close()
        await writer.wait_closed()
    return answer.split(b"\r\n", 1)[0]


async def _scrape_all(port: int, clients: int, patience: float) -> Counter[str]:
    async def one() -> str:
        try:
            return (await asyncio.wait_for(_scrape(port), patience)).decode()
        except (OSError, TimeoutError) as exc:
            return type(exc).__name__

    return Counter(await asyncio.gather(*(one() for _ in range(clients))))


def test_it_answers_a_thousand_scrapes_at_once(endpoints: Endpoints) -> None:
    with serving(endpoints) as server:
        answers = asyncio.run(_scrape_all(server.port, 1000, patience=20.0))
    assert answers == {"HTTP/1.0 200 OK": 1000}


def _closed_by_server(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def test_it_keeps_its_threads_and_answers_while_two_hundred_clients_say_nothing(
    endpoints: Endpoints,
) -> None:
    threads = 4
    before = threading.active_count()
    with (
        server_log(expected=200) as lines,
        serving(endpoints, timeout=1.0, threads=threads) as server,
        ExitStack() as stack,
    ):
        silent = [
            stack.enter_context(socket.create_connection(("127.0.0.1", server.port)))
            for _ in range(200)
        ]
        scrape = httpx.get(f"http://127.0.0.1:{server.port}/metrics", timeout=10)
        assert scrape.status_code == 200
        assert b"sp4n_build_info" in scrape.content
        still_open, _, _ = select.select(silent, [], [], 0)
        assert still_open == [], "answered while the silent clients were still connected"
        most = threading.active_count()
        assert most <= before + 1 + threads, f"{most - before} threads for 200 silent clients"
        waiting = list(silent)
        while waiting:
            # Waits on the sockets themselves: they turn readable when the server closes.
            readable, _, _ = select.select(waiting, [], [], 5.0)
            assert readable, f"{len(waiting)} silent clients still connected after 5 s"
            most = max(most, threading.active_count())
            for sock in readable:
                assert _closed_by_server(sock)
                waiting.remove(sock)
        assert lines.arrived.wait(5.0)
    assert most <= before + 1 + threads, f"{most - before} threads for 200 silent clients"
    dropped = [r for r in lines.records if "sent no request within 1 s" in r.getMessage()]
    assert len(dropped) == 200
    assert all(r.exc_info is None for r in lines.records)


def test_a_client_sending_a_byte_now_and_then_is_cut_off(endpoints: Endpoints) -> None:
    with (
        serving(endpoints, timeout=TIMEOUT) as server,
        socket.create_connection(("127.0.0.1", server.port)) as sock,
    ):
        sock.settimeout(TIMEOUT / 4)  # between two bytes: well inside the limit
        sent = 0
        cut_off = False
        for byte in REQUEST[:-4]:  # the request never ends
            try:
                sock.sendall(bytes([byte]))
                sent += 1
                cut_off = _closed_by_server(sock)
            except TimeoutError:
                continue  # the server is still reading: the next byte
            except (BrokenPipeError, ConnectionResetError):
                cut_off = True
            if cut_off:
                break
    assert cut_off, "the server kept reading a request that never ends"
    assert sent < len(REQUEST) - 4


def test_a_client_that_resets_is_one_log_line_and_no_traceback(
    endpoints: Endpoints, capsys: pytest.CaptureFixture[str]
) -> None:
    with server_log() as lines, serving(endpoints, timeout=5.0) as server:
        sock = socket.create_connection(("127.0.0.1", server.port))
        sock.sendall(REQUEST[:20])  # a request begun, then a reset instead of the rest
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
        assert lines.arrived.wait(5.0), "nothing logged about the client that went away"
        assert httpx.get(f"http://127.0.0.1:{server.port}/healthz").status_code == 200
    assert len(lines.records) == 1, [r.getMessage() for r in lines.records]
    record = lines.records[0]
    assert "went away" in record.getMessage()
    assert record.exc_info is None
    assert "Traceback" not in capsys.readouterr().err
