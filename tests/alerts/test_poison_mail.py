"""One outbox row whose mail cannot be composed (a template or facts error) fails
alone: counted, retried with back-off, finally ``failed``; the rest of its batch goes
out, once. Its recorded and logged reason never quotes a confidential complaint."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, update

from alerts.dispatched import COMPOSE_ATTEMPTS, backoff
from syncd.store.tables import CLOCKS, COMPLAINTS, OUTBOX
from tests.support.histories import wib
from tests.support.mirror import BOSS, TO, Now, followup_case, key, make_config, service, write
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.integration

SECRET_TITLE = "Pungli kepala dinas di Sekadau Hilir"
SECRET_CONTENT = "Saksi: Budi Santoso, Jl. Merdeka 12"
POISONED = 502


def spoil(engine: Engine, upstream_id: int, how: str) -> None:
    """Bad data in the mirror, as a hostile upstream or a bug could leave it."""
    with engine.begin() as connection:
        complaint = connection.execute(
            select(COMPLAINTS.c.id).where(COMPLAINTS.c.upstream_id == upstream_id)
        ).scalar_one()
        where = CLOCKS.c.complaint_id == complaint
        if how == "template":
            # A start in the last hour of year 9999 UTC: no local time for the mail.
            start = datetime(9999, 12, 31, 23, 30, tzinfo=UTC)
            connection.execute(update(CLOCKS).where(where).values(started_at=start))
        else:
            # A zone that does not exist, and whose error message would quote the title:
            # the facts of the whole batch fail to read together.
            connection.execute(
                update(CLOCKS).where(where).values(zone=SECRET_TITLE, next_evaluation_at=None)
            )


def poisoned_rows(engine: Engine) -> list[tuple[str, int, datetime, str | None]]:
    """(status, attempts, next attempt, reason) of the poisoned complaint's two rows."""
    o = OUTBOX.c
    with engine.connect() as connection:
        rows = connection.execute(
            select(o.status, o.attempts, o.next_attempt_at, o.reason)
            .where(o.key.like(f"lapor:{POISONED}/%"), o.threshold == "escalate")
            .order_by(o.recipient)
        )
        return [(row.status, row.attempts, row.next_attempt_at, row.reason) for row in rows]


def every_reason(engine: Engine) -> str:
    with engine.connect() as connection:
        return "\n".join(r or "" for r in connection.execute(select(OUTBOX.c.reason)).scalars())


@pytest.mark.parametrize("how", ["template", "facts"])
def test_a_mail_that_cannot_be_composed_fails_alone_and_the_rest_go_out_once(
    engine: Engine, smtp: SmtpServer, caplog: pytest.LogCaptureFixture, how: str
) -> None:
    caplog.set_level(logging.DEBUG)
    config = make_config(smtp.port)
    now = Now(wib("2026-03-13 09:00"))  # past each escalation: to TO and BOSS
    cases = [
        followup_case(id=501, tracking_id="LAP501"),
        followup_case(
            id=POISONED,
            tracking_id="LAP502",
            title=SECRET_TITLE,
            content=SECRET_CONTENT,
            secret=True,
        ),
        followup_case(id=503, tracking_id="LAP503"),
    ]
    write(engine, config, cases, now.at)
    spoil(engine, POISONED, how)
    failures: list[str] = []
    alerts = service(engine, config, now, on_failure=failures.append)

    first = alerts.run_once().dispatched
    assert (first.sent, first.compose_failures) == (Counter({"escalation": 4}), 2)
    good = sorted((key("escalate", n), who) for n in (501, 503) for who in (TO, BOSS))
    delivered = sorted((mail.key, rcpt) for mail in smtp.received for rcpt in mail.rcpt_tos)
    assert delivered == good

    # Retried with the deliveries' back-off (1, 2, 4, 8 minutes), then failed for good.
    for attempts in range(1, COMPOSE_ATTEMPTS):
        retry = now.at + backoff(attempts)
        assert [(s, n, at) for s, n, at, _ in poisoned_rows(engine)] == [
            ("pending", attempts, retry)
        ] * 2
        now.at = retry - timedelta(seconds=1)
        assert alerts.run_once().dispatched.compose_failures == 0  # not before its time
        now.at = retry
        assert alerts.run_once().dispatched.compose_failures == 2
    rows = poisoned_rows(engine)
    assert [(s, n) for s, n, _, _ in rows] == [("failed", COMPOSE_ATTEMPTS)] * 2
    assert all((reason or "").startswith("cannot compose the mail: ") for *_, reason in rows)
    now.at += timedelta(hours=1)
    assert alerts.run_once().dispatched.compose_failures == 0  # never again

    assert failures == ["compose"] * (2 * COMPOSE_ATTEMPTS)
    assert len(smtp.received) == 4  # one message per (key, recipient): nothing twice
    assert sorted((mail.key, rcpt) for mail in smtp.received for rcpt in mail.rcpt_tos) == good
    for secret in (SECRET_TITLE, SECRET_CONTENT):
        assert secret not in caplog.text
        assert secret not in every_reason(engine)
    assert any("not delivered (attempt 1, compose)" in r.getMessage() for r in caplog.records)
    assert any("failed for good (attempt 5, compose)" in r.getMessage() for r in caplog.records)
