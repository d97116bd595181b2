"""The HTML report of the simulator's data, opened in a real headless Chromium (Debian's),
in Indonesian and in English: it renders, logs no console error, no chart text runs
out of its chart, agency names keep a readable width, times are local (WIB), and it
leaves screenshots in .artifacts/ (the whole page, and its first screen) to look at."""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.simulator import Simulator, World, WorldSettings
from connectors.sp4n_lapor import LaporConnector, LaporSettings, build_client
from syncd.clock.calendar import WorkingCalendar
from syncd.clock.policy import ClockPolicy
from syncd.report.figures import Report, ReportSettings, build_report
from syncd.report.html import to_html
from syncd.report.period import Period
from syncd.report.wording import wording
from syncd.store import make_engine, upgrade
from syncd.store.clocks import ClockKeeper
from syncd.sync import SyncPass

pytestmark = pytest.mark.integration

ARTIFACTS = Path(__file__).parents[2] / ".artifacts"


# Each chart's texts against its own viewBox: what lies outside is cut off on screen.
OUTSIDE_ITS_CHART = """() => [...document.querySelectorAll('svg.chart')].flatMap((svg, i) => {
  const box = svg.viewBox.baseVal;
  return [...svg.querySelectorAll('text')].map(t => [t.textContent, t.getBBox()])
    .filter(([, b]) => b.x < -0.5 || b.y < -0.5 || b.x + b.width > box.width + 0.5
                       || b.y + b.height > box.height + 0.5)
    .map(([text, b]) => `chart ${i}: ${text} at ${b.x},${b.y} ${b.width}x${b.height}`);
})"""


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Report:
    sqlite_engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('mirror') / 'mirror.db'}")
    upgrade(sqlite_engine)
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
    sqlite_engine.dispose()
    return report


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_report_renders_in_chromium_without_console_errors(
    simulated: Report, tmp_path: Path, capsys: pytest.CaptureFixture[str], language: str
) -> None:
    words = wording(language)
    simulated_report = tmp_path / "report.html"
    simulated_report.write_text(to_html(simulated, words), encoding="utf-8")
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("chromium is not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / f"report-in-chromium-{language}.png"
    first_screen = ARTIFACTS / f"report-in-chromium-{language}-top.png"
    tables = ARTIFACTS / f"report-in-chromium-{language}-tables.png"
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
            assert page.title().startswith(words.title)
            charts = page.locator("svg.chart")
            assert charts.count() == 3
            for index in range(3):
                box = charts.nth(index).bounding_box()
                assert box is not None and box["width"] > 600 and box["height"] > 50
            assert page.evaluate(OUTSIDE_ITS_CHART) == []
            assert page.locator("table.figures tbody tr").count() > 10
            names = page.locator("table.figures th.name")
            for index in range(names.count()):
                box = names.nth(index).bounding_box()
                assert box is not None and box["width"] >= 220, "names keep a readable width"
            overflowing = page.evaluate(
                "[...document.querySelectorAll('.scroll')]"
                ".filter(s => s.scrollWidth > s.clientWidth + 1).length"
            )
            assert overflowing == 0, "every table fits the page's width"
            text = page.inner_text("body")
            assert "UTC" not in text
            assert "WIB" in text
            for kind in ("followup", "completion"):
                assert words.clocks[kind] in page.inner_text(".headline")
            page.screenshot(path=str(screenshot), full_page=True)
            page.screenshot(path=str(first_screen))
            page.evaluate("document.getElementById('figures').scrollIntoView()")
            page.screenshot(path=str(tables))
        finally:
            browser.close()
    assert problems == []
    assert requests == [simulated_report.as_uri()], "self-contained: no other request"
    assert screenshot.stat().st_size > 10_000
    with capsys.disabled():
        print(f"\nscreenshots of the report in Chromium: {screenshot}, {first_screen}, {tables}")
