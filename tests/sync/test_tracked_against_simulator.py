"""Tracked checks against the simulator over loopback, on SQLite and PostgreSQL: a
gateway without a listing (the v3-observed profile) mirrored from the ids an agency
tracks, on an urgency schedule, writing only what changed."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from connectors.records import ComplaintDetail
from connectors.retry import RetryPolicy
from connectors.simulator import Faults, Simulator, World, WorldSettings
from connectors.sp4n_lapor import LaporConnector
from syncd.clock.calendar import WorkingCalendar
from syncd.clock.policy import ClockPolicy
from syncd.clock.schedule import ScheduleClass, TrackingSchedule
from syncd.store.clocks import ClockKeeper
from syncd.store.read import mirrored_details
from syncd.store.tracked import Origin, listing, track
from syncd.sync.discovery import discover
from syncd.sync.tracked import TrackedPass
from tests.support.clocks import FakeClock
from tests.support.simulator import SOURCE, START, connect

pytestmark = pytest.mark.integration

SCHEDULE = TrackingSchedule()


@pytest.fixture
def world_clock() -> FakeClock:
    return FakeClock(now=START)


def now_of(clock: FakeClock) -> datetime:
    return datetime.fromtimestamp(clock.now, UTC)


def tracked_pass(engine: Engine, connector: LaporConnector, clock: FakeClock) -> TrackedPass:
    keeper = ClockKeeper(ClockPolicy(), WorkingCalendar())
    return TrackedPass(engine, connector, SOURCE, clocks=keeper, clock=lambda: now_of(clock))


def track_all(engine: Engine, ids: list[int], clock: FakeClock) -> None:
    with engine.begin() as connection:
        track(connection, SOURCE, [(i, Origin("cli")) for i in ids], now_of(clock))


def mirrored(engine: Engine, ids: list[int]) -> dict[int, object]:
    with engine.connect() as connection:
        return dict(mirrored_details(connection, SOURCE, ids))


def test_auto_discovery_finds_the_listing_only_where_there_is_one(
    world_clock: FakeClock, connectors: list[LaporConnector]
) -> None:
    world = World.generate(WorldSettings(complaints=20, seed=3), clock=world_clock)
    with Simulator(world, profile="v3-observed") as gateway, Simulator(world) as contract:
        assert discover(connect(gateway, connectors), "auto", SOURCE) == "tracked"
        assert discover(connect(contract, connectors), "auto", SOURCE) == "listing"
        assert discover(connect(gateway, connectors), "listing", SOURCE) == "listing"


def test_the_tracked_ids_are_mirrored_as_the_platform_has_them(
    engine: Engine, world_clock: FakeClock, connectors: list[LaporConnector]
) -> None:
    world = World.generate(WorldSettings(complaints=200, seed=11), clock=world_clock)
    truth = world.truth()
    ids = sorted(truth)[:60]
    unknown = max(truth) + 10_000
    with Simulator(world, profile="v3-observed") as sim:
        checks = tracked_pass(engine, connect(sim, connectors), world_clock)
        track_all(engine, [*ids, unknown], world_clock)
        first = checks.run()
        assert first.ok, first.error
        assert (first.listed, first.written) == (61, 60)
        assert mirrored(engine, ids) == {i: truth[i] for i in ids}
        assert sim.requests.counts.get("404", 0) >= 1, "the unknown id answered 404"

        again = checks.run()
        assert (again.listed, again.fetched) == (0, 0), "nothing is due right after a check"

        with engine.connect() as connection:
            rows = {r["upstream_id"]: r for r in listing(connection, SOURCE)}
        assert rows[unknown]["last_result"] == "vanished"
        for upstream_id in ids:
            row = rows[upstream_id]
            assert row["schedule"] in ("urgent", "active", "closed")
            every = SCHEDULE.every(ScheduleClass(row["schedule"]))
            assert row["next_check_at"] - row["last_check_at"] == every


def test_an_unchanged_complaint_costs_its_requests_and_no_write(
    engine: Engine, world_clock: FakeClock, connectors: list[LaporConnector]
) -> None:
    world = World.generate(WorldSettings(complaints=80, seed=5), clock=world_clock)
    ids = sorted(world.truth())[:30]
    with Simulator(world, profile="v3-observed") as sim:
        checks = tracked_pass(engine, connect(sim, connectors), world_clock)
        track_all(engine, ids, world_clock)
        assert checks.run().written == 30
        everything = checks.run(everything=True)
        assert everything.listed == 30
        assert (everything.written, everything.unchanged) == (0, 30)


def test_changes_upstream_arrive_at_the_next_scheduled_check(
    engine: Engine, world_clock: FakeClock, connectors: list[LaporConnector]
) -> None:
    world = World.generate(WorldSettings(complaints=300, seed=8), clock=world_clock)
    ids = sorted(world.truth())[-120:]  # the newest: their clocks are running
    with Simulator(world, profile="v3-observed") as sim:
        checks = tracked_pass(engine, connect(sim, connectors), world_clock)
        track_all(engine, ids, world_clock)
        assert checks.run().ok
        for _ in range(12):  # a day, in two-hour steps: every class comes due
            world_clock.advance(timedelta(hours=2).total_seconds())
            assert checks.run().ok
        # At most one interval old: everything the platform shows by the last check of
        # each id is in the mirror.
        truth = world.truth()
        with engine.connect() as connection:
            rows = {r["upstream_id"]: r for r in listing(connection, SOURCE)}
        seen = mirrored(engine, ids)
        fresh = [i for i in ids if rows[i]["last_check_at"] == now_of(world_clock)]
        assert fresh, "some checks were due in the last step"
        assert {i: seen[i] for i in fresh} == {i: truth[i] for i in fresh}


def test_a_failing_platform_fails_the_pass_and_keeps_what_was_checked(
    engine: Engine, world_clock: FakeClock, connectors: list[LaporConnector]
) -> None:
    world = World.generate(WorldSettings(complaints=60, seed=4), clock=world_clock)
    ids = sorted(world.truth())[:40]
    with Simulator(world, Faults(error_rate=1.0), profile="v3-observed") as sim:
        connector = connect(sim, connectors, retry=RetryPolicy(attempts=1, rate_limited_attempts=1))
        checks = tracked_pass(engine, connector, world_clock)
        track_all(engine, ids, world_clock)
        failed = checks.run()
    assert not failed.ok
    assert failed.error is not None and failed.error.kind == "UpstreamUnavailable"
    with engine.connect() as connection:
        rows = listing(connection, SOURCE)
    tried = [r for r in rows if r["consecutive_failures"] > 0]
    assert tried, "the failed check is counted on its id"
    assert all(r["next_check_at"] > now_of(world_clock) for r in tried), "retried later"
    assert len(tried) < len(ids), "the pass ended instead of failing every check"


def test_the_budget_holds_the_request_rate_the_simulator_sees(
    engine: Engine, connectors: list[LaporConnector]
) -> None:
    world = World.generate(WorldSettings(complaints=30, seed=6), clock=time.time)
    ids = sorted(world.truth())[:12]
    clock = FakeClock(now=world.now())
    with Simulator(world, profile="v3-observed") as sim:
        # Real time here: the simulator counts requests by the second they arrive.
        connector = connect(
            sim, connectors, real_time=True, max_requests_per_second=8.0, max_concurrency=3
        )
        checks = tracked_pass(engine, connector, clock)
        track_all(engine, ids, clock)
        assert checks.run().ok
    assert sum(sim.requests.per_second.values()) >= 24
    assert max(sim.requests.per_second.values()) <= 8
    assert sim.requests.most_in_flight <= 3


def test_every_shape_and_fault_of_a_real_gateway_still_makes_the_true_mirror(
    engine: Engine, world_clock: FakeClock, connectors: list[LaporConnector]
) -> None:
    world = World.generate(
        WorldSettings(complaints=400, seed=31, malformed_rate=0.03, vanish_rate=0.03),
        clock=world_clock,
    )
    faults = Faults(error_rate=0.08, rate_limit_rate=0.05, truncate_rate=0.05)
    truth = world.truth()
    ids = sorted({*truth, *world.malformed_ids(), *world.removed_ids()})
    with Simulator(world, faults, seed=5, profile="v3-observed") as sim:
        checks = tracked_pass(engine, connect(sim, connectors), world_clock)
        track_all(engine, ids, world_clock)
        for _ in range(6):  # failed checks come due again: a few passes get them all
            if checks.run(everything=True).ok:
                break
            world_clock.advance(60)
        else:
            pytest.fail("the checks kept failing")
        assert mirrored(engine, sorted(truth)) == truth
        assert sim.requests.counts.get("429", 0) > 0
        assert sim.requests.counts.get("200-cut", 0) + sim.requests.counts.get("200-broken", 0)
    with engine.connect() as connection:
        rows = {r["upstream_id"]: r for r in listing(connection, SOURCE)}
    assert {i for i, r in rows.items() if r["last_result"] == "quarantined"} == (
        world.malformed_ids() & set(ids)
    )


def test_a_change_to_an_urgent_complaint_arrives_within_urgent_every_and_one_check(
    engine: Engine, world_clock: FakeClock, connectors: list[LaporConnector]
) -> None:
    job_every = timedelta(minutes=2)  # the daemon's sync job: poll_interval
    world = World.generate(WorldSettings(complaints=300, seed=9), clock=world_clock)
    ids = sorted(world.truth())
    with Simulator(world, profile="v3-observed") as sim:
        checks = tracked_pass(engine, connect(sim, connectors), world_clock)
        track_all(engine, ids, world_clock)
        assert checks.run().ok
        with engine.connect() as connection:
            urgent = [
                r["upstream_id"] for r in listing(connection, SOURCE) if r["schedule"] == "urgent"
            ]
        assert urgent, "the world has complaints close to their deadlines"
        chosen = urgent[len(urgent) // 2]
        world_clock.advance(timedelta(minutes=1).total_seconds())
        changed_at = now_of(world_clock)
        world.touch(chosen)  # an admin's note on the complaint, now
        seen_at = None
        for _ in range(30):
            world_clock.advance(job_every.total_seconds())
            assert checks.run().ok
            detail = mirrored(engine, [chosen]).get(chosen)
            assert isinstance(detail, ComplaintDetail)
            if any(log.created_at == changed_at for log in detail.logs):
                seen_at = now_of(world_clock)
                break
    assert seen_at is not None, "the change never arrived"
    assert seen_at - changed_at <= SCHEDULE.urgent_every + job_every
