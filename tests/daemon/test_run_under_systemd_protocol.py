"""``syncd run`` as systemd runs it: a subprocess against the simulator and a real SMTP
server, talking to a NOTIFY_SOCKET this test listens on."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.support.network import free_port
from tests.support.processes import SYNCD
from tests.support.smtp import SmtpServer
from tests.support.waiting import wait_for

pytestmark = pytest.mark.integration

WAIT = 90.0


class NotifySocket:
    """The listening end of systemd's notification socket."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.messages: list[dict[str, str]] = []

    def receive_until(self, done: str, timeout: float = WAIT) -> dict[str, str]:
        """Reads datagrams until one holds ``done`` (a KEY=value or a KEY=substring)."""
        key, _, wanted = done.partition("=")
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                break
            message = dict(line.split("=", 1) for line in data.decode().splitlines())
            self.messages.append(message)
            if wanted in message.get(key, "\0"):
                return message
        raise AssertionError(f"no {done!r} within {timeout:.0f} s; got {self.messages[-5:]}")

    def close(self) -> None:
        self.sock.close()


def config_text(tmp_path: Path, smtp_port: int, metrics_port: int) -> str:
    # Office hours all day, and these days working days, so that mail flows
    # whatever the hour and the day the test runs.
    today = datetime.now(UTC).date()
    days = [str(today + timedelta(days=d)) for d in (-1, 0, 1)]
    return f"""
[database]
url = "sqlite:///{tmp_path / "syncd.db"}"

[[sources]]
name = "sim"
kind = "simulator"
complaints = 300
poll_interval = "3s"

[calendar]
extra_working_days = {days}

[alerts]
send_at = "00:00"
office_hours_end = "23:59"
digest_at = "00:00"

[alerts.smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "none"

[[alerts.routes]]
agency = "*"
to = ["penghubung@example.go.id"]
escalate_to = ["atasan@example.go.id"]

[metrics]
listen = "127.0.0.1:{metrics_port}"
"""


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


def start(config: Path, notify: NotifySocket, log: Path) -> subprocess.Popen[bytes]:
    env = {"NOTIFY_SOCKET": str(notify.path), "WATCHDOG_USEC": "2000000", "PATH": "/usr/bin"}
    with log.open("ab") as output:
        return subprocess.Popen(
            [SYNCD, "run", "-c", str(config)],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
        )


def wait_for_mail(smtp: SmtpServer) -> None:
    wait_for("mail at the SMTP server", lambda: bool(smtp.received), WAIT)


def alert_keys(smtp: SmtpServer) -> list[tuple[str, str]]:
    keys = []
    for mail in smtp.received:
        message = mail.message
        for recipient in mail.rcpt_tos:
            keys.append((message["X-SP4N-Alert-Key"], recipient))
    return keys


def test_it_notifies_systemd_serves_mails_stops_on_sigterm_and_resumes_without_resending(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    metrics_port = free_port()
    config = tmp_path / "syncd.toml"
    config.write_text(config_text(tmp_path, smtp.port, metrics_port))
    notify = NotifySocket(tmp_path / "notify.sock")
    log = tmp_path / "syncd.log"
    try:
        process = start(config, notify, log)
        try:
            ready = notify.receive_until("READY=1")
            assert "STATUS" in ready
            notify.receive_until("WATCHDOG=1")
            notify.receive_until("WATCHDOG=1")
            notify.receive_until("STATUS=sim: sync ok")
            notify.receive_until("STATUS=alerts")
            scrape = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics").text
            mirrored = sum(
                float(line.rsplit(" ", 1)[1])
                for line in scrape.splitlines()
                if line.startswith("sp4n_complaints{")
            )
            assert mirrored >= 300  # the world goes on: complaints keep arriving
            assert httpx.get(f"http://127.0.0.1:{metrics_port}/readyz").status_code == 200
            wait_for_mail(smtp)
            first = alert_keys(smtp)
            assert first, "mail arrived"
            kinds = {key.rsplit("/", 1)[1] for key, _ in first}
            assert kinds & {"breach", "escalate"}, kinds

            stopped_at = time.monotonic()
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0
            assert time.monotonic() - stopped_at < 30
            notify.receive_until("STOPPING=1", timeout=5)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()

        # A restart resumes: the same world, nothing sent twice.
        notify.messages.clear()
        again = start(config, notify, log)
        try:
            notify.receive_until("READY=1")
            notify.receive_until("STATUS=alerts")
            again.send_signal(signal.SIGTERM)
            assert again.wait(timeout=30) == 0
        finally:
            if again.poll() is None:
                again.kill()
                again.wait()
    finally:
        notify.close()
    every = alert_keys(smtp)
    assert len(every) == len(set(every)), "an alert went to a recipient twice"
    assert set(first) <= set(every)
    assert "Traceback" not in log.read_text()
