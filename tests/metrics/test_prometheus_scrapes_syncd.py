"""A real Prometheus scrapes a running ``syncd run`` fed by the simulator, with the
rules of deploy/prometheus loaded; every query of the Grafana dashboard answers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from tests.support import dashboard
from tests.support.network import free_port
from tests.support.processes import running, syncd_command
from tests.support.prometheus import prometheus_scraping, query
from tests.support.smtp import SmtpServer
from tests.support.waiting import wait_for

pytestmark = pytest.mark.integration

DEPLOY = Path(__file__).parents[2] / "deploy"
WAIT = 90.0


@pytest.fixture(scope="module")
def syncd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One syncd for the module's tests: each only reads what Prometheus scraped."""
    tmp_path = tmp_path_factory.mktemp("syncd")
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


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory, syncd: str) -> Iterator[str]:
    rules = sorted((DEPLOY / "prometheus" / "rules").glob("*.yml"))
    with prometheus_scraping(tmp_path_factory.mktemp("prometheus"), [syncd], rules) as base:
        yield base


def test_every_dashboard_query_returns_data_from_a_real_prometheus(prometheus: str) -> None:
    def scraped_enough() -> bool:
        samples = query(prometheus, "count_over_time(sp4n_leader[1m])")
        written = query(prometheus, "sum(sp4n_sync_complaints_total)")
        return bool(samples and float(samples[0]["value"][1]) >= 5 and written)

    wait_for("five scrapes after the first sync", scraped_enough)
    busiest = query(
        prometheus,
        'topk(1, sum by (agency) (sp4n_clocks_running{clock!="reporter_reply", state="breached"})'
        " * on (agency) group_left sp4n_agency_info)",
    )
    assert busiest, "the simulator's agencies have overdue clocks"
    agency = busiest[0]["metric"]["agency"]
    year = datetime.now(UTC).year

    queries = dashboard.queries()
    assert {q.panel for q in queries} >= {
        p["title"] for p in dashboard.panels() if p["type"] != "text"
    }
    assert len(queries) >= 25
    empty = []
    for q in queries:
        for chosen in (agency, dashboard.ALL_AGENCIES):
            if not query(prometheus, dashboard.filled(q.expr, agency=chosen, year=year)):
                empty.append((q.panel, chosen))
    assert empty == [], "dashboard queries with no data"

    rules = httpx.get(f"{prometheus}/api/v1/rules").json()["data"]["groups"]
    loaded = [rule for group in rules for rule in group["rules"]]
    assert len(loaded) == 13
    assert {rule["health"] for rule in loaded} == {"ok"}, [r for r in loaded if r["health"] != "ok"]
    assert query(prometheus, "sp4n:clocks_breached:sum")


def test_the_dashboard_reads_well_for_one_agency_and_for_all(prometheus: str) -> None:
    """With agency = All, no panel shows a pile of tiles or lines under one label, and
    each figure about the agency stays one figure."""
    wait_for("a sync's clocks", lambda: bool(query(prometheus, "sum(sp4n_clocks_running) > 0")))
    year = datetime.now(UTC).year
    some = query(prometheus, "sp4n_agency_info")[0]["metric"]["agency"]
    kinds = {p["title"]: p["type"] for p in dashboard.panels()}
    piled = []
    for q in dashboard.queries():
        for chosen in (some, dashboard.ALL_AGENCIES):
            series = query(prometheus, dashboard.filled(q.expr, agency=chosen, year=year))
            legends = [dashboard.legend(q.legend, s["metric"]) for s in series]
            if kinds.get(q.panel) not in ("table", None) and len(set(legends)) < len(legends):
                piled.append((q.panel, chosen, len(legends) - len(set(legends))))
            if kinds.get(q.panel) == "stat" and "$agency" in q.expr and len(series) != 1:
                piled.append((q.panel, chosen, len(series)))
    assert piled == []
