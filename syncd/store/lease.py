"""The leader's lease on PostgreSQL, and the fence on every transaction of its jobs.

CONTRACT.md section 8. One row (``ha_lease``) names the leader and its fencing
number; instants are the database's own clock, so the machines' clocks need not
agree. Why a row and row locks rather than an advisory lock held by a session: an
advisory lock lives as long as a session, which a connection pooler multiplexes and a
network cut leaves hanging on the server for minutes; a lease that expires by the
database's clock is decided the same way for every process, through any pooler.

- **Taking over** (``try_lead``): a standby that reads an expired lease locks the row
  ``FOR UPDATE``, raises the fencing number, and in the same transaction frees every
  outbox claim made under an older one.
- **Renewing** (``renew``): every third of the TTL, a plain UPDATE (``FOR NO KEY
  UPDATE``) that only succeeds while the row still names this leader and is not
  expired.
- **The fence** (``Fence``, installed on the jobs' engine): the first statement of
  every transaction reads the row ``FOR KEY SHARE`` where it names this leader's
  fencing number and has not expired, or raises ``LeaseLost``. The share lock
  conflicts with a takeover's ``FOR UPDATE`` (not with the leader's own renewals,
  which carry it over to the row's new version), so a takeover waits until the
  leader's transactions in flight have ended, and none of them can commit after it.
  ``idle_in_transaction_session_timeout`` (half the TTL, at least 5 s, for that
  transaction only, so pooler-safe) ends a transaction whose process was paused or
  cut off, so that it cannot hold a takeover back: a takeover then comes at most
  that much after the lease expired.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, event, text

log = logging.getLogger("syncd")

MIN_IDLE_CUT = timedelta(seconds=5)


class LeaseLost(Exception):
    """This process does not hold the lease (any more): its jobs must not write."""


@dataclass(frozen=True)
class Me:
    """This process as a member of the shared database."""

    id: str
    host: str
    pid: int

    @classmethod
    def this_process(cls) -> Me:
        return cls(uuid.uuid4().hex, socket.gethostname(), os.getpid())


@dataclass(frozen=True)
class LeaderSeen:
    member: str
    host: str | None
    pid: int | None
    fencing: int
    expires_in: float
    """Seconds until the lease expires (negative: expired this long ago)."""


@dataclass
class Lease:
    engine: Engine
    """An engine of its own (not the jobs'): renewing never waits for a job."""
    ttl: timedelta
    me: Me = field(default_factory=Me.this_process)
    monotonic: Callable[[], float] = time.monotonic
    fencing: int | None = None
    """The fencing number this process leads under; None while it stands by."""
    renewed: float | None = None
    """When (monotonic) the lease was last taken or renewed."""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def leading(self) -> bool:
        return self.fencing is not None

    def fresh(self) -> bool:
        """Whether the lease was renewed within half the TTL: mail may go out."""
        renewed = self.renewed
        half = self.ttl.total_seconds() / 2
        return self.leading and renewed is not None and self.monotonic() - renewed <= half

    def try_lead(self) -> int | None:
        """Takes the lease if it has expired; the new fencing number, or None (also
        when the database does not answer, or the old leader's transactions in flight
        hold the row past the lock timeout: the next look tries again)."""
        try:
            return self._take()
        except Exception as exc:
            log.info("ha: cannot take the lease now: %s", type(exc).__name__)
            return None

    def _take(self) -> int | None:
        seconds = self.ttl.total_seconds()
        with self.engine.begin() as connection:
            _local(connection, "lock_timeout", "2s")
            row = connection.execute(
                text("SELECT expires_at <= now() AS expired FROM ha_lease WHERE id = 1")
            ).first()
            if row is None or not row.expired:
                return None
            locked = connection.execute(
                text(
                    "SELECT fencing, expires_at <= now() AS expired FROM ha_lease "
                    "WHERE id = 1 FOR UPDATE"
                )
            ).one()
            if not locked.expired:
                return None  # another standby was quicker
            fencing: int = connection.execute(
                text(
                    "UPDATE ha_lease SET holder = :me, fencing = fencing + 1, "
                    "acquired_at = now(), renewed_at = now(), "
                    "expires_at = now() + make_interval(secs => :ttl) "
                    "WHERE id = 1 RETURNING fencing"
                ),
                {"me": self.me.id, "ttl": seconds},
            ).scalar_one()
            # Every claim in the outbox is an older leader's: its check before
            # sending fails from this commit on, and this leader may send them.
            freed = connection.execute(
                text(
                    "UPDATE alert_outbox SET claim_token = NULL, claimed_until = NULL "
                    "WHERE claim_token IS NOT NULL"
                )
            ).rowcount
        with self._lock:
            self.fencing, self.renewed = fencing, self.monotonic()
        log.info("ha: leading (fencing %d); %d mail claim(s) taken over", fencing, freed or 0)
        return fencing

    def renew(self) -> bool:
        """Extends the lease; False (and standing by) when it is not ours any more."""
        fencing = self.fencing
        if fencing is None:
            return False
        started = self.monotonic()
        try:
            with self.engine.begin() as connection:
                _local(connection, "lock_timeout", "2s")
                _local(connection, "statement_timeout", f"{self._ms(1 / 3)}ms")
                renewed = connection.execute(
                    text(
                        "UPDATE ha_lease SET renewed_at = now(), "
                        "expires_at = now() + make_interval(secs => :ttl) "
                        "WHERE id = 1 AND holder = :me AND fencing = :fencing "
                        "AND expires_at > now() RETURNING fencing"
                    ),
                    {"me": self.me.id, "fencing": fencing, "ttl": self.ttl.total_seconds()},
                ).first()
        except Exception as exc:  # the database unreachable: the lease runs out by itself
            log.warning("ha: cannot renew the lease: %s", type(exc).__name__)
            if self.fresh():
                return True  # still well inside the TTL: try again at the next look
            self.step_down("it could not be renewed within half its TTL")
            return False
        if renewed is None:
            self.step_down("the lease is not ours any more")
            return False
        with self._lock:
            if self.fencing == fencing:
                self.renewed = started
        return True

    def step_down(self, why: str) -> None:
        with self._lock:
            was, self.fencing, self.renewed = self.fencing, None, None
        if was is not None:
            log.warning("ha: lease lost, stepping down (fencing %d): %s", was, why)

    def release(self) -> None:
        """Gives the lease up (a stop): a standby takes over at its next look."""
        with self._lock:
            fencing, self.fencing, self.renewed = self.fencing, None, None
        if fencing is None:
            return
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    text(
                        "UPDATE ha_lease SET expires_at = now() "
                        "WHERE id = 1 AND holder = :me AND fencing = :fencing"
                    ),
                    {"me": self.me.id, "fencing": fencing},
                )
            log.info("ha: lease given up (fencing %d)", fencing)
        except Exception as exc:
            log.warning("ha: cannot give the lease up: %s", type(exc).__name__)

    def heartbeat(self, started_at: datetime, role: str) -> None:
        """Records this process in ``ha_members`` (for ``syncd status``)."""
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    text(
                        "INSERT INTO ha_members (id, host, pid, role, fencing, started_at, "
                        "seen_at) VALUES (:id, :host, :pid, :role, :fencing, :started, now()) "
                        "ON CONFLICT (id) DO UPDATE SET role = excluded.role, "
                        "fencing = excluded.fencing, seen_at = now()"
                    ),
                    {
                        "id": self.me.id,
                        "host": self.me.host,
                        "pid": self.me.pid,
                        "role": role,
                        "fencing": self.fencing,
                        "started": started_at,
                    },
                )
        except Exception as exc:
            log.warning("ha: cannot record this process: %s", type(exc).__name__)

    def leader(self) -> LeaderSeen | None:
        """The leader the lease names, and how long it has left; None before any."""
        with self.engine.connect() as connection:
            row = connection.execute(
                text(
                    "SELECT l.holder, l.fencing, m.host, m.pid, "
                    "EXTRACT(EPOCH FROM (l.expires_at - now())) AS left "
                    "FROM ha_lease l LEFT JOIN ha_members m ON m.id = l.holder "
                    "WHERE l.id = 1"
                )
            ).first()
        if row is None or row.holder is None:
            return None
        return LeaderSeen(row.holder, row.host, row.pid, row.fencing, float(row.left))

    def idle_cut_ms(self) -> int:
        """How long a fenced transaction may sit idle before the server ends it: half
        the TTL, and never under ``MIN_IDLE_CUT`` (a job thinks between statements)."""
        return max(self._ms(1 / 2), int(MIN_IDLE_CUT.total_seconds() * 1000))

    def _ms(self, share: float) -> int:
        return max(1, int(self.ttl.total_seconds() * 1000 * share))


