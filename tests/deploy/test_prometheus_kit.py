"""deploy/prometheus and deploy/grafana: promtool's checks and unit tests, and the
dashboard held to the contract's metric names and to what a reader must be told."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from tests.support import dashboard
from tests.support.contract import CONTRACT_NAMES
from tests.support.prometheus import prometheus_scraping, query, serving_metrics
from tests.support.waiting import wait_for

pytestmark = pytest.mark.integration  # promtool and Prometheus run as processes

DEPLOY = Path(__file__).parents[2] / "deploy"
PROMETHEUS = DEPLOY / "prometheus"
# The metrics with a clock label: a selector of these must leave out the reporter's
# window (clock="reporter_reply"), which measures the citizen (CONTRACT section 2).
CLOCK_SELECTOR = re.compile(
    r"\b(?:sp4n_clocks_running|sp4n_clocks_closed|sp4n_compliance_on_time_ratio"
    r"|sp4n_clock_oldest_breached_due_timestamp_seconds)\b(?!_)\s*(\{[^}]*\})?"
)
MATCHER = re.compile(r'(\w+)\s*(=~|!~|!=|=)\s*"([^"]*)"')


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
    exprs = [q.expr for q in dashboard.queries()]
    used = {name for expr in exprs for name in re.findall(r"\bsp4n_[a-z_]+", expr)}
    histogram_series = {f"sp4n_sync_duration_seconds_{s}" for s in ("bucket", "sum", "count")}
    assert used
    assert used - CONTRACT_NAMES - histogram_series == set()
    with_targets = [p for p in dashboard.panels() if "targets" in p]
    assert all(p["datasource"]["uid"] == "${datasource}" for p in with_targets)


def reads_the_reporters_window(matchers: str) -> bool:
    """Whether a selector with these ``{...}`` matchers can select clock="reporter_reply"."""
    for label, op, value in MATCHER.findall(matchers):
        if label != "clock":
            continue
        if op in ("=~", "!~"):
            matches = re.fullmatch(value, "reporter_reply") is not None
        else:
            matches = value == "reporter_reply"
        if matches is (op in ("!=", "!~")):
            return False
    return True


def test_no_rule_or_panel_reads_the_reporters_window() -> None:
    sources = [(f"panel {q.panel!r}", q.expr) for q in dashboard.queries()]
    sources += [(path.name, path.read_text()) for path in (PROMETHEUS / "rules").glob("*.yml")]
    selectors = [
        (where, match.group(0))
        for where, text in sources
        for match in CLOCK_SELECTOR.finditer(text)
    ]
    assert len(selectors) > 10
    assert [s for s in selectors if reads_the_reporters_window(s[1])] == []


def test_the_selector_check_sees_the_reporters_window() -> None:
    assert reads_the_reporters_window('{state="breached"}')
    assert reads_the_reporters_window('{clock=~"followup|reporter_reply"}')
    assert reads_the_reporters_window('{clock!="completion"}')
    assert not reads_the_reporters_window('{clock!="reporter_reply", state="breached"}')
    assert not reads_the_reporters_window('{clock=~"followup|completion"}')
    assert not reads_the_reporters_window('{clock="followup"}')
    assert not reads_the_reporters_window('{clock!~"reporter_.*"}')


def test_every_panel_says_what_it_shows_and_in_what_unit() -> None:
    panels = dashboard.panels()
    assert len(panels) >= 20
    assert [p["title"] for p in panels if not p.get("description", "").strip()] == []
    unitless = [
        p["title"]
        for p in panels
        if "targets" in p and not p["fieldConfig"]["defaults"].get("unit")
    ]
    assert unitless == []


def test_a_figure_in_calendar_days_says_so() -> None:
    # PromQL cannot count working days: the longest-overdue figure is in calendar days,
    # unlike every deadline syncd counts, and must say so where it is shown.
    reading = [
        p
        for p in dashboard.panels()
        for t in p.get("targets", [])
        if "sp4n_clock_oldest_breached_due_timestamp_seconds" in t["expr"]
    ]
    assert reading
    for panel in reading:
        assert "calendar days" in panel["title"] + repr(panel["fieldConfig"]), panel["title"]


def rows() -> list[dict[str, Any]]:
    return [p for p in dashboard.board()["panels"] if p["type"] == "row"]


def test_who_must_act_is_in_the_first_row() -> None:
    first, second = (row["gridPos"]["y"] for row in rows()[:2])
    by_office = [p for p in dashboard.panels() if p["title"].startswith("Overdue by office")]
    assert len(by_office) == 1
    assert first < by_office[0]["gridPos"]["y"] < second


def test_the_dashboard_says_how_to_get_the_report() -> None:
    board = dashboard.board()
    variables = {v["name"]: v for v in board["templating"]["list"]}
    assert variables["report_url"]["type"] == "textbox"
    assert [link["url"] for link in board["links"]] == ["${report_url}"]
    first_row_end = rows()[1]["gridPos"]["y"]
    texts = [
        p["options"]["content"]
        for p in dashboard.panels()
        if p["type"] == "text" and p["gridPos"]["y"] < first_row_end
    ]
    assert len(texts) == 1
    assert "syncd report" in texts[0]
    assert "--format html" in texts[0]
    assert "${report_url}" in texts[0]


# Two worlds of one regency, told apart only by the reporter's window: in the second its
# clocks run past their end as "breached" (as syncd exported them before they closed
# "lapsed"), the longest overdue of all; a ratio of it is exported too. No figure about
# the agencies may move.
YEAR = 2026
AGENCIES = {"4251": "Pemerintah Kabupaten Sekadau", "4252": "Dinas Kesehatan Sekadau"}
CLOCKS = ("followup", "completion")


def exposition(now: float, *, reporters_window_overdue: bool) -> str:
    lines = []
    for index, (agency, name) in enumerate(AGENCIES.items(), start=1):
        lines.append(
            f'sp4n_agency_info{{agency="{agency}",name="{name}",timezone="Asia/Pontianak"}} 1'
        )
        lines.append(f'sp4n_complaints{{agency="{agency}",status="disposed"}} {10 * index}')
        lines.append(f'sp4n_compliance_grade{{agency="{agency}",year="{YEAR}"}} {index + 2}')
        lines.append(f'sp4n_compliance_followed_up_ratio{{agency="{agency}",year="{YEAR}"}} 0.9')
        for clock in CLOCKS:
            for state, count in (("on_track", 5), ("due_soon", 2), ("breached", index)):
                lines.append(
                    f'sp4n_clocks_running{{agency="{agency}",clock="{clock}",state="{state}"}}'
                    f" {count}"
                )
            for outcome, count in (("met", 20), ("late", 3), ("lapsed", 0)):
                lines.append(
                    f'sp4n_clocks_closed{{agency="{agency}",clock="{clock}",outcome="{outcome}",'
                    f'year="{YEAR}"}} {count}'
                )
            lines.append(
                f'sp4n_compliance_on_time_ratio{{agency="{agency}",clock="{clock}",year="{YEAR}"}}'
                " 0.8"
            )
            lines.append(
                f'sp4n_clock_oldest_breached_due_timestamp_seconds{{agency="{agency}",'
                f'clock="{clock}"}} {now - index * 86400:.0f}'
            )
        overdue = 7 if reporters_window_overdue else 0
        window = {"on_track": 3, "paused": 1, "due_soon": 4 * (overdue > 0), "breached": overdue}
        for state, count in window.items():
            lines.append(
                f'sp4n_clocks_running{{agency="{agency}",clock="reporter_reply",state="{state}"}}'
                f" {count}"
            )
        for outcome, count in (("met", 4), ("lapsed", 9), ("late", 2 * (overdue > 0))):
            lines.append(
                f'sp4n_clocks_closed{{agency="{agency}",clock="reporter_reply",'
                f'outcome="{outcome}",year="{YEAR}"}} {count}'
            )
        oldest = now - 30 * 86400 if overdue else 0
        lines.append(
            f'sp4n_clock_oldest_breached_due_timestamp_seconds{{agency="{agency}",'
            f'clock="reporter_reply"}} {oldest:.0f}'
        )
        if overdue:
            lines.append(
                f'sp4n_compliance_on_time_ratio{{agency="{agency}",clock="reporter_reply",'
                f'year="{YEAR}"}} 0.1'
            )
    return "\n".join(lines) + "\n"


def scraped(base: str) -> bool:
    return bool(query(base, "sp4n_agency_info"))


@pytest.fixture
def two_worlds(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A Prometheus on each world: the reporter's window on time, and overdue."""
    now = time.time()
    (tmp_path / "plain").mkdir()
    (tmp_path / "overdue").mkdir()
    with (
        serving_metrics(exposition(now, reporters_window_overdue=False)) as plain_target,
        serving_metrics(exposition(now, reporters_window_overdue=True)) as overdue_target,
        prometheus_scraping(tmp_path / "plain", [plain_target]) as plain,
        prometheus_scraping(tmp_path / "overdue", [overdue_target]) as overdue,
    ):
        wait_for("a scrape of the plain world", partial(scraped, plain))
        wait_for("a scrape of the overdue world", partial(scraped, overdue))
        yield plain, overdue


