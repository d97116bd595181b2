"""The connector against the real simulator over loopback HTTP, faults switched on.

The simulator's world runs on an injected clock, so time moves only when a test says
so; the connector's retries sleep on a recorder, so nothing here waits for real.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

from connectors.errors import AuthenticationFailed
from connectors.records import ComplaintDetail, QuarantineItem, Vanished
from connectors.retry import RetryPolicy
from connectors.simulator import Faults, Simulator, World, WorldSettings
from connectors.simulator import vocabulary as v
from connectors.simulator.world import DAY
from connectors.sp4n_lapor import LaporConnector, LaporSettings, build_client
from tests.support.clocks import FakeClock

pytestmark = pytest.mark.integration

KEY, TOKEN = "sim-key", "sim-token"
START = 1_795_000_000  # 2026-11-19, a Thursday


@dataclass
class Mirror:
    """What a caller of the connector keeps: the newest detail of each complaint."""

    details: dict[int, ComplaintDetail] = field(default_factory=dict)
    quarantined: set[int] = field(default_factory=set)
    vanished: set[int] = field(default_factory=set)
    listed: list[tuple[int, datetime]] = field(default_factory=list)

    def sync(self, connector: LaporConnector, since: datetime | None) -> datetime | None:
        """One pass: each page's details fetched and kept before its cursor is taken."""
        cursor = since
        for page in connector.list_changes(since):
            self.listed.extend((s.id, s.updated_at) for s in page.summaries)
            self.quarantined.update(q.upstream_id for q in page.quarantined if q.upstream_id)
            for result in connector.fetch_details(s.id for s in page.summaries):
                self.keep(result)
            cursor = page.cursor
        return cursor

    def keep(self, result: ComplaintDetail | Vanished | QuarantineItem) -> None:
        if isinstance(result, ComplaintDetail):
            self.details[result.id] = result
            self.quarantined.discard(result.id)
        elif isinstance(result, Vanished):
            self.details.pop(result.id, None)
            self.vanished.add(result.id)
        elif result.upstream_id is not None:
            self.quarantined.add(result.upstream_id)


@pytest.fixture(autouse=True)
def _close_connectors() -> Iterator[None]:
    yield
    while OPENED:
        OPENED.pop().close()


OPENED: list[LaporConnector] = []


@pytest.fixture
def world_clock() -> FakeClock:
    return FakeClock(now=START)


@pytest.fixture
def client_clock() -> FakeClock:
    return FakeClock(now=START)


def lapor(sim: Simulator, clock: FakeClock, **settings: object) -> LaporConnector:
    merged: dict[str, object] = {
        "base_url": sim.base_url + "/lapor/3.0.0",
        "api_key": KEY,
        "token": TOKEN,
        "retry": RetryPolicy(attempts=12, rate_limited_attempts=40),
    }
    merged.update(settings)
    built = LaporSettings(**merged)  # type: ignore[arg-type]
    connector = LaporConnector(built, build_client(built), sleep=clock.sleep, clock=clock)
    OPENED.append(connector)
    return connector


def every_fault() -> Faults:
    faults = Faults.everything(0.04)
    faults.latency = 0.001
    faults.api_key, faults.token = KEY, TOKEN
    return faults


