"""SIGTERM on the leader mid-dispatch (the way an operator drains it, or systemd
stops it): it finishes the mail in hand, gives the lease up as it stops, and exits 0;
another process leads within one lease_ttl of the signal and mail resumes from it;
nothing is delivered twice. Before the signal, the leader's ``/metrics`` says
``sp4n_leader 1`` and the standby's 0, its ``/readyz`` naming the leader."""

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
    mail_flowing,
    others,
    running_cluster,
    settle_and_account,
)

pytestmark = pytest.mark.integration


def test_sigterm_on_the_leader_hands_over_within_one_ttl(
    ha_database: HaDatabase, tmp_path: Path
) -> None:
    with running_cluster(ha_database, tmp_path, 2) as (group, sink):
        leader = mail_flowing(group, sink)
        (standby,) = others(group, leader)
        assert (leader.leader_gauge(), standby.leader_gauge()) == (1, 0)
        ready = standby.readyz()
        assert ready is not None and ready[0] == 200
        assert ready[1]["role"] == "standby"
        assert ready[1]["leader"]["pid"] == leader.pid

        caught_mid_dispatch(sink, leader, keep=True)
        drained_at = time.monotonic()
        leader.signal(signal.SIGTERM)
        sink.release()
        _, led_at = group.wait_for_leader(TTL, among=[standby])
        print(f"drained: led after {led_at - drained_at:.2f} s")
        assert led_at - drained_at < TTL
        assert leader.wait(40) == 0
        assert "ha: lease given up" in leader.log_text()
        first_mail_from(sink, standby, since=drained_at, timeout=2 * TTL)
        assert standby.leader_gauge() == 1
        settle_and_account(group, sink, ha_database)
