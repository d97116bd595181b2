"""The leader's lease and its fence, on the real PostgreSQL (CONTRACT.md section 8):
a standby writes nothing, a takeover waits for the old leader's transaction in flight
and that transaction commits nothing after it, a leader that lost the lease cannot
renew it, and a new leader takes the old one's mail claims at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from syncd.store import make_engine
from syncd.store.lease import Fence, Lease, LeaseLost
from syncd.store.tables import OUTBOX
from tests.support.database import database_url

pytestmark = pytest.mark.integration

TTL = timedelta(seconds=4)


@pytest.fixture
def jobs(postgresql_engine: Engine) -> Iterator[Engine]:
    """A second engine on the same schema: the one the leader's jobs would use."""
    engine = make_engine(database_url(postgresql_engine))
    yield engine
    engine.dispose()


def expire(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE ha_lease SET expires_at = now() - interval '1 second'"))


def test_a_standby_writes_nothing_and_a_leader_writes(
    postgresql_engine: Engine, jobs: Engine
) -> None:
    lease = Lease(postgresql_engine, TTL)
    Fence(lease).install(jobs)
    with pytest.raises(LeaseLost), jobs.begin() as connection:
        connection.execute(text("SELECT 1"))
    assert lease.try_lead() == 1
    with jobs.begin() as connection:
        assert connection.execute(text("SELECT fencing FROM ha_lease")).scalar_one() == 1
    assert lease.renew()
    assert Lease(postgresql_engine, TTL).try_lead() is None, "not while the lease holds"


def test_a_takeover_waits_for_the_old_leaders_transaction_which_then_commits_nothing(
    postgresql_engine: Engine, jobs: Engine
) -> None:
    old = Lease(postgresql_engine, TTL)
    Fence(old).install(jobs)
    assert old.try_lead() == 1
    in_flight = jobs.connect()
    in_flight.begin()  # fenced: holds the lease row FOR KEY SHARE
    in_flight.execute(
        OUTBOX.insert().values(
            key="k", recipient="r", kind="breach", zone="Asia/Jakarta", status="pending",
            created_at=datetime.now(UTC), next_attempt_at=datetime.now(UTC), attempts=0,
        )
    )  # fmt: skip
    expire(postgresql_engine)
    new = Lease(postgresql_engine, TTL)
    assert new.try_lead() is None, "the takeover waits for the transaction in flight"
    in_flight.commit()  # it began under the lease: it may commit
    in_flight.close()
    assert new.try_lead() == 2
    with pytest.raises(LeaseLost), jobs.begin() as connection:
        connection.execute(text("SELECT 1"))
    assert old.fencing is None, "the old leader stepped down"
    assert not old.renew()


def test_a_paused_leaders_open_transaction_is_cut_so_a_takeover_goes_through(
    postgresql_engine: Engine, jobs: Engine
) -> None:
    old = Lease(postgresql_engine, TTL)
    Fence(old).install(jobs)
    assert old.try_lead() == 1
    paused = jobs.connect()
    paused.begin()
    expire(postgresql_engine)
    new = Lease(postgresql_engine, TTL)
    cut = threading.Event()

    def take() -> None:
        # The server ends the idle transaction after 5 s (half the TTL, at least 5 s).
        while not cut.is_set():
            if new.try_lead() is not None:
                cut.set()

    taker = threading.Thread(target=take)
    taker.start()
    taker.join(timeout=4 * TTL.total_seconds())
    cut.set()
    assert new.fencing == 2
    with pytest.raises(DBAPIError):  # its session is gone: nothing of it commits
        paused.execute(text("SELECT 1"))
    paused.close()


def test_a_new_leader_takes_the_old_ones_claims_at_once(
    postgresql_engine: Engine, jobs: Engine
) -> None:
    old = Lease(postgresql_engine, TTL)
    Fence(old).install(jobs)
    assert old.try_lead() == 1
    now = datetime.now(UTC)
    with jobs.begin() as connection:
        connection.execute(
            OUTBOX.insert().values(
                key="k", recipient="r", kind="breach", zone="Asia/Jakarta", status="pending",
                created_at=now, next_attempt_at=now, attempts=0, claim_token="t",
                claimed_until=now + timedelta(minutes=10), claim_fencing=1,
            )
        )  # fmt: skip
    expire(postgresql_engine)
    assert Lease(postgresql_engine, TTL).try_lead() == 2
    with postgresql_engine.connect() as connection:
        token = connection.execute(text("SELECT claim_token FROM alert_outbox")).scalar_one()
    assert token is None


def test_a_released_lease_is_taken_at_the_next_look(postgresql_engine: Engine) -> None:
    leader = Lease(postgresql_engine, TTL)
    assert leader.try_lead() == 1
    leader.release()
    assert not leader.leading
    assert Lease(postgresql_engine, TTL).try_lead() == 2
