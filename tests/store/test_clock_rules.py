"""A mirror whose clocks older rules derived is derived again, once, before the service
keeps its clocks: after the upgrade no reporter's window is breached anywhere."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, delete, func, select, update

from connectors.simulator import Simulator, World, WorldSettings
from connectors.sp4n_lapor import LaporConnector, LaporSettings, build_client
from syncd.clock.calendar import WorkingCalendar
from syncd.clock.policy import ClockPolicy
from syncd.store import tally
from syncd.store.clocks import ClockKeeper
from syncd.store.clocks.rules import CLOCK_RULES_VERSION, derived_by, rederive_if_stale
from syncd.store.tables import CLOCK_RULES, CLOCK_TALLY, CLOCKS
from syncd.sync import SyncPass
from tests.support.clocks import FakeClock

pytestmark = pytest.mark.integration

START = 1_795_000_000  # 2026-11-18 11:06 UTC
NOW = datetime.fromtimestamp(START, UTC)
KEEPER = ClockKeeper(ClockPolicy(), WorkingCalendar())


def windows_by_state(engine: Engine) -> dict[str, int]:
    c = CLOCKS.c
    with engine.connect() as connection:
        rows = connection.execute(
            select(c.state, func.count()).where(c.kind == "reporter_reply").group_by(c.state)
        )
        return {state: n for state, n in rows}


def breached_windows_in_the_totals(engine: Engine) -> int:
    t = CLOCK_TALLY.c
    with engine.connect() as connection:
        n = connection.execute(
            select(func.coalesce(func.sum(t.n), 0)).where(
                t.kind == "reporter_reply", t.state == "breached"
            )
        ).scalar_one()
    return int(n)


def as_the_first_rules_left_it(engine: Engine) -> None:
    """What a mirror of the rules before version 2 holds: windows that ran out are
    running and breached, and no rules recorded (revision 0008 brings the table)."""
    c = CLOCKS.c
    with engine.begin() as connection:
        connection.execute(
            update(CLOCKS)
            .where(c.kind == "reporter_reply", c.outcome == "lapsed")
            .values(outcome=None, stopped_at=None, state="breached")
        )
        connection.execute(delete(CLOCK_RULES))
        tally.rebuild(connection)


def test_an_upgraded_mirror_is_derived_again_once(engine: Engine) -> None:
    world = World.generate(WorldSettings(complaints=400, seed=5), clock=FakeClock(START))
    with Simulator(world) as sim:
        settings = LaporSettings(base_url=sim.base_url, api_key="k", token="t")
        connector = LaporConnector(settings, build_client(settings))
        assert SyncPass(engine, connector, "lapor", clock=lambda: NOW, clocks=KEEPER).run().ok
        connector.close()
    lapsed = windows_by_state(engine).get("lapsed", 0)
    assert lapsed > 0, "the world has windows that ran out"
    as_the_first_rules_left_it(engine)
    assert windows_by_state(engine).get("breached") == lapsed
    assert breached_windows_in_the_totals(engine) == lapsed
    assert derived_by(engine) is None

    result = rederive_if_stale(KEEPER, engine, NOW)

    assert result is not None and result.complaints == 400
    states = windows_by_state(engine)
    assert "breached" not in states and "due_soon" not in states
    assert states["lapsed"] == lapsed
    assert breached_windows_in_the_totals(engine) == 0
    with engine.connect() as connection:
        assert tally.kept(connection) == tally.recount(connection)
    assert derived_by(engine) == CLOCK_RULES_VERSION
    assert rederive_if_stale(KEEPER, engine, NOW) is None, "once is enough"


def test_an_empty_mirror_records_the_rules_without_deriving(engine: Engine) -> None:
    assert rederive_if_stale(KEEPER, engine, NOW) is None
    assert derived_by(engine) == CLOCK_RULES_VERSION
