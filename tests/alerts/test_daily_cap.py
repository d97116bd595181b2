"""No flood (CONTRACT.md section 7): a first sync that finds hundreds of overdue
complaints sends each official a few mails and one summary of the rest, each alert
delivered exactly once for its (key, recipient), across an SMTP outage and a restart,
over a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from connectors.records import CanonicalStatus
from syncd.store.tables import OUTBOX, RUNS
from tests.support.histories import SEKADAU, History, wib
from tests.support.mirror import TO, Now, make_config, service, synced, write
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.integration

CAP = 20
BREACHED, DUE_TODAY, WARNED = 500, 5, 5
# Tuesday 10 March 2026, 08:05 WIB (Sekadau keeps Asia/Pontianak).
FIRST_SYNC = "2026-03-10 08:05"


def complaint(n: int, disposed: str) -> History:
    day = disposed[:10]
    return (
        History(f"{day} 08:00", id=n, tracking_id=f"LAP{n:05d}", title=f"Aduan nomor {n}")
        .status(f"{day} 09:00", CanonicalStatus.VERIFIED)
        .dispose(disposed, SEKADAU)
    )


def the_first_sync() -> list[History]:
    """500 followups overdue since Monday 9 March (breach due Tuesday 08:00), 5 due
    today (disposed 3 March) and 5 with two working days left (disposed 5 March)."""
    return [
        *(complaint(n, "2026-03-02 10:00") for n in range(1, BREACHED + 1)),
        *(complaint(1000 + n, "2026-03-03 10:00") for n in range(DUE_TODAY)),
        *(complaint(2000 + n, "2026-03-05 10:00") for n in range(WARNED)),
    ]


def delivered(smtp: SmtpServer) -> Counter[tuple[str, str]]:
    """(alert key, recipient) of every mail the server took, counted; a summary mail
    counts once for each alert it lists."""
    seen: Counter[tuple[str, str]] = Counter()
    for mail in smtp.received:
        [recipient] = mail.rcpt_tos
        seen[mail.key, recipient] += 1
    return seen


def folded_into(engine: Engine, summary: str) -> set[str]:
    o = OUTBOX.c
    with engine.connect() as connection:
        rows = connection.execute(select(o.key).where(o.summary_key == summary))
        return {key for (key,) in rows}


def test_a_first_sync_of_hundreds_sends_the_cap_and_one_summary_exactly_once(
    engine: Engine, smtp: SmtpServer
) -> None:
    config = make_config(smtp.port, max_mails_per_recipient_per_day=CAP)
    now = Now(wib(FIRST_SYNC))
    write(engine, config, the_first_sync(), now.at)

    # The server is down for the first pass: nothing is delivered, nothing is lost.
    smtp.stop()
    first = service(engine, config, now).run_once().dispatched
    assert first.total_sent == 0
    assert first.folded == BREACHED + DUE_TODAY + WARNED - CAP

    # A restart, and the server back but answering the first three DATA with 451.
    smtp.start()
    smtp.handler.defer_data = 3
    now.at += timedelta(minutes=1)
    restarted = service(engine, config, now)
    restarted.dispatcher.release_claims(now.at)
    restarted.run_once()
    for _ in range(6):  # the retries' back-off, an hour at a time, within office hours
        now.at += timedelta(hours=1)
        restarted.run_once()

    mails = [m for m in smtp.received if m.rcpt_tos == [TO]]
    summary_key = f"summary/{TO}/2026-03-10"
    singles = [m for m in mails if m.key != summary_key]
    summaries = [m for m in mails if m.key == summary_key]
    assert len(singles) == CAP
    assert len(summaries) == 1
    assert all(n == 1 for n in delivered(smtp).values()), "nothing delivered twice"

    # The most actionable alone: due today, then the warnings, then breaches.
    kinds = Counter(m.key.rsplit("/", 1)[1] for m in singles)
    assert kinds == {"warn-0": DUE_TODAY, "warn-2": WARNED, "breach": CAP - 10}

    # The summary lists every other alert of the day, each exactly once.
    folded = folded_into(engine, summary_key)
    alone = {m.key for m in singles}
    assert len(folded) == BREACHED - (CAP - 10)
    assert not folded & alone
    body = summaries[0].message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    listed = {f"LAP{n:05d}" for n in range(1, BREACHED + 1)} - {key_tracking(k) for k in alone}
    assert all(tracking in text for tracking in listed)
    assert str(BREACHED - (CAP - 10)) in summaries[0].message["Subject"]

    # The next day: nothing about the 500 again (their escalations are due Thursday);
    # the five due yesterday breach now, and say so.
    before = len(smtp.received)
    now.set("2026-03-11 08:05")
    synced(engine, now.at)
    later = service(engine, config, now)
    later.run_once()
    now.at += timedelta(hours=2)
    later.run_once()
    next_day = [m.key for m in smtp.received[before:]]
    assert sorted(key_tracking(k) for k in next_day) == [f"LAP{1000 + n:05d}" for n in range(5)]
    assert {k.rsplit("/", 1)[1] for k in next_day} == {"breach"}
    assert all(n == 1 for n in delivered(smtp).values())


def key_tracking(key: str) -> str:
    """``lapor:<upstream id>/…`` → the tracking id ``LAP<id>`` of these complaints."""
    upstream = int(key.split(":", 1)[1].split("/", 1)[0])
    return f"LAP{upstream:05d}"


def test_the_cap_waits_for_the_days_first_sync_to_finish(engine: Engine, smtp: SmtpServer) -> None:
    """Folding before the first sync has finished would list its first page only."""
    config = make_config(smtp.port, max_mails_per_recipient_per_day=CAP)
    now = Now(wib(FIRST_SYNC))
    histories = the_first_sync()
    write(engine, config, histories[:100], now.at)
    with engine.begin() as connection:  # the day's first pass has not finished
        connection.execute(RUNS.delete())
    alerts = service(engine, config, now)
    result = alerts.run_once().dispatched
    assert result.folded == 0
    assert result.total_sent == CAP, "the cap's worth goes out, the rest waits"
    write(engine, config, histories[100:], now.at)  # the pass ends
    now.at += timedelta(minutes=2)
    result = alerts.run_once().dispatched
    assert result.sent == {"summary": 1}
    assert len(folded_into(engine, f"summary/{TO}/2026-03-10")) == len(histories) - CAP


def test_a_summary_already_sent_takes_no_more_the_rest_waits_for_tomorrow(
    engine: Engine, smtp: SmtpServer
) -> None:
    config = make_config(smtp.port, max_mails_per_recipient_per_day=2)
    now = Now(wib(FIRST_SYNC))
    write(engine, config, [complaint(n, "2026-03-02 10:00") for n in range(1, 6)], now.at)
    alerts = service(engine, config, now)
    assert alerts.run_once().dispatched.sent == {"breach": 2, "summary": 1}
    now.at += timedelta(hours=1)
    write(engine, config, [complaint(n, "2026-03-02 10:00") for n in range(6, 9)], now.at)
    assert alerts.run_once().dispatched.total_sent == 0, "today's cap and summary are spent"
    now.set("2026-03-11 08:00")
    synced(engine, now.at)
    assert alerts.run_once().dispatched.sent == {"breach": 2, "summary": 1}
    assert len(folded_into(engine, f"summary/{TO}/2026-03-11")) == 1
    assert all(n == 1 for n in delivered(smtp).values())