def answers(base: str, expr: str, at: float) -> list[tuple[str, str]]:
    """The series and values of ``expr``, without the exporter's address (each world
    has its own)."""
    return sorted(
        (repr(sorted((k, v) for k, v in s["metric"].items() if k != "instance")), s["value"][1])
        for s in query(base, expr, at)
    )


def test_the_reporters_window_moves_no_figure_of_the_dashboard(
    two_worlds: tuple[str, str],
) -> None:
    plain, overdue = two_worlds
    at = time.time()
    everything = 'sum(sp4n_clocks_running{state="breached"})'
    assert answers(plain, everything, at) != answers(overdue, everything, at)

    moved = []
    for q in dashboard.queries():
        for agency in (dashboard.ALL_AGENCIES, "4251"):
            expr = dashboard.filled(q.expr, agency=agency, year=YEAR)
            seen = answers(plain, expr, at)
            if CLOCK_SELECTOR.search(expr):
                assert seen, f"{q.panel}: no data to compare ({expr})"
            if answers(overdue, expr, at) != seen:
                moved.append((q.panel, agency))
    assert moved == [], "\n".join(f"{panel} (agency {agency})" for panel, agency in moved)


# Two `syncd run` on one database (CONTRACT section 8): both export the mirror's gauges
# from the shared totals; only the leader asks the platform and counts its work.
def replica_exposition(now: float, *, leads: bool) -> str:
    mirror = exposition(now, reporters_window_overdue=False)
    own = [
        f"sp4n_leader {int(leads)}",
        'sp4n_build_info{version="0.1.0"} 1',
        f'sp4n_sync_last_success_timestamp_seconds{{source="lapor"}} {now - 95:.0f}',
        "sp4n_alert_outbox_pending 4",
        f"sp4n_alert_outbox_oldest_timestamp_seconds {now - 3600:.0f}",
        f'sp4n_upstream_up{{source="lapor"}} {int(leads)}',
        f'sp4n_upstream_requests_total{{source="lapor",code="200"}} {120 * leads}',
        f'sp4n_sync_runs_total{{source="lapor",result="ok"}} {12 * leads}',
        f'sp4n_alerts_sent_total{{kind="warning"}} {7 * leads}',
    ]
    return mirror + "\n".join(own) + "\n"


