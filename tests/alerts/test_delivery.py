"""Alerts through a real SMTP server on loopback: each (key, recipient) exactly once,
whatever the server, the dispatcher or the complaint does meanwhile."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import Engine

from connectors.records import CanonicalStatus
from tests.support.histories import JAYAPURA, SEKADAU, History, wib
from tests.support.mirror import (
    BOSS,
    TO,
    Now,
    followup_case,
    key,
    make_config,
    outbox,
    service,
    write,
)
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.integration


def delivered(smtp: SmtpServer) -> list[tuple[str, str]]:
    return sorted((r.key, rcpt) for r in smtp.received for rcpt in r.rcpt_tos)


def test_each_threshold_once_across_an_smtp_outage(engine: Engine, smtp: SmtpServer) -> None:
    config = make_config(smtp.port)
    now = Now(wib("2026-03-02 10:30"))
    write(engine, config, [followup_case()], now.at)
    alerts = service(engine, config, now)

    assert alerts.run_once().dispatched.total_sent == 0
    now.set("2026-03-05 08:01")  # warn-2
    assert alerts.run_once().dispatched.sent == Counter({"warning": 1})

    smtp.stop()
    now.set("2026-03-09 08:01")  # warn-0, with the server down
    down = alerts.run_once().dispatched
    assert (down.total_sent, down.temporary) == (0, 1)
    now.set("2026-03-09 08:01:30")  # before the back-off: not even tried
    assert alerts.run_once().dispatched.temporary == 0
    now.set("2026-03-09 08:05")
    assert alerts.run_once().dispatched.temporary == 1

    smtp.start()
    now.set("2026-03-09 09:00")
    assert alerts.run_once().dispatched.sent == Counter({"due": 1})
    now.set("2026-03-10 08:01")
    assert alerts.run_once().dispatched.sent == Counter({"breach": 1})
    now.set("2026-03-12 08:01")
    assert alerts.run_once().dispatched.sent == Counter({"escalation": 2})
    now.set("2026-03-20 10:00")
    assert alerts.run_once().dispatched.total_sent == 0

    assert delivered(smtp) == sorted(
        [
            (key("warn-2"), TO),
            (key("warn-0"), TO),
            (key("breach"), TO),
            (key("escalate"), TO),
            (key("escalate"), BOSS),
        ]
    )


def test_an_outage_past_the_next_threshold_sends_only_the_most_severe(
    engine: Engine, smtp: SmtpServer
) -> None:
    config = make_config(smtp.port)
    now = Now(wib("2026-03-02 10:30"))
    write(engine, config, [followup_case()], now.at)
    alerts = service(engine, config, now)
    smtp.stop()
    now.set("2026-03-09 08:01")
    assert alerts.run_once().dispatched.temporary == 1  # warn-0 waits
    now.set("2026-03-10 08:01")
    alerts.run_once()  # breach comes: warn-0 is superseded, never to be sent
    smtp.start()
    now.set("2026-03-10 09:00")
    assert alerts.run_once().dispatched.sent == Counter({"breach": 1})
    assert delivered(smtp) == [(key("breach"), TO)]
    assert (key("warn-0"), TO, "skipped") in outbox(engine)
    assert (key("warn-2"), TO, "skipped") in outbox(engine)


def test_a_restart_after_everything_was_sent_resends_nothing(
    engine: Engine, smtp: SmtpServer
) -> None:
    config = make_config(smtp.port)
    now = Now(wib("2026-03-11 09:00"))  # already breached at the first sync
    write(engine, config, [followup_case()], now.at)
    assert service(engine, config, now).run_once().dispatched.sent == Counter({"breach": 1})

    restarted = service(engine, config, now)
    restarted.dispatcher.release_claims()
    assert restarted.run_once().dispatched.total_sent == 0
    write(engine, config, [followup_case()], now.at)  # the next sync sees it again
    assert restarted.run_once().dispatched.total_sent == 0
    assert delivered(smtp) == [(key("breach"), TO)]


def test_overdue_at_the_first_sync_sends_only_the_most_severe_threshold(
    engine: Engine, smtp: SmtpServer
) -> None:
    config = make_config(smtp.port)
    now = Now(wib("2026-03-13 09:00"))  # past the escalation instant
    write(engine, config, [followup_case()], now.at)
    sent = service(engine, config, now).run_once().dispatched
    assert sent.sent == Counter({"escalation": 2})
    assert delivered(smtp) == [(key("escalate"), BOSS), (key("escalate"), TO)]
    skipped = {k for k, _, status in outbox(engine) if status == "skipped"}
    assert skipped == {key("warn-2"), key("warn-0"), key("breach")}


def test_a_clock_stopped_before_its_warning_went_out_sends_nothing(
    engine: Engine, smtp: SmtpServer
) -> None:
    config = make_config(smtp.port)
    now = Now(wib("2026-03-02 10:30"))
    write(engine, config, [followup_case()], now.at)
    alerts = service(engine, config, now)
    smtp.stop()
    now.set("2026-03-05 08:01")
    assert alerts.run_once().dispatched.temporary == 1  # warn-2 recorded, not delivered

    answered = followup_case().followup("2026-03-05 08:30", SEKADAU)
    now.set("2026-03-05 09:00")
    write(engine, config, [answered], now.at)
    smtp.start()
    for wall in ("2026-03-05 10:00", "2026-03-09 08:01", "2026-03-12 08:01"):
        now.set(wall)
        assert alerts.run_once().dispatched.total_sent == 0
    assert smtp.received == []
    assert outbox(engine) == [(key("warn-2"), TO, "cancelled")]


def test_a_paused_clock_holds_its_mail_and_resuming_lets_it_go(
    engine: Engine, smtp: SmtpServer
) -> None:
    config = make_config(smtp.port)
    now = Now(wib("2026-03-02 10:30"))
    write(engine, config, [followup_case()], now.at)
    alerts = service(engine, config, now)
    smtp.stop()
    now.set("2026-03-05 08:01")
    alerts.run_once()
    postponed = followup_case().status("2026-03-05 09:00", CanonicalStatus.POSTPONED)
    now.set("2026-03-05 09:30")
    write(engine, config, [postponed], now.at)
    assert outbox(engine) == [(key("warn-2"), TO, "held")]
    smtp.start()
    now.set("2026-03-05 10:00")
    assert alerts.run_once().dispatched.total_sent == 0

    # Resumed on Monday 9 March with 2 working days left: due Wednesday 11 March,
    # so warn-2 (Monday 9 March 08:00) has come and goes out now.
    resumed = postponed.status("2026-03-09 09:00", CanonicalStatus.DISPOSITIONED)
    now.set("2026-03-09 09:30")
    write(engine, config, [resumed], now.at)
    assert alerts.run_once().dispatched.sent == Counter({"warning": 1})
    assert delivered(smtp) == [(key("warn-2"), TO)]


def test_mail_waits_for_office_hours_on_a_working_day(engine: Engine, smtp: SmtpServer) -> None:
    config = make_config(smtp.port)
    now = Now(wib("2026-03-07 11:00"))  # a Saturday, after warn-2 (Thursday)
    write(engine, config, [followup_case()], now.at)
    alerts = service(engine, config, now)
    first = alerts.run_once().dispatched
    assert (first.total_sent, first.deferred) == (0, 1)  # warn-2, recorded Saturday
    now.set("2026-03-09 07:59")  # Monday before send_at
    assert alerts.run_once().dispatched.total_sent == 0
    now.set("2026-03-09 08:00")  # warn-0's instant: it supersedes the waiting warn-2
    assert alerts.run_once().dispatched.sent == Counter({"due": 1})
    now.set("2026-03-10 17:00")  # breach, after office hours
    assert alerts.run_once().dispatched.total_sent == 0
    now.set("2026-03-11 08:00")
    assert alerts.run_once().dispatched.sent == Counter({"breach": 1})
    assert delivered(smtp) == [(key("breach"), TO), (key("warn-0"), TO)]


def test_a_refused_recipient_fails_for_good_and_the_others_still_get_theirs(
    engine: Engine, smtp: SmtpServer
) -> None:
    config = make_config(smtp.port)
    smtp.handler.refuse[BOSS] = "550 5.1.1 no such mailbox"
    now = Now(wib("2026-03-13 09:00"))
    write(engine, config, [followup_case()], now.at)
    alerts = service(engine, config, now)
    result = alerts.run_once().dispatched
    assert (result.sent, result.permanent) == (Counter({"escalation": 1}), 1)
    now.set("2026-03-16 09:00")
    assert alerts.run_once().dispatched.permanent == 0  # never retried
    assert delivered(smtp) == [(key("escalate"), TO)]
    assert (key("escalate"), BOSS, "failed") in outbox(engine)


def test_a_temporary_refusal_is_retried(engine: Engine, smtp: SmtpServer) -> None:
    config = make_config(smtp.port)
    smtp.handler.refuse[TO] = "450 4.2.0 mailbox busy"
    now = Now(wib("2026-03-11 09:00"))
    write(engine, config, [followup_case()], now.at)
    alerts = service(engine, config, now)
    assert alerts.run_once().dispatched.temporary == 1
    del smtp.handler.refuse[TO]
    now.set("2026-03-11 09:05")
    assert alerts.run_once().dispatched.sent == Counter({"breach": 1})


def test_mail_for_a_closed_window_does_not_hold_up_an_open_one(
    engine: Engine, smtp: SmtpServer
) -> None:
    config = make_config(smtp.port)
    papua = (
        History("2026-03-02 09:00", id=777, tracking_id="LAP777")
        .status("2026-03-02 09:30", CanonicalStatus.VERIFIED)
        .dispose("2026-03-02 10:00", JAYAPURA)
    )
    # Friday 14:30 WIB is 16:30 WIT: Jayapura's office has closed, Sekadau's is open.
    now = Now(wib("2026-03-13 14:30"))
    write(engine, config, [papua, followup_case()], now.at)  # Jayapura's rows come first
    result = service(engine, config, now, batch_size=1).run_once().dispatched
    assert (result.sent, result.deferred) == (Counter({"escalation": 2}), 1)
    assert delivered(smtp) == [(key("escalate"), BOSS), (key("escalate"), TO)]


def test_an_smtp_outage_is_one_warning_not_one_per_mail(
    engine: Engine, smtp: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    config = make_config(smtp.port)
    now = Now(wib("2026-03-02 10:30"))
    write(engine, config, [followup_case(id=501 + n) for n in range(5)], now.at)
    alerts = service(engine, config, now)
    smtp.stop()
    now.set("2026-03-05 08:01")  # five warn-2 mails, the server down

    with caplog.at_level("DEBUG", logger="alerts"):
        down = alerts.run_once().dispatched

    assert down.temporary == 5
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert [r.getMessage().split(":")[0] for r in warnings] == ["smtp unavailable"]
    assert "5 mail(s)" in warnings[0].getMessage()
