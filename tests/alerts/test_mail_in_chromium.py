"""The HTML parts of an alert, a summary and a digest (Indonesian), opened in a real
headless Chromium (Debian's): each renders without a console error or a request, fits
a 1024 px window without a horizontal scroll, and leaves a screenshot in .artifacts/."""

from __future__ import annotations

import shutil
from datetime import date
from email import message_from_bytes
from email.message import EmailMessage, Message
from email.policy import default
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from alerts.compose import Composer
from alerts.facts import AgencyDigest
from alerts.summary_mail import compose_summary, summary_item
from tests.alerts.test_mail_wording import (
    AGENCY,
    BOSS,
    NOW,
    SENDER,
    TO,
    alert_facts,
    clock_facts,
    digest_facts,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import Request

pytestmark = pytest.mark.integration

ARTIFACTS = Path(__file__).parents[2] / ".artifacts"


def html_of(message: Message) -> str:
    parsed = message_from_bytes(message.as_bytes(), policy=default)
    assert isinstance(parsed, EmailMessage)
    part = parsed.get_body(("html",))
    assert part is not None
    return str(part.get_content())


def recorder(urls: list[str]) -> Callable[[Request], None]:
    return lambda request: urls.append(request.url)


def mails() -> dict[str, tuple[Message, list[str]]]:
    """Each mail, with what its page must show."""
    composer = Composer("id", SENDER)
    escalation = composer.alert(
        alert_facts("completion", "escalation", BOSS, cycle=2), NOW, reader="superior"
    )
    folded = [
        summary_item(alert_facts("followup", "due", TO, tracking_id="LAP601"), composer),
        summary_item(alert_facts("completion", "warning", TO, tracking_id="LAP602"), composer),
        summary_item(
            alert_facts("followup", "breach", TO, tracking_id="LAP603", confidential=True),
            composer,
        ),
        summary_item(alert_facts("completion", "escalation", TO, tracking_id="LAP604"), composer),
    ]
    summary = compose_summary(
        composer, recipient=TO, role="liaison", day=date(2026, 12, 2), items=folded, now=NOW,
        total=480,
    )  # fmt: skip
    late = [
        clock_facts("completion", "breach", tracking_id="LAP701"),
        clock_facts("followup", "escalation", tracking_id="LAP702", title="Lampu jalan padam"),
    ]
    soon = [clock_facts("followup", "warning", tracking_id="LAP703", link=None)]
    digest = composer.digest(digest_facts(AgencyDigest(4251, AGENCY, late, soon)), NOW)
    return {
        "alert": (escalation, ["Yth. Bapak/Ibu Atasan", "belum diselesaikan", "Terlambat"]),
        "summary": (summary, ["480 pengaduan", "LAP604", "eskalasi", "[rahasia]"]),
        "digest": (digest, ["Rabu, 2 Desember 2026", "Segera berakhir (1)", "LAP703"]),
    }


def test_the_mails_render_in_chromium(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("chromium is not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    shots: list[Path] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            for name, (message, shown) in mails().items():
                page_file = tmp_path / f"{name}.html"
                page_file.write_text(html_of(message), encoding="utf-8")
                page = browser.new_page(viewport={"width": 1024, "height": 700})
                page.on(
                    "console",
                    lambda m: (
                        problems.append(f"{m.type}: {m.text}")
                        if m.type in ("error", "warning")
                        else None
                    ),
                )
                page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
                requests: list[str] = []
                page.on("request", recorder(requests))
                page.goto(page_file.as_uri())
                text = page.inner_text("body")
                for words in shown:
                    assert words in text, (name, words)
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= 1024, f"{name} scrolls sideways: {width} px"
                assert requests == [page_file.as_uri()], "self-contained: no other request"
                shot = ARTIFACTS / f"mail-{name}-id.png"
                page.screenshot(path=str(shot), full_page=True)
                shots.append(shot)
                page.close()
        finally:
            browser.close()
    assert problems == []
    for shot in shots:
        assert shot.stat().st_size > 10_000
    with capsys.disabled():
        print("\nscreenshots of the mails in Chromium:", *map(str, shots), sep="\n  ")
