"""The HTML report of the simulator's data, opened in a real headless Chromium (Debian's):
it renders, logs no console error, and leaves a screenshot beside the test output."""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from connectors.simulator import Simulator, World, WorldSettings
from connectors.sp4n_lapor import LaporConnector, LaporSettings, build_client
from syncd.clock.calendar import WorkingCalendar
from syncd.clock.policy import ClockPolicy
from syncd.report.figures import ReportSettings, build_report
from syncd.report.html import to_html
from syncd.report.period import Period
from syncd.store.clocks import ClockKeeper
from syncd.sync import SyncPass

pytestmark = pytest.mark.integration

ARTIFACTS = Path(__file__).parents[2] / ".artifacts"


@pytest.fixture
def simulated_report(sqlite_engine: Engine, tmp_path: Path) -> Path:
    world = World.generate(WorldSettings(complaints=600, seed=3), clock=time.time)
    keeper = ClockKeeper(ClockPolicy(), WorkingCalendar())
    with Simulator(world) as sim:
        settings = LaporSettings(base_url=sim.base_url, api_key="k", token="t")
        connector = LaporConnector(settings, build_client(settings))
        try:
            assert SyncPass(sqlite_engine, connector, "lapor", clocks=keeper).run().ok
        finally:
            connector.close()
    now = datetime.now(UTC)
    with sqlite_engine.connect() as connection:
        report = build_report(
            connection, Period.year(now.year), now, ReportSettings(calendar=keeper.calendar)
        )
    page = tmp_path / "report.html"
    page.write_text(to_html(report), encoding="utf-8")
    return page


def test_the_report_renders_in_chromium_without_console_errors(
    simulated_report: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("chromium is not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "report-in-chromium.png"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on(
                "console",
                lambda m: (
                    problems.append(f"{m.type}: {m.text}")
                    if m.type in ("error", "warning")
                    else None
                ),
            )
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(simulated_report.as_uri())
            assert page.title().startswith("Complaint handling")
            charts = page.locator("svg.chart")
            assert charts.count() == 3
            for index in range(3):
                box = charts.nth(index).bounding_box()
                assert box is not None and box["width"] > 600 and box["height"] > 50
            assert page.locator("table tbody tr").count() > 10
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    assert problems == []
    assert requests == [simulated_report.as_uri()], "self-contained: no other request"
    assert screenshot.stat().st_size > 10_000
    with capsys.disabled():
        print(f"\nscreenshot of the report in Chromium: {screenshot}")
