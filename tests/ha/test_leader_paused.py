"""The leader SIGSTOPped for 3 x lease_ttl with a mail in flight, then SIGCONTed: the
other process has taken over meanwhile (and sent that mail); the resumed one steps
down within two seconds, commits nothing (the server's ledger has no row of it from
the moment it was stopped), sends nothing more, and nothing is delivered twice.

The mail it had in flight is answered 451 once it runs again, so what the resumed
process does next is all that is tested: a 250 there would be the one window the
issue admits (after the check before sending, before the server's reply)."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from tests.ha.scenario import (
    TTL,
    HaDatabase,
    caught_mid_dispatch,
    first_mail_from,
    keeps_leading,
    mail_flowing,
    others,
    running_cluster,
    settle_and_account,
)
from tests.support.cluster import wait_until
from tests.support.ledger import commits, database_clock

pytestmark = pytest.mark.integration


def test_a_paused_leader_steps_down_on_resuming_and_commits_nothing(
    ha_database: HaDatabase, tmp_path: Path
) -> None:
    with running_cluster(ha_database, tmp_path, 2) as (group, sink):
        paused = mail_flowing(group, sink)
        (other,) = others(group, paused)
        trap = caught_mid_dispatch(sink, paused, keep=False)
        stopped_on_server = database_clock(ha_database.engine)
        stopped_at = time.monotonic()
        paused.signal(signal.SIGSTOP)

        _, led_at = group.wait_for_leader(2 * TTL, among=[other])
        assert led_at - stopped_at < 2 * TTL
        first_mail_from(sink, other, since=stopped_at, timeout=2 * TTL)
        keeps_leading(other, until=stopped_at + 3 * TTL)

        sink.release()  # the mail it had in flight: 451
        resumed_at = time.monotonic()
        paused.signal(signal.SIGCONT)
        stepped_at = wait_until(
            f"{paused.name} stepping down",
            lambda: "ha: lease lost, stepping down" in paused.log_text(),
            5,
        )
        took = stepped_at - resumed_at
        print(f"paused: led after {led_at - stopped_at:.2f} s, stepped down {took:.2f} s on")
        assert took <= 2.0, f"stepped down {took:.1f} s after SIGCONT"
        assert paused.role() == "standby"
        assert paused.readyz_field("leader")["pid"] == other.pid
        wait_until(f"{paused.name}'s sp4n_leader 0", lambda: paused.leader_gauge() == 0, 30)
        assert other.role() == "leader"
        assert other.leader_gauge() == 1
        # The mail it had in flight went out once, from the new leader.
        assert sink.senders(trap.held_pairs) == [other.pid]

        settle_and_account(group, sink, ha_database)
        assert not sink.from_pid(paused.pid, since=resumed_at)
        late = [
            c
            for c in commits(ha_database.engine)
            if c.application_name == paused.application_name and c.at >= stopped_on_server
        ]
        assert not late, f"the resumed process committed {len(late)} rows: {late[:5]}"
