"""The daily digest: one per recipient per working day, from digest_at, by agency."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from connectors.records import CanonicalStatus
from tests.support.histories import JAYAPURA, History, wib
from tests.support.mirror import (
    PAPUA,
    TO,
    Now,
    followup_case,
    make_config,
    outbox,
    service,
    synced,
    write,
)
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.integration


def papua_case() -> History:
    return (
        History("2026-03-05 09:00", id=777, tracking_id="LAP777", title="Air PDAM keruh")
        .status("2026-03-05 09:30", CanonicalStatus.VERIFIED)
        .dispose("2026-03-05 10:00", JAYAPURA)
    )


def test_one_digest_per_recipient_per_working_day_grouped_by_agency(
    engine: Engine, smtp: SmtpServer
) -> None:
    config = make_config(smtp.port, digest=True)
    now = Now(wib("2026-03-10 07:31"))  # Tuesday, after digest_at, before send_at
    write(engine, config, [followup_case(), papua_case()], now.at)
    alerts = service(engine, config, now)
    # 07:31 WIB is 09:31 WIT: Jayapura's warn-2 (08:00 WIT) is in its office hours.
    assert alerts.run_once().dispatched.sent == {"digest": 2, "warning": 1}
    digests = [mail for mail in smtp.received if mail.key.startswith("digest/")]
    by_recipient = {mail.rcpt_tos[0]: mail.message for mail in digests}
    assert set(by_recipient) == {TO, PAPUA}

    sekadau = by_recipient[TO].get_body(("plain",))
    assert sekadau is not None
    text = sekadau.get_content()
    assert "== Pemerintah Kabupaten Sekadau ==" in text
    assert "Terlambat (1):" in text and "LAP20260302501" in text
    assert "LAP777" not in text  # Jayapura has no route of Sekadau's
    papua = by_recipient[PAPUA].get_body(("plain",))
    assert papua is not None
    # Jayapura's followup (due Thursday 12 March) is due within 3 working days.
    assert "Segera berakhir (1):" in papua.get_content()
    assert "LAP777" in papua.get_content()

    now.set("2026-03-10 07:50")
    assert alerts.run_once().dispatched.total_sent == 0  # once a day
    now.set("2026-03-14 08:00")  # Saturday
    assert alerts.run_once().dispatched.sent.get("digest", 0) == 0
    keys = sorted(k for k, _, status in outbox(engine) if k.startswith("digest/"))
    assert keys == [f"digest/{PAPUA}/2026-03-10", f"digest/{TO}/2026-03-10"]


def test_a_digest_with_nothing_to_say_is_skipped(engine: Engine, smtp: SmtpServer) -> None:
    config = make_config(smtp.port, digest=True)
    now = Now(wib("2026-03-02 07:45"))
    alerts = service(engine, config, now)
    synced(engine, now.at)  # the day's sync found nothing
    result = alerts.run_once().dispatched
    assert (result.total_sent, result.skipped) == (0, 2)
    assert smtp.received == []


def test_no_digest_is_decided_before_the_days_first_sync(engine: Engine, smtp: SmtpServer) -> None:
    """The demo's first start: the digest was decided "nothing to report" before the
    first sync had mirrored anything, and its key then blocked the real one."""
    config = make_config(smtp.port, digest=True)
    now = Now(wib("2026-03-10 07:31"))
    alerts = service(engine, config, now)
    synced(engine, wib("2026-03-09 15:00"))  # yesterday's pass does not count
    result = alerts.run_once()
    assert (result.digests, result.dispatched.skipped) == (0, 0)
    assert outbox(engine) == []
    now.set("2026-03-10 07:40")
    write(engine, config, [followup_case()], now.at)  # the first pass, finished
    assert alerts.run_once().dispatched.sent["digest"] == 1
    assert [m.key for m in smtp.received] == [f"digest/{TO}/2026-03-10"]
