"""``syncd run`` as a process: its start-up log names each weak setting, at WARNING,
before the service starts, and never the secret itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.network import free_port
from tests.support.processes import running, syncd_command
from tests.support.waiting import wait_for

pytestmark = pytest.mark.integration


def test_its_start_up_log_warns_of_each_weak_setting(tmp_path: Path) -> None:
    password_file = tmp_path / "smtp_password"
    password_file.write_text("p-SECRET-file\n")
    password_file.chmod(0o644)
    config = tmp_path / "syncd.toml"
    config.write_text(
        f"""
[database]
url = "sqlite:///{tmp_path / "syncd.db"}"

[[sources]]
name = "sim"
kind = "simulator"
complaints = 20

[alerts]
enabled = false

[alerts.smtp]
host = "smtp.example.go.id"
username = "monitor"
password_file = "{password_file}"

[metrics]
listen = "127.0.0.1:{free_port()}"
"""
    )
    log = tmp_path / "run.log"

    with running(syncd_command("run", "-c", str(config)), log):
        wait_for("the daemon's start", lambda: "started:" in log.read_text(), timeout=60)

    lines = log.read_text().splitlines()
    warned = [i for i, line in enumerate(lines) if "weak setting: key=" in line]
    started = next(i for i, line in enumerate(lines) if "started:" in line)
    assert len(warned) == 1, lines
    assert (
        "level=WARNING logger=syncd.config weak setting: key=alerts.smtp.password_file"
        in (lines[warned[0]])
    )
    assert f"{password_file} is readable by group and others (mode 0644)" in lines[warned[0]]
    assert warned[0] < started
    assert "p-SECRET" not in log.read_text()