def scraped_twice(base: str, processes: int) -> bool:
    seen = query(base, "count_over_time(sp4n_leader[1m]) >= 2")
    return len(seen) == processes


@pytest.fixture
def one_and_two_processes(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A Prometheus scraping the leader alone, and one scraping the leader and a standby."""
    now = time.time()
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    with (
        serving_metrics(replica_exposition(now, leads=True)) as leader,
        serving_metrics(replica_exposition(now, leads=False)) as standby,
        prometheus_scraping(tmp_path / "one", [leader]) as one,
        prometheus_scraping(tmp_path / "two", [leader, standby]) as two,
    ):
        wait_for("scrapes of the leader", partial(scraped_twice, one, 1))
        wait_for("scrapes of the leader and the standby", partial(scraped_twice, two, 2))
        yield one, two


def test_a_standby_beside_the_leader_moves_no_figure_of_the_dashboard(
    one_and_two_processes: tuple[str, str],
) -> None:
    one, two = one_and_two_processes
    at = time.time()
    per_process = [q for q in dashboard.queries() if q.panel == "Running syncd"]
    assert len(per_process) == 1
    processes = answers(two, per_process[0].expr, at)
    assert [value for _, value in processes] == ["0", "1"], "each process, its leader column"

    moved, empty = [], []
    for q in dashboard.queries():
        if q in per_process:
            continue
        for agency in (dashboard.ALL_AGENCIES, "4251"):
            expr = dashboard.filled(q.expr, agency=agency, year=YEAR)
            alone = answers(one, expr, at)
            if not alone:
                empty.append(q.panel)
            if answers(two, expr, at) != alone:
                moved.append((q.panel, agency))
    assert moved == [], "\n".join(f"{panel} (agency {agency})" for panel, agency in moved)
    # What the exporters do not serve: the sync's histogram, written and quarantined
    # complaints, failed deliveries.
    assert sorted(set(empty)) == [
        "Alert mail",
        "Complaints written and quarantined",
        "Sync pass duration (90th percentile)",
    ]
