"""Every database session of the cluster cut at once, the leader mid-dispatch: both
processes survive and one leads after; nothing is delivered twice.

This stands in for "restart PostgreSQL under them": the server here is shared by
other engineers and cannot be restarted without root, so the test does to its own
processes what a restart or a database failover does to them: it terminates every
session of theirs (``pg_terminate_backend`` on the sessions of this test's
``application_name``s in this database), the lease's and the jobs' alike, while the
leader has a mail in flight, which the sink then accepts: the leader must record it
sent over a new session."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.ha.scenario import (
    TTL,
    HaDatabase,
    caught_mid_dispatch,
    mail_flowing,
    running_cluster,
    settle_and_account,
)
from tests.support.cluster import wait_until
from tests.support.ledger import terminate_sessions

pytestmark = pytest.mark.integration


def test_both_survive_their_database_sessions_cut_and_one_leads_after(
    ha_database: HaDatabase, tmp_path: Path
) -> None:
    with running_cluster(ha_database, tmp_path, 2) as (group, sink):
        leader = mail_flowing(group, sink)
        trap = caught_mid_dispatch(sink, leader, keep=True)
        ended = terminate_sessions(ha_database.engine, ha_database.prefix)
        assert ended >= 3  # the standby's lease engine; the leader's, and its jobs'
        cut_at = time.monotonic()
        sink.release()  # the mail in flight is delivered: 250

        after, _ = group.wait_for_leader(2 * TTL)
        assert [m.alive for m in group.members] == [True, True]
        for member in group.members:
            health = httpx.get(f"http://127.0.0.1:{member.metrics_port}/healthz", timeout=5)
            assert health.status_code == 200
        wait_until(
            "mail after the cut",
            lambda: len([d for d in sink.deliveries if d.at > cut_at]) > 1,
            2 * TTL + 60,
        )
        assert after.leader_gauge() == 1
        settle_and_account(group, sink, ha_database)
        # The mail in flight was accepted from the leader of the time, and recorded
        # sent over a new session: it was not sent again.
        assert sink.senders(trap.held_pairs) == [leader.pid]
