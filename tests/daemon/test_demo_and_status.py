"""``syncd demo`` as a new user runs it, then ``syncd status`` on what it left."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.support.network import free_port
from tests.support.processes import SYNCD

pytestmark = pytest.mark.integration


def test_the_demo_mirrors_keeps_clocks_and_mails_then_status_reports_it(tmp_path: Path) -> None:
    port = free_port()
    demo = subprocess.run(
        [
            SYNCD,
            "demo",
            "--duration",
            "15s",
            "--complaints",
            "400",
            "--listen",
            f"127.0.0.1:{port}",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    screen = demo.stdout + demo.stderr
    assert demo.returncode == 0, screen
    assert "where to look" in screen
    assert "syncd track import" in screen, "the import step an agency takes is shown"
    assert "rejected" in screen and (tmp_path / "syncd-demo" / "rekap-laporan.xlsx").exists()
    assert f"http://127.0.0.1:{port}/metrics" in screen
    assert "Traceback" not in screen
    assert "WARNING" not in screen, "a demo that works says nothing alarming"
    mail = list((tmp_path / "syncd-demo" / "mail").glob("*.eml"))
    assert mail, "mail written"
    assert "breach" in screen or "escalate" in screen

    status = subprocess.run(
        [SYNCD, "status", "-c", "syncd-demo/syncd.toml", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert status.returncode == 0, status.stderr  # synced within 3 poll intervals
    report = json.loads(status.stdout)
    assert report["complaints"]["total"] >= 400
    assert report["sources"][0]["name"] == "demo"
    assert report["sources"][0]["fresh"] is True
    running = report["clocks_running"]
    assert set(running) == {"on_track", "due_soon", "breached", "paused"}
    assert running["breached"] > 0
    assert report["outbox"]["failed"] == 0


def test_status_exits_1_and_says_never_when_nothing_has_synced(tmp_path: Path) -> None:
    config = tmp_path / "syncd.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "syncd.db"}"\n'
        '[[sources]]\nname = "lapor"\nkind = "simulator"\n'
    )
    status = subprocess.run(
        [SYNCD, "status", "-c", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert status.returncode == 1
    assert "never" in status.stdout + status.stderr


def test_run_says_so_and_exits_1_when_the_metrics_port_is_taken(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = tmp_path / "syncd.toml"
        config.write_text(
            f'[database]\nurl = "sqlite:///{tmp_path / "syncd.db"}"\n'
            '[[sources]]\nname = "lapor"\nkind = "simulator"\ncomplaints = 10\n'
            f'[metrics]\nlisten = "127.0.0.1:{port}"\n'
        )
        run = subprocess.run(
            [SYNCD, "run", "-c", str(config)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert run.returncode == 1
    assert f"cannot serve metrics on 127.0.0.1:{port}" in run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
