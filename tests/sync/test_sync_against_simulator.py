"""The sync engine against the simulator over loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from connectors.records import ComplaintDetail
from connectors.retry import RetryPolicy
from connectors.simulator import Faults, Simulator, World, WorldSettings
from connectors.simulator.world import DAY
from connectors.sp4n_lapor import LaporConnector
from syncd.store.read import mirrored_details
from syncd.store.tables import Complaint, Institution, QuarantinedRecord, SyncCheckpoint, SyncRun
from syncd.store.write import Batch, write_batch
from syncd.sync import SyncPass
from tests.support.clocks import FakeClock
from tests.support.simulator import SOURCE, START, connect

pytestmark = pytest.mark.integration


@pytest.fixture
def world_clock() -> FakeClock:
    return FakeClock(now=START)


def sync_pass(engine: Engine, connector: LaporConnector, clock: FakeClock) -> SyncPass:
    return SyncPass(engine, connector, SOURCE, clock=lambda: datetime.fromtimestamp(clock.now, UTC))


def mirror(engine: Engine) -> dict[int, ComplaintDetail]:
    with engine.connect() as connection:
        return mirrored_details(connection, SOURCE)


def quarantined(engine: Engine) -> set[int]:
    q = QuarantinedRecord.__table__.c  # type: ignore[attr-defined]
    with engine.connect() as connection:
        rows = connection.execute(
            select(q.upstream_id).where(q.source == SOURCE, q.resolved_at.is_(None))
        )
        return {upstream_id for (upstream_id,) in rows}


def good(engine: Engine) -> dict[int, ComplaintDetail]:
    """The mirror less what is quarantined now (it keeps its last good version)."""
    held = quarantined(engine)
    return {cid: d for cid, d in mirror(engine).items() if cid not in held}


def test_the_mirror_equals_the_simulators_truth_through_every_fault(
    engine: Engine, world_clock: FakeClock, connectors: list[LaporConnector]
) -> None:
    world = World.generate(
        WorldSettings(
            complaints=1500, seed=21, malformed_rate=0.02, vanish_rate=0.03, same_second=300
        ),
        clock=world_clock,
    )
    faults = Faults.everything(0.04)
    faults.latency = 0.001
    with Simulator(world, faults, seed=21) as sim:
        syncer = sync_pass(engine, connect(sim, connectors), world_clock)

        first = syncer.run()
        assert first.ok, first.error
        faults.quiet()
        assert syncer.run().ok
        assert good(engine) == world.truth()
        assert quarantined(engine) == world.malformed_ids()

        # Days pass: new complaints, progress, removals; then a full pass reconciles.
        world_clock.advance(5 * DAY)
        assert syncer.run().ok
        removed = world.removed_ids()
        full = syncer.run(full=True)
        assert full.ok
        assert full.vanished > 0
        assert good(engine) == world.truth()
        assert quarantined(engine) == world.malformed_ids()
        c = Complaint.__table__.c  # type: ignore[attr-defined]
        with engine.connect() as connection:
            marked = set(
                connection.execute(
                    select(c.upstream_id).where(c.vanished_at.is_not(None))
                ).scalars()
            )
            institutions = connection.execute(
                select(func.count()).select_from(Institution.__table__)  # type: ignore[attr-defined]
            ).scalar_one()
        assert marked and marked <= removed, "removed complaints are marked, never deleted"
        assert institutions > 0
        assert sim.requests.counts.get("429", 0) > 0
        assert sim.requests.counts.get("200-cut", 0) > 0


def test_a_poll_with_no_changes_fetches_no_detail(
    engine: Engine, world_clock: FakeClock, connectors: list[LaporConnector]
) -> None:
    world = World.generate(WorldSettings(complaints=300, seed=2), clock=world_clock)
    with Simulator(world) as sim:
        syncer = sync_pass(engine, connect(sim, connectors), world_clock)
        assert syncer.run().fetched == 300
        again = syncer.run()
        assert again.ok
        assert (again.fetched, again.written) == (0, 0)
        assert again.listed == again.unchanged


def test_an_older_copy_never_overwrites_a_newer_one(
    engine: Engine, world_clock: FakeClock, connectors: list[LaporConnector]
) -> None:
    world = World.generate(WorldSettings(complaints=50, seed=2), clock=world_clock)
    with Simulator(world) as sim:
        connector = connect(sim, connectors)
        syncer = sync_pass(engine, connector, world_clock)
        syncer.run()
        newest = mirror(engine)
        complaint_id = next(iter(newest))
        stale = newest[complaint_id]
        older = ComplaintDetail(
            summary=replace(stale.summary, updated_at=stale.summary.updated_at - timedelta(days=3)),
            content="an older copy",
            location_name=stale.location_name,
            date_of_incident=stale.date_of_incident,
            logs=(),
            followups=(),
        )
        with engine.begin() as connection:
            written = write_batch(connection, SOURCE, Batch(details=[older]), datetime.now(UTC))
        assert written.complaints == 0
        assert mirror(engine)[complaint_id] == stale


def test_a_failing_platform_fails_the_pass_and_keeps_what_was_committed(
    engine: Engine, world_clock: FakeClock, connectors: list[LaporConnector]
) -> None:
    world = World.generate(WorldSettings(complaints=1000, seed=4), clock=world_clock)
    faults = Faults()
    with Simulator(world, faults) as sim:
        answered = 0

        def break_after_a_while(_: int) -> None:
            nonlocal answered
            answered += 1
            if answered == 400:
                faults.error_rate = 1.0

        sim.on_request.append(break_after_a_while)
        connector = connect(sim, connectors, page_size=50, retry=RetryPolicy(attempts=2))
        syncer = sync_pass(engine, connector, world_clock)
        failed = syncer.run()
        assert not failed.ok
        assert failed.error is not None
        assert failed.error.kind == "UpstreamUnavailable"

        checkpoint = syncer.checkpoint()
        assert checkpoint is not None, "the pages committed before the failure stay"
        held = mirror(engine)
        truth = world.truth()
        behind = {cid for cid, d in truth.items() if d.summary.updated_at < checkpoint}
        assert behind <= set(held), "the checkpoint is never ahead of committed data"
        r = SyncRun.__table__.c  # type: ignore[attr-defined]
        with engine.connect() as connection:
            run = connection.execute(select(r.result, r.error_kind)).one()
        assert tuple(run) == ("error", "UpstreamUnavailable")

        faults.error_rate = 0.0
        assert syncer.run().ok
        assert mirror(engine) == truth


def test_the_checkpoint_moves_with_each_committed_page(
    engine: Engine, world_clock: FakeClock, connectors: list[LaporConnector]
) -> None:
    world = World.generate(WorldSettings(complaints=600, seed=8), clock=world_clock)
    with Simulator(world) as sim:
        syncer = sync_pass(engine, connect(sim, connectors, page_size=100), world_clock)
        stats = syncer.run()
        assert stats.pages >= 6
        newest = max(d.summary.updated_at for d in world.truth().values())
        assert syncer.checkpoint() == newest
        s = SyncCheckpoint.__table__.c  # type: ignore[attr-defined]
        with engine.connect() as connection:
            last_full = connection.execute(select(s.last_full_at)).scalar_one()
        assert last_full is not None, "a first pass is a full listing, reconciled"
