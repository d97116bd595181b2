"""The running totals the metrics read stay equal to a recount of the mirror."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import Engine, delete

from connectors.simulator import Faults, Simulator, World, WorldSettings
from connectors.simulator.world import DAY
from connectors.sp4n_lapor import LaporConnector
from syncd.clock.calendar import WorkingCalendar
from syncd.clock.policy import ClockPolicy
from syncd.store import tally, upgrade
from syncd.store.clocks import ClockKeeper, recompute
from syncd.store.migrate import alembic_config
from syncd.store.tables import COMPLAINT_TALLY
from syncd.sync import SyncPass
from tests.support.clocks import FakeClock
from tests.support.simulator import SOURCE, START, connect, connectors

pytestmark = pytest.mark.integration
__all__ = ["connectors"]  # the fixture, used by name

KEEPER = ClockKeeper(ClockPolicy(), WorkingCalendar())


def assert_kept_equals_recount(engine: Engine) -> tally.Recount:
    with engine.connect() as connection:
        kept = tally.kept(connection)
        counted = tally.recount(connection)
    assert kept.complaints == +counted.complaints
    assert kept.clocks == +counted.clocks
    assert kept.earliest_due == counted.earliest_due
    return counted


def test_the_totals_follow_every_sync_tick_and_recompute(
    engine: Engine, connectors: list[LaporConnector]
) -> None:
    clock = FakeClock(now=START)
    world = World.generate(
        WorldSettings(complaints=600, seed=5, malformed_rate=0.02, vanish_rate=0.05),
        clock=clock,
    )
    faults = Faults.everything(0.03)
    with Simulator(world, faults, seed=5) as sim:
        syncer = SyncPass(
            engine,
            connect(sim, connectors),
            SOURCE,
            clock=lambda: datetime.fromtimestamp(clock.now, UTC),
            clocks=KEEPER,
        )
        assert syncer.run().ok
        first = assert_kept_equals_recount(engine)
        assert first.complaints.total() > 500
        assert {"on_track", "breached", "met"} <= {state for _, _, state, _ in first.clocks}
        assert first.earliest_due

        # Time passes: the tick moves clocks between states, the sync rewrites some,
        # a full pass marks the removed ones vanished.
        clock.advance(4 * DAY)
        with engine.begin() as connection:
            assert KEEPER.tick(connection, datetime.fromtimestamp(clock.now, UTC)).changes
        assert_kept_equals_recount(engine)
        faults.quiet()
        assert syncer.run().ok
        assert syncer.run(full=True).vanished > 0
        later = assert_kept_equals_recount(engine)
        assert later.clocks != first.clocks

    longer = replace(KEEPER, policy=replace(KEEPER.policy, followup_days=9))
    assert recompute(longer, engine, datetime.fromtimestamp(clock.now, UTC), apply=True).moved
    assert_kept_equals_recount(engine)


def test_an_upgrade_to_the_totals_counts_the_mirror_already_there(
    engine: Engine, connectors: list[LaporConnector]
) -> None:
    clock = FakeClock(now=START)
    world = World.generate(WorldSettings(complaints=200, seed=8), clock=clock)
    with Simulator(world) as sim:
        now = datetime.fromtimestamp(START, UTC) + timedelta(hours=1)
        assert (
            SyncPass(engine, connect(sim, connectors), SOURCE, clock=lambda: now, clocks=KEEPER)
            .run()
            .ok
        )
    with engine.begin() as connection:
        connection.execute(delete(COMPLAINT_TALLY))
    command.downgrade(alembic_config(engine), "0003")
    upgrade(engine)
    counted = assert_kept_equals_recount(engine)
    assert counted.complaints.total() == 200
