"""A real Prometheus scrapes a running ``syncd run`` fed by the simulator, with the
rules of deploy/prometheus loaded; every query of the Grafana dashboard answers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from tests.support.network import free_port
from tests.support.processes import running, syncd_command
from tests.support.prometheus import prometheus_scraping, query
from tests.support.smtp import SmtpServer
from tests.support.waiting import wait_for

pytestmark = pytest.mark.integration

DEPLOY = Path(__file__).parents[2] / "deploy"
DASHBOARD = DEPLOY / "grafana" / "dashboards" / "syncd.json"
WAIT = 90.0


@pytest.fixture
def syncd(tmp_path: Path) -> Iterator[str]:
    smtp = SmtpServer().start()
    port = free_port()
    config = tmp_path / "syncd.toml"
    config.write_text(
        f"""
[database]
url = "sqlite:///{tmp_path / "syncd.db"}"

[[sources]]
name = "sim"
kind = "simulator"
complaints = 400
poll_interval = "2s"

[[agencies]]
id = 4251
name = "Pemerintah Kabupaten Sekadau"
timezone = "Asia/Pontianak"

[alerts.smtp]
host = "127.0.0.1"
port = {smtp.port}
security = "none"

[[alerts.routes]]
agency = "*"
to = ["penghubung@example.go.id"]

[metrics]
listen = "127.0.0.1:{port}"
"""
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with running(syncd_command("run", "-c", str(config)), tmp_path / "syncd.log"):
            wait_for("syncd /readyz", lambda: httpx.get(f"{base}/readyz").status_code == 200)
            yield f"127.0.0.1:{port}"
    finally:
        smtp.stop()


@pytest.fixture
def prometheus(tmp_path: Path, syncd: str) -> Iterator[str]:
    rules = sorted((DEPLOY / "prometheus" / "rules").glob("*.yml"))
    with prometheus_scraping(tmp_path, [syncd], rules) as base:
        yield base


def dashboard_queries(agency: str) -> list[str]:
    """Every query of the dashboard, with Grafana's variables as Grafana would fill them."""
    board = json.loads(DASHBOARD.read_text())
    year = str(datetime.now(UTC).year)
    exprs = [t["expr"] for p in board["panels"] for t in p.get("targets", [])]
    for variable in board["templating"]["list"]:
        definition = variable.get("definition", "")
        if definition.startswith("query_result("):
            exprs.append(definition.removeprefix("query_result(").removesuffix(")"))
    filled = []
    for expr in exprs:
        text = expr
        for variable, value in {
            "${__to:date:YYYY}": year,
            "$__rate_interval": "1m",
            "$agency": agency,
        }.items():
            text = text.replace(variable, value)
        assert "$" not in text, f"a variable the test does not fill: {text}"
        filled.append(text)
    return filled


def test_every_dashboard_query_returns_data_from_a_real_prometheus(prometheus: str) -> None:
    def scraped_enough() -> bool:
        samples = query(prometheus, "count_over_time(sp4n_leader[1m])")
        written = query(prometheus, "sum(sp4n_sync_complaints_total)")
        return bool(samples and float(samples[0]["value"][1]) >= 5 and written)

    wait_for("five scrapes after the first sync", scraped_enough)
    busiest = query(
        prometheus,
        'topk(1, sum by (agency) (sp4n_clocks_running{state="breached"})'
        " * on (agency) group_left sp4n_agency_info)",
    )
    assert busiest, "the simulator's agencies have overdue clocks"
    agency = busiest[0]["metric"]["agency"]

    empty = []
    queries = dashboard_queries(agency)
    assert len(queries) >= 20
    for expr in queries:
        if not query(prometheus, expr):
            empty.append(expr)
    assert empty == [], "dashboard queries with no data"

    rules = httpx.get(f"{prometheus}/api/v1/rules").json()["data"]["groups"]
    loaded = [rule for group in rules for rule in group["rules"]]
    assert len(loaded) == 12
    assert {rule["health"] for rule in loaded} == {"ok"}, [r for r in loaded if r["health"] != "ok"]
    assert query(prometheus, "sp4n:clocks_breached:sum")
