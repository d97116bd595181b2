"""A second ``syncd run`` on a SQLite database another one holds exits 1 at start,
naming the holder; so does a second ``syncd demo`` in the same folder, which leaves
the first one's folder alone. On PostgreSQL a second one stands by (CONTRACT.md
section 8), and one that would share the first's metrics port exits 1 saying so."""

from __future__ import annotations

import signal
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from tests.support.database import database_url
from tests.support.network import free_port
from tests.support.processes import SYNCD, run_syncd
from tests.support.waiting import wait_for

pytestmark = pytest.mark.integration


def config_text(url: str, metrics_port: int) -> str:
    return f"""
[database]
url = "{url}"

[[sources]]
name = "sim"
kind = "simulator"
complaints = 20
poll_interval = "1m"

[metrics]
listen = "127.0.0.1:{metrics_port}"
"""


@contextmanager
def first_daemon(config: Path, port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``syncd run`` serving its metrics (so it holds the database), then stopped."""
    with log.open("wb") as output:
        process = subprocess.Popen([SYNCD, "run", "-c", str(config)], stdout=output, stderr=output)
        try:
            wait_for(
                "the first syncd run",
                lambda: httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200,
                60,
            )
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0, log.read_text()


@pytest.mark.parametrize("metrics", ["the same port", "another port"])
def test_a_second_run_on_the_same_sqlite_database_exits_1_naming_the_holder(
    sqlite_engine: Engine, tmp_path: Path, metrics: str
) -> None:
    engine = sqlite_engine
    port = free_port()
    config = tmp_path / "syncd.toml"
    config.write_text(config_text(database_url(engine), port))
    # The very same configuration (the lock is taken before the metrics port is
    # bound), or one with a metrics port of its own, which nothing else would stop.
    other = tmp_path / "other.toml"
    other.write_text(config_text(database_url(engine), free_port()))
    second_config = config if metrics == "the same port" else other
    with first_daemon(config, port, tmp_path / "first.log") as first:
        second = run_syncd("run", "-c", str(second_config), timeout=30)
        screen = second.stdout + second.stderr
        assert second.returncode == 1, screen
        assert f"in use by syncd pid {first.pid} on {socket.gethostname()} (since " in screen
        assert "only one `syncd run` may use a database" in screen
        assert "Traceback" not in screen
        assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200  # unharmed


def test_a_second_demo_in_the_same_folder_exits_1_and_leaves_the_first_alone(
    tmp_path: Path,
) -> None:
    demo = [SYNCD, "demo", "--duration", "60s", "--complaints", "200"]
    lock = tmp_path / "syncd-demo" / "syncd.db.lock"
    log = tmp_path / "first.log"
    with log.open("wb") as output:
        first = subprocess.Popen(
            [*demo, "--listen", f"127.0.0.1:{free_port()}"],
            cwd=tmp_path,
            stdout=output,
            stderr=output,
        )
        try:
            wait_for("the first demo under way", lambda: "running:" in log.read_text(), 90)
            second = subprocess.run(
                [*demo, "--listen", f"127.0.0.1:{free_port()}"],
                cwd=tmp_path,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            screen = second.stdout + second.stderr
            assert second.returncode == 1, screen
            assert f"in use by syncd pid {first.pid}" in screen
            assert "another demo runs in" in screen
            assert "Traceback" not in screen
            assert lock.exists() and (tmp_path / "syncd-demo" / "syncd.db").exists()
            assert (tmp_path / "syncd-demo" / "rekap-laporan.xlsx").exists()
        finally:
            first.send_signal(signal.SIGTERM)
            code = first.wait(timeout=60)
    assert code == 0, log.read_text()
    assert "mirrored" in log.read_text()  # the first ran to its end, on its own database


def test_a_second_run_on_postgresql_stands_by_and_names_the_leader(
    postgresql_engine: Engine, tmp_path: Path
) -> None:
    port, standby_port = free_port(), free_port()
    config = tmp_path / "syncd.toml"
    config.write_text(config_text(database_url(postgresql_engine), port))
    other = tmp_path / "other.toml"
    other.write_text(config_text(database_url(postgresql_engine), standby_port))
    with first_daemon(config, port, tmp_path / "first.log") as first:
        wait_for(
            "the first to lead",
            lambda: httpx.get(f"http://127.0.0.1:{port}/readyz").json().get("role") == "leader",
            60,
        )
        same_port = run_syncd("run", "-c", str(config), timeout=30)
        assert same_port.returncode == 1, same_port.stdout + same_port.stderr
        assert "cannot serve metrics" in same_port.stdout + same_port.stderr
        with first_daemon(other, standby_port, tmp_path / "second.log"):
            ready = httpx.get(f"http://127.0.0.1:{standby_port}/readyz").json()
            assert ready["role"] == "standby", ready
            assert ready["leader"]["pid"] == first.pid
            metrics = httpx.get(f"http://127.0.0.1:{standby_port}/metrics").text
            assert "sp4n_leader 0.0" in metrics
        assert httpx.get(f"http://127.0.0.1:{port}/readyz").json()["role"] == "leader"
