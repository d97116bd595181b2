"""deploy/systemd/syncd.service: what systemd itself says of it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration  # promtool and systemd-analyze run as processes

UNIT = Path(__file__).parents[2] / "deploy" / "systemd" / "syncd.service"
NETWORK_DROP_IN = UNIT.parent / "syncd-network.conf.example"
EXPOSURE = re.compile(r"Overall exposure level for syncd\.service: (\d+\.\d+)")


def analyze(*args: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("systemd-analyze")
    if binary is None:
        pytest.fail("systemd-analyze is not installed: apt-get install systemd")
    return subprocess.run([binary, *args], capture_output=True, text=True, check=False)


def exposure(result: subprocess.CompletedProcess[str]) -> float:
    found = EXPOSURE.search(result.stdout)
    assert found, result.stdout + result.stderr
    return float(found.group(1))


def test_its_exposure_is_1_5_or_lower() -> None:
    result = analyze("security", "--offline=yes", "--no-pager", str(UNIT))

    assert exposure(result) <= 1.5, result.stdout
    assert result.stderr == ""  # systemd understood every line


def test_it_talks_to_loopback_only_and_bounds_its_threads() -> None:
    settings = [line for line in UNIT.read_text().splitlines() if not line.startswith("#")]

    assert "IPAddressDeny=any" in settings
    assert "IPAddressAllow=localhost" in settings
    (tasks,) = [line for line in settings if line.startswith("TasksMax=")]
    # About 35 threads at the defaults with one source (the unit's comment): headroom.
    assert 64 <= int(tasks.removeprefix("TasksMax=")) <= 512
    result = analyze("security", "--offline=yes", "--no-pager", str(UNIT))
    assert re.search(r"IPAddressDeny=\s+Service defines IP address allow list", result.stdout)


def test_the_documented_drop_in_opens_the_network_and_keeps_the_exposure(tmp_path: Path) -> None:
    # systemd reads the unit and its drop-in where `systemctl edit syncd` puts them.
    system = tmp_path / "etc" / "systemd" / "system"
    (system / "syncd.service.d").mkdir(parents=True)
    (system / "syncd.service").write_text(UNIT.read_text())
    drop_in = NETWORK_DROP_IN.read_text()
    (system / "syncd.service.d" / "network.conf").write_text(drop_in)

    result = analyze(
        "security", "--offline=yes", "--no-pager", f"--root={tmp_path}", "syncd.service"
    )

    assert result.stderr == ""  # every address in the example parses
    assert exposure(result) <= 1.5, result.stdout
    assert "allow list with non-localhost entries" in result.stdout
    assert re.search(r"^IPAddressAllow=\S", drop_in, re.M)
    for documented in ("deploy/README.md", "docs/OPERATIONS.md"):
        text = (UNIT.parents[2] / documented).read_text()
        assert "systemctl edit syncd" in text, documented
        assert "syncd-network.conf.example" in text, documented


def test_it_is_a_notify_service_that_does_not_restart_on_a_bad_configuration() -> None:
    text = UNIT.read_text()
    for line in (
        "Type=notify",
        "Restart=on-failure",
        "RestartPreventExitStatus=78",
        "DynamicUser=yes",
        "StateDirectory=syncd",
        "LoadCredential=lapor_api_key:",
        "LoadCredential=lapor_token:",
        "LoadCredential=smtp_password:",
    ):
        assert line in text, line
    assert re.search(r"^WatchdogSec=\S+", text, re.M)
