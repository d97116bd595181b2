"""deploy/systemd/syncd.service: what systemd itself says of it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration  # promtool and systemd-analyze run as processes

UNIT = Path(__file__).parents[2] / "deploy" / "systemd" / "syncd.service"


def analyze(*args: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("systemd-analyze")
    if binary is None:
        pytest.fail("systemd-analyze is not installed: apt-get install systemd")
    return subprocess.run([binary, *args], capture_output=True, text=True, check=False)


def test_its_exposure_is_2_or_lower() -> None:
    result = analyze("security", "--offline=yes", "--no-pager", str(UNIT))
    found = re.search(r"Overall exposure level for syncd\.service: (\d+\.\d+)", result.stdout)
    assert found, result.stdout + result.stderr
    assert float(found.group(1)) <= 2.0, result.stdout


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
