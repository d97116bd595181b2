"""The opt-in monthly summary to the escalate_to recipients, over real SMTP."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from syncd.config import Config
from tests.support.histories import wib
from tests.support.mirror import BOSS, Now, make_config, service
from tests.support.october import mirror
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.integration


def config_with(port: int, *, monthly: bool) -> Config:
    base = make_config(port)
    return Config.model_validate(
        {**base.model_dump(by_alias=True), "reports": {"monthly_email": monthly}}
    )


def summaries(smtp: SmtpServer) -> list[tuple[list[str], str, str]]:
    found = []
    for mail in smtp.received:
        message = mail.message
        if message["X-SP4N-Alert-Key"].startswith("report/"):
            text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
            found.append((mail.rcpt_tos, message["Subject"], text))
    return found


def test_the_first_working_day_of_a_month_mails_last_months_figures_once(
    engine: Engine, smtp: SmtpServer
) -> None:
    mirror(engine)  # October 2026, with one confidential complaint never answered
    config = config_with(smtp.port, monthly=True)
    now = Now(wib("2026-11-02 08:30"))  # Monday: November's first working day
    alerts = service(engine, config, now)
    alerts.run_once()
    [(recipients, subject, text)] = summaries(smtp)
    assert recipients == [BOSS]
    assert subject.startswith("[SP4N-LAPOR] Ringkasan bulanan Oktober 2026:")
    assert "Pemerintah Kabupaten Sekadau" in text
    assert "Dinas Kesehatan Sekadau" in text  # the sub-unit, under its parent
    assert "Pemerintah Kabupaten Sekadau (sendiri): tindak lanjut: 6 diterima" in text
    assert "tindak lanjut: 8 diterima, 3 tepat waktu, 1 terlambat" in text.lower()
    assert "LAP3 (rahasia)" in text
    assert "Rahasia negara" not in str(smtp.received[0].raw)
    assert "LAP7" not in text, "Jayapura is not this recipient's"

    now.set("2026-11-03 08:30")
    alerts.run_once()
    assert len(summaries(smtp)) == 1, "once a month"


def test_without_the_opt_in_no_summary_is_sent(engine: Engine, smtp: SmtpServer) -> None:
    mirror(engine)
    alerts = service(engine, config_with(smtp.port, monthly=False), Now(wib("2026-11-02 08:30")))
    alerts.run_once()
    assert summaries(smtp) == []
