"""A complaint the platform stops showing ends its clocks: no breach, no mail, and the
totals the metrics read move with it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from syncd.store import tally
from syncd.store.clocks import recompute
from syncd.store.tables import CLOCKS
from syncd.store.write import Batch, write_batch
from syncd.wiring import clock_keeper
from tests.support.histories import wib
from tests.support.mirror import Now, followup_case, key, make_config, outbox, service, write
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.integration


def test_its_running_clocks_are_cancelled_with_their_waiting_mail(
    engine: Engine, smtp: SmtpServer
) -> None:
    config = make_config(smtp.port)
    now = Now(wib("2026-03-02 10:30"))
    write(engine, config, [followup_case()], now.at)
    alerts = service(engine, config, now)
    smtp.stop()
    now.set("2026-03-05 08:01")
    assert alerts.run_once().dispatched.temporary == 1  # warn-2 waits for the server

    now.set("2026-03-05 09:00")
    with engine.begin() as connection:
        written = write_batch(
            connection, "lapor", Batch(vanished=[501]), now.at, clock_keeper(config)
        )
    assert written.vanished == 1
    with engine.connect() as connection:
        clocks = connection.execute(
            select(CLOCKS.c.kind, CLOCKS.c.outcome, CLOCKS.c.stopped_at, CLOCKS.c.state)
        ).all()
        kept, counted = tally.kept(connection), tally.recount(connection)
    running_before = {kind for kind, outcome, stopped, _ in clocks if stopped == now.at}
    assert {"followup", "completion"} <= running_before
    assert all(outcome is not None for _, outcome, _, _ in clocks), "nothing runs on"
    assert (key("warn-2"), "penghubung@sekadau.go.id", "cancelled") in outbox(engine)
    assert (kept.clocks, kept.earliest_due) == (+counted.clocks, counted.earliest_due)
    assert not [k for k in counted.earliest_due if k[1] == "followup"]

    smtp.start()
    now.at += timedelta(days=8)  # long past the due date and the escalation
    assert alerts.run_once().dispatched.total_sent == 0
    assert smtp.received == []

    # A recompute derives the clocks again from the history: they stay closed.
    recompute(clock_keeper(config), engine, now.at, apply=True)
    with engine.connect() as connection:
        outcomes = set(connection.execute(select(CLOCKS.c.outcome)).scalars())
    assert None not in outcomes
