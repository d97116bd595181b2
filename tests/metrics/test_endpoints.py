"""/metrics, /healthz and /readyz over real HTTP, and promtool's verdict on a scrape."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine

from connectors.records import CanonicalStatus
from syncd.metrics import Metrics, MetricsServer
from syncd.store.tables import RUNS
from syncd.sync.stats import PassStats
from syncd.wiring import metrics as wiring_metrics
from tests.support.contract import CONTRACT, CONTRACT_NAMES, NOT_YET_EXPORTED
from tests.support.histories import SEKADAU, History, wib
from tests.support.mirror import make_config, write

pytestmark = pytest.mark.integration

NOW = wib("2026-10-23 12:00")


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def served(engine: Engine, clock: Clock) -> Iterator[tuple[Metrics, str]]:
    config = make_config(2525)
    history = (
        History("2026-10-05 08:00", id=7, tracking_id="LAP7")
        .status("2026-10-05 09:00", CanonicalStatus.VERIFIED)
        .dispose("2026-10-05 10:00", SEKADAU)
    )
    write(engine, config, [history], NOW, record_pass=False)  # readiness counts the passes
    metrics = wiring_metrics(config, engine, CollectorRegistry(), clock=clock)
    metrics.mirror.refresh()
    server: MetricsServer = metrics.serve("127.0.0.1", 0)
    try:
        yield metrics, f"http://127.0.0.1:{server.port}"
    finally:
        server.close()


def scrape(base: str) -> str:
    response = httpx.get(f"{base}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return response.text


def test_every_contract_name_is_exposed(served: tuple[Metrics, str]) -> None:
    _, base = served
    names = set()
    for family in text_string_to_metric_families(scrape(base)):
        names.add(family.name)
        names.update(sample.name for sample in family.samples)
    assert CONTRACT_NAMES - names == set()


def test_the_names_tested_are_the_contracts(served: tuple[Metrics, str]) -> None:
    """The lists above are docs/CONTRACT.md's: a name missing there, or one it lists
    that is neither tested nor said to come later, fails."""
    section = CONTRACT.read_text().split("## 6. Metrics", 1)[1].split("\n## ", 1)[0]
    listed = {line.split("`")[1] for line in section.splitlines() if line.startswith("| `")}
    assert listed == CONTRACT_NAMES | NOT_YET_EXPORTED


def test_what_is_still_to_come_is_not_exported_yet(served: tuple[Metrics, str]) -> None:
    """Once a name is exported, it belongs in CONTRACT_NAMES (and is tested there)."""
    _, base = served
    names = {family.name for family in text_string_to_metric_families(scrape(base))}
    assert names & NOT_YET_EXPORTED == set()


def test_promtool_finds_nothing_to_complain_about(served: tuple[Metrics, str]) -> None:
    if shutil.which("promtool") is None:
        pytest.fail("promtool is not installed: apt-get install prometheus")
    metrics, base = served
    metrics.instruments.sync_finished(PassStats("lapor", False, written=3, seconds=1.5))
    metrics.instruments.upstream_observer("lapor")("503")
    checked = subprocess.run(
        ["promtool", "check", "metrics"],
        check=False,
        input=scrape(base),
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.strip() == "" and checked.stderr.strip() == ""


def test_health_answers_and_unknown_paths_are_404(served: tuple[Metrics, str]) -> None:
    _, base = served
    assert httpx.get(f"{base}/healthz").status_code == 200
    assert httpx.get(f"{base}/admin").status_code == 404


def test_ready_only_while_every_source_synced_within_three_poll_intervals(
    engine: Engine, served: tuple[Metrics, str], clock: Clock
) -> None:
    _, base = served
    never = httpx.get(f"{base}/readyz")
    assert never.status_code == 503
    assert never.json() == {"ready": False, "sources": {"lapor": "no successful sync yet"}}
    with engine.begin() as connection:
        connection.execute(
            RUNS.insert().values(
                source="lapor", started_at=NOW, finished_at=NOW, result="ok", full=False
            )
        )
    assert httpx.get(f"{base}/readyz").json() == {"ready": True}
    clock.now = NOW + 3 * timedelta(minutes=2) + timedelta(seconds=1)
    stale = httpx.get(f"{base}/readyz")
    assert stale.status_code == 503
    assert "older than 3 poll intervals" in stale.json()["sources"]["lapor"]


def test_the_counters_exist_as_zero_and_count_what_happens(served: tuple[Metrics, str]) -> None:
    metrics, _ = served
    registry = metrics.registry

    def value(metric: str, /, **labels: str) -> float | None:
        return registry.get_sample_value(metric, labels)

    assert value("sp4n_sync_runs_total", source="lapor", result="error") == 0
    assert value("sp4n_upstream_requests_total", source="lapor", code="429") == 0
    assert value("sp4n_alerts_sent_total", kind="escalation") == 0
    assert value("sp4n_alert_delivery_failures_total", reason="permanent") == 0
    metrics.instruments.sync_finished(PassStats("lapor", False, written=4, quarantined=1))
    observe = metrics.instruments.upstream_observer("lapor")
    observe("200")
    assert value("sp4n_upstream_up", source="lapor") == 1
    observe("error")
    assert value("sp4n_upstream_up", source="lapor") == 0
    metrics.instruments.alert_sent("breach")
    metrics.instruments.delivery_failed("temporary")
    assert value("sp4n_sync_runs_total", source="lapor", result="ok") == 1
    assert value("sp4n_sync_complaints_total", source="lapor") == 4
    assert value("sp4n_sync_quarantined_total", source="lapor") == 1
    assert value("sp4n_upstream_requests_total", source="lapor", code="error") == 1
    assert value("sp4n_alerts_sent_total", kind="breach") == 1
    assert value("sp4n_alert_delivery_failures_total", reason="temporary") == 1
