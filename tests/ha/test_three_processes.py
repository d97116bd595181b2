"""Three processes through every disruption in turn, mail flowing throughout: the
leader killed mid-dispatch (and a fresh process started in its place, as systemd
would), every database session cut, the leader drained with SIGTERM, then the leader
paused for 3 x lease_ttl and resumed. After each, one process leads (within the
bound of that disruption); at the end each (X-SP4N-Alert-Key, recipient) the outbox
sent arrived at the sink exactly once, and every row was committed by the leader of
its time (``settle_and_account``). The cut stands in for a PostgreSQL restart, as in
``test_database_sessions_cut``."""

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
from tests.support.ledger import terminate_sessions

pytestmark = pytest.mark.integration

COMPLAINTS = 4000
"""About twice the mail of the other tests: four disruptions each take some."""


def test_three_processes_through_kill_cut_drain_and_pause_deliver_each_mail_once(
    ha_database: HaDatabase, tmp_path: Path
) -> None:
    with running_cluster(ha_database, tmp_path, 3, COMPLAINTS) as (group, sink):
        leader = mail_flowing(group, sink)
        standbys = others(group, leader)
        assert [s.leader_gauge() for s in standbys] == [0, 0]
        assert {s.readyz_field("leader")["pid"] for s in standbys} == {leader.pid}

        # SIGKILL mid-dispatch; a new process joins in its place.
        caught_mid_dispatch(sink, leader, keep=False)
        killed_at = time.monotonic()
        leader.signal(signal.SIGKILL)
        leader.wait(10)
        sink.release()
        leader, led_at = group.wait_for_leader(2 * TTL, among=standbys)
        assert led_at - killed_at < 2 * TTL
        first_mail_from(sink, leader, since=killed_at, timeout=2 * TTL)
        joined = group.add()
        wait_until(f"{joined.name} standing by", lambda: joined.role() == "standby", 60)

        # Every session cut, the leader mid-dispatch.
        caught_mid_dispatch(sink, leader, keep=True)
        assert terminate_sessions(ha_database.engine, ha_database.prefix) >= 4
        cut_at = time.monotonic()
        sink.release()
        leader, _ = group.wait_for_leader(2 * TTL)
        assert len(group.alive()) == 3
        wait_until("mail after the cut", lambda: bool(sink.from_pid(leader.pid, cut_at)), 60)

        # SIGTERM mid-dispatch: handed over within one TTL.
        drained = leader
        caught_mid_dispatch(sink, drained, keep=True)
        drained_at = time.monotonic()
        drained.signal(signal.SIGTERM)
        sink.release()
        leader, led_at = group.wait_for_leader(TTL, among=others(group, drained))
        assert led_at - drained_at < TTL
        assert drained.wait(40) == 0
        first_mail_from(sink, leader, since=drained_at, timeout=2 * TTL)

        # SIGSTOP for 3 TTLs, then SIGCONT: the other leads, the resumed one steps down.
        paused = leader
        (other,) = others(group, paused)
        caught_mid_dispatch(sink, paused, keep=False)
        stopped_at = time.monotonic()
        paused.signal(signal.SIGSTOP)
        group.wait_for_leader(2 * TTL, among=[other])
        keeps_leading(other, until=stopped_at + 3 * TTL)
        sink.release()
        resumed_at = time.monotonic()
        paused.signal(signal.SIGCONT)
        stepped_at = wait_until(
            f"{paused.name} stepping down",
            lambda: "ha: lease lost, stepping down" in paused.log_text(),
            5,
        )
        assert stepped_at - resumed_at <= 2.0
        assert paused.role() == "standby"

        settle_and_account(group, sink, ha_database)
        assert not sink.from_pid(paused.pid, since=resumed_at)
        senders = {d.pid for d in sink.deliveries}
        assert len(senders) >= 4, "four leaders in turn sent mail"
