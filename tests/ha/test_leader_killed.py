"""The leader SIGKILLed mid-dispatch (one mail in flight at the sink, the rest of its
batch claimed): another process leads within 2 x lease_ttl, mail resumes from it
within one TTL of the takeover, the mail in flight goes out once (from the new
leader), and nothing is delivered twice. With three processes the second leader is
killed too, and the third takes over."""

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
from tests.support.cluster import Cluster, Member, Sink, wait_until

pytestmark = pytest.mark.integration


def kill_mid_dispatch(group: Cluster, sink: Sink, leader: Member) -> Member:
    """Kills ``leader`` with a mail in flight; the process that leads next."""
    trap = caught_mid_dispatch(sink, leader, keep=False)
    survivors = others(group, leader)
    killed_at = time.monotonic()
    leader.signal(signal.SIGKILL)
    assert leader.wait(10) == -signal.SIGKILL
    sink.release()  # its reply goes to a closed connection: the mail is nobody's

    successor, led_at = group.wait_for_leader(2 * TTL, among=survivors)
    assert led_at - killed_at < 2 * TTL
    assert f"ha: leading (fencing {successor.readyz_field('fencing')})" in successor.log_text()
    resumed_at = first_mail_from(sink, successor, since=killed_at, timeout=2 * TTL)
    print(f"killed: led after {led_at - killed_at:.2f} s, mail {resumed_at - killed_at:.2f} s")
    assert resumed_at - led_at < TTL, f"mail resumed {resumed_at - led_at:.1f} s after"
    assert not sink.from_pid(leader.pid, since=killed_at)
    # The mail that was in flight is the new leader's to send: it takes over the
    # claims of an older fencing number at once.
    wait_until(
        "the mail in flight sent again",
        lambda: sink.senders(trap.held_pairs) == [successor.pid],
        2 * TTL,
    )
    for standby in others(group, successor):
        ready = standby.readyz()
        assert ready is not None and ready[0] == 200
        assert ready[1]["role"] == "standby"
        assert ready[1]["leader"]["pid"] == successor.pid
    return successor


@pytest.mark.parametrize("size", [2, 3])
def test_it_fails_over_when_the_leader_is_killed_mid_dispatch(
    ha_database: HaDatabase, tmp_path: Path, size: int
) -> None:
    with running_cluster(ha_database, tmp_path, size) as (group, sink):
        leader = mail_flowing(group, sink)
        for _ in range(size - 1):
            leader = kill_mid_dispatch(group, sink, leader)
        settle_and_account(group, sink, ha_database)
