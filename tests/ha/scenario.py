"""What every high-availability test does around its one disruption: a cluster with
mail flowing, the leader caught mid-dispatch, and at the end the accounts (each
(key, recipient) once at the sink, every commit made by the leader of its time)."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from tests.support.cluster import Cluster, Member, Sink, Trap, cluster, wait_until
from tests.support.ledger import commits, misplaced, outbox

TTL = 4.0
"""[ha] lease_ttl in these tests: the shortest a test can time without flaking on a
small shared machine (the benchmark uses 10 s)."""
COMPLAINTS = 2000
"""About 470 mails to four recipients, sent over several seconds: enough left to
send at each disruption."""
START_WITHIN = 120.0
"""A first leader, its backfill and its first mail."""
DRAIN_WITHIN = 150.0
"""The outbox empty of due mail: a pass cut short leaves the rest to the alert job's
next minute."""


@dataclass(frozen=True)
class HaDatabase:
    engine: Engine
    """The test's own connection, never fenced."""
    url: str
    """For the processes' configuration."""
    prefix: str
    """Of the ``application_name`` of every session of this test's processes."""


@contextmanager
def running_cluster(
    db: HaDatabase, folder: Path, size: int, complaints: int = COMPLAINTS
) -> Iterator[tuple[Cluster, Sink]]:
    with cluster(
        folder, db.url, prefix=db.prefix, size=size, complaints=complaints, lease_ttl=TTL
    ) as (group, sink):
        try:
            yield group, sink
        except BaseException:
            print(group.logs())  # shown by pytest with the failure
            raise


def mail_flowing(group: Cluster, sink: Sink) -> Member:
    """The leader, once it has sent some mail."""
    leader, _ = group.wait_for_leader(START_WITHIN)
    wait_until(
        f"mail from the leader {leader.name}",
        lambda: len(sink.from_pid(leader.pid)) >= 3,
        START_WITHIN,
    )
    return leader


def caught_mid_dispatch(sink: Sink, leader: Member, *, keep: bool) -> Trap:
    """The leader with one mail in flight (held at the sink), the rest of its batch
    claimed; ``keep``: the sink accepts that mail once released."""
    trap = sink.set_trap(Trap(leader.pid, after=5, keep=keep))
    wait_until(f"{leader.name} in the middle of a send", trap.held.is_set, 60)
    return trap


def others(group: Cluster, member: Member) -> list[Member]:
    return [m for m in group.alive() if m is not member]


def keeps_leading(member: Member, until: float) -> None:
    """Until the monotonic instant ``until`` (a disruption's set length), checking
    that ``member`` leads throughout."""
    pause = threading.Event()
    while (left := until - time.monotonic()) > 0:
        assert member.role() == "leader", f"{member.name} stopped leading"
        pause.wait(min(0.2, left))


def first_mail_from(sink: Sink, member: Member, since: float, timeout: float) -> float:
    """When the sink accepted the first mail ``member`` sent after ``since``."""
    wait_until(f"mail from {member.name}", lambda: bool(sink.from_pid(member.pid, since)), timeout)
    return sink.from_pid(member.pid, since)[0].at


def settle_and_account(group: Cluster, sink: Sink, db: HaDatabase) -> None:
    """Waits for the outbox to hold no due mail, stops every process (SIGTERM, exit
    0), then checks each (X-SP4N-Alert-Key, recipient) the sink took arrived exactly
    once and is exactly what the outbox marked sent, none failed, and that every row
    a member committed was committed while the lease named that member."""
    wait_until("the outbox drained", lambda: outbox(db.engine).due == 0, DRAIN_WITHIN, 0.5)
    pids = {m.application_name: m.pid for m in group.members}
    for member in group.members:
        if member.alive:
            member.signal(signal.SIGTERM)
    for member in group.members:
        if member.alive:
            assert member.wait(40) == 0, member.log_text()[-3000:]
    pairs = sink.pairs()
    twice = {pair: count for pair, count in pairs.items() if count > 1}
    assert not twice, f"delivered more than once: {twice}"
    book = outbox(db.engine)
    assert book.sent, "mail was sent"
    assert set(pairs) == book.sent, (
        f"at the sink, not marked sent: {sorted(set(pairs) - book.sent)[:5]}; "
        f"marked sent, not at the sink: {sorted(book.sent - set(pairs))[:5]}"
    )
    assert not book.failed, book.failed
    assert all(d.pid in pids.values() for d in sink.deliveries), "mail from an unknown sender"
    writers = {c.application_name for c in commits(db.engine)}
    assert writers, "the ledger recorded the leaders' commits"
    assert writers <= set(pids), f"commits from sessions not of the cluster: {writers}"
    wrong = misplaced(db.engine, pids)
    assert not wrong, f"{len(wrong)} rows committed by a process that did not lead: {wrong[:5]}"
    for member in group.members:
        assert "Traceback" not in member.log_text(), member.log_text()[-3000:]