def _local(connection: Connection, name: str, value: str) -> None:
    connection.execute(
        text("SELECT set_config(:name, :value, true)"), {"name": name, "value": value}
    )


class Fence:
    """Installed on the engine of the leader's jobs: each transaction first checks that
    this process still leads, and holds the lease row ``FOR KEY SHARE`` until it ends."""

    def __init__(self, lease: Lease) -> None:
        self.lease = lease
        self.checks = 0

    def install(self, engine: Engine) -> None:
        event.listen(engine, "begin", self._check)

    def _check(self, connection: Connection) -> None:
        fencing = self.lease.fencing
        if fencing is None:
            raise LeaseLost("this process does not lead: its jobs write nothing")
        self.checks += 1
        held = connection.exec_driver_sql(
            "SELECT set_config('idle_in_transaction_session_timeout', %(idle)s, true) "
            "FROM ha_lease WHERE id = 1 AND holder = %(me)s AND fencing = %(fencing)s "
            "AND expires_at > now() FOR KEY SHARE",
            {"idle": f"{self.lease.idle_cut_ms()}ms", "me": self.lease.me.id, "fencing": fencing},
        ).first()
        if held is None:
            self.lease.step_down("a transaction found the lease gone")
            raise LeaseLost(f"the lease of fencing {fencing} is gone: this process steps down")
