"""deploy/prometheus and deploy/grafana: promtool's checks and unit tests, and the
dashboard held to the contract's metric names."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.contract import CONTRACT_NAMES

pytestmark = pytest.mark.integration  # promtool and systemd-analyze run as processes

DEPLOY = Path(__file__).parents[2] / "deploy"
PROMETHEUS = DEPLOY / "prometheus"


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("promtool")
    if binary is None:
        pytest.fail("promtool is not installed: apt-get install prometheus")
    return subprocess.run([binary, *args], check=False, capture_output=True, text=True)


def test_the_rules_pass_promtool_check() -> None:
    rules = sorted(str(p) for p in (PROMETHEUS / "rules").glob("*.yml"))
    assert len(rules) == 2
    checked = promtool("check", "rules", *rules)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_rules_pass_their_unit_tests() -> None:
    tests = sorted(str(p) for p in (PROMETHEUS / "tests").glob("*.test.yml"))
    assert tests
    tested = promtool("test", "rules", *tests)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "SUCCESS" in tested.stdout


def test_the_example_scrape_config_passes_promtool_check() -> None:
    checked = promtool("check", "config", str(PROMETHEUS / "prometheus.yml"))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_dashboard_reads_only_contract_metrics() -> None:
    board = json.loads((DEPLOY / "grafana" / "dashboards" / "syncd.json").read_text())
    exprs = [t["expr"] for p in board["panels"] for t in p.get("targets", [])]
    exprs += [v.get("definition", "") for v in board["templating"]["list"]]
    used = {name for expr in exprs for name in re.findall(r"\bsp4n_[a-z_]+", expr)}
    histogram_series = {f"sp4n_sync_duration_seconds_{s}" for s in ("bucket", "sum", "count")}
    assert used
    assert used - CONTRACT_NAMES - histogram_series == set()
    assert all(p["datasource"]["uid"] == "${datasource}" for p in board["panels"] if "targets" in p)