def test_it_mirrors_the_simulator_exactly_through_every_fault(
    world_clock: FakeClock, client_clock: FakeClock
) -> None:
    world = World.generate(
        WorldSettings(
            complaints=3000, seed=11, malformed_rate=0.02, vanish_rate=0.03, same_second=450
        ),
        clock=world_clock,
    )
    faults = every_fault()
    with Simulator(world, faults, seed=11) as sim:
        connector = lapor(sim, client_clock, page_size=100)
        mirror = Mirror()
        before = world.listed_ids()

        cursor = mirror.sync(connector, None)

        # Nothing missed by the pass itself, although complaints moved under it.
        listed_first = {cid for cid, _ in mirror.listed}
        assert (before & world.listed_ids()) - listed_first - mirror.quarantined == set()
        # Nothing listed twice within the pass.
        assert [k for k, n in Counter(mirror.listed).items() if n > 1] == []

        faults.quiet()  # the world settles; errors and rate limits go on
        cursor = mirror.sync(connector, cursor)
        assert mirror.details == world.truth()
        assert mirror.quarantined == world.malformed_ids()

        # Days pass: complaints arrive, progress, and some are removed upstream.
        world_clock.advance(4 * DAY)
        client_clock.advance(4 * DAY)  # the present is the same for both sides
        removed_now = world.removed_ids() & set(mirror.details)
        cursor = mirror.sync(connector, cursor)
        # A complaint whose new followup arrives broken keeps its last good detail
        # in the mirror, and is quarantined until the platform sends it whole.
        gone = removed_now | mirror.quarantined
        assert {cid: d for cid, d in mirror.details.items() if cid not in gone} == world.truth()
        assert mirror.quarantined == world.malformed_ids()
        for result in connector.fetch_details(sorted(removed_now)):
            assert result == Vanished(result.id)  # type: ignore[union-attr]
        assert removed_now, "the world removed some mirrored complaints"

        answers = sim.requests.counts
        for fault in ("429", "502", "503", "200-cut", "200-broken"):
            assert answers.get(fault, 0) > 0, f"the simulator never answered {fault}"
        assert world.writes["touch"] > 0 and world.writes["late"] > 0
        assert 2 <= sim.requests.most_in_flight <= connector.settings.concurrency


def test_without_a_lookback_late_writes_are_lost(
    world_clock: FakeClock, client_clock: FakeClock
) -> None:
    """The control for the test above: the look-back is what catches late writes."""
    world = World.generate(WorldSettings(complaints=1500, seed=5), clock=world_clock)
    faults = Faults(late_write_rate=0.5, mutate_rate=0.5)  # updates keep the cursor at now
    with Simulator(world, faults, seed=5) as sim:
        settings = {"page_size": 100, "concurrency": 1}
        blind = lapor(sim, client_clock, lookback=timedelta(0), **settings)
        mirror = Mirror()
        cursor = mirror.sync(blind, None)
        for _ in range(8):  # polls at the head, where late writes land behind the cursor
            cursor = mirror.sync(blind, cursor)
        faults.quiet()
        cursor = mirror.sync(blind, cursor)
        stale = {cid for cid, d in world.truth().items() if mirror.details.get(cid) != d}
        assert stale, "late writes behind the cursor were missed"

        cursor = mirror.sync(lapor(sim, client_clock, **settings), cursor)
        assert mirror.details == world.truth()


def test_refused_credentials_cost_one_request(
    world_clock: FakeClock, client_clock: FakeClock
) -> None:
    world = World.generate(WorldSettings(complaints=50, seed=2), clock=world_clock)
    faults = Faults(api_key=KEY, token=TOKEN)
    with Simulator(world, faults) as sim:
        wrong = lapor(sim, client_clock, api_key="not-the-key")
        for _ in range(3):
            with pytest.raises(AuthenticationFailed):
                list(wrong.list_changes(None))
        assert sim.requests.counts == {"401": 1}

        wrong_token = lapor(sim, client_clock, token="not-the-token")
        with pytest.raises(AuthenticationFailed, match="403"):
            list(wrong_token.list_changes(None))


def test_institutions_come_through_with_their_parents(
    world_clock: FakeClock, client_clock: FakeClock
) -> None:
    world = World.generate(WorldSettings(complaints=10, seed=2), clock=world_clock)
    with Simulator(world) as sim:
        institutions = list(lapor(sim, client_clock).list_institutions())
    assert [(i.id, i.name, i.parent_id) for i in institutions] == list(v.INSTITUTIONS)  # type: ignore[union-attr]
