"""Persisted clocks: kept by the sync, moved on by the tick, recomputed on a new policy."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from connectors.simulator import Simulator, World, WorldSettings
from connectors.sp4n_lapor import LaporConnector, LaporSettings, build_client
from syncd.clock.calendar import WorkingCalendar
from syncd.clock.derive import derive_clocks
from syncd.clock.policy import ClockPolicy
from syncd.store.clocks import ClockKeeper, clock_from_row, recompute
from syncd.store.read import details_by_row_id
from syncd.store.tables import CLOCKS
from syncd.sync import SyncPass
from tests.support.clocks import FakeClock

pytestmark = pytest.mark.integration

START = 1_795_000_000  # 2026-11-18 11:06 UTC, a Wednesday
KEEPER = ClockKeeper(ClockPolicy(), WorkingCalendar())


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


@pytest.fixture
def mirrored(engine: Engine) -> Engine:
    world = World.generate(WorldSettings(complaints=800, seed=13), clock=FakeClock(START))
    with Simulator(world) as sim:
        settings = LaporSettings(base_url=sim.base_url, api_key="k", token="t")
        connector = LaporConnector(settings, build_client(settings))
        stats = SyncPass(engine, connector, "lapor", clock=lambda: at(START), clocks=KEEPER).run()
        connector.close()
    assert stats.ok
    return engine


def stored(engine: Engine) -> list[dict[str, object]]:
    with engine.connect() as connection:
        return [dict(r) for r in connection.execute(select(CLOCKS)).mappings()]


def test_the_sync_stores_every_complaints_clocks_as_derived(mirrored: Engine) -> None:
    rows = stored(mirrored)
    with mirrored.connect() as connection:
        details = details_by_row_id(connection, list({r["complaint_id"] for r in rows}))  # type: ignore[misc]
    assert len(details) == 800
    for row_id, detail in details.items():
        mine = sorted(
            (clock_from_row(r) for r in rows if r["complaint_id"] == row_id),
            key=lambda c: (c.started_at, c.kind, c.agency_id or 0, c.cycle),
        )
        derived = derive_clocks(detail, KEEPER.policy, KEEPER.calendar)
        # As of the sync: a reporter's window that had run out is stored lapsed.
        assert mine == [c.as_of(at(START)) for c in derived]
    states = {r["state"] for r in rows}
    assert {"on_track", "breached", "met", "late"} <= states


def test_a_tick_touches_only_the_clocks_whose_time_has_come(mirrored: Engine) -> None:
    later = at(START) + timedelta(days=3)
    with mirrored.connect() as connection:
        due = connection.execute(
            select(func.count()).where(CLOCKS.c.next_evaluation_at <= later)
        ).scalar_one()
        untouched = connection.execute(
            select(CLOCKS.c.id, CLOCKS.c.evaluated_at).where(
                (CLOCKS.c.next_evaluation_at > later) | CLOCKS.c.next_evaluation_at.is_(None)
            )
        ).all()
    assert due > 0
    with mirrored.begin() as connection:
        changes = KEEPER.tick(connection, later).changes
    assert 0 < len(changes) <= due
    agencies = {(c.before, c.after) for c in changes if c.kind != "reporter_reply"}
    windows = {(c.before, c.after) for c in changes if c.kind == "reporter_reply"}
    assert agencies <= {
        ("on_track", "due_soon"),
        ("due_soon", "breached"),
        ("on_track", "breached"),
    }
    assert windows == {("on_track", "lapsed")}, "the reporter's window lapses, never breaches"
    lapsed = {c.clock_id for c in changes if c.after == "lapsed"}
    with mirrored.connect() as connection:
        closed = connection.execute(
            select(CLOCKS.c.outcome, CLOCKS.c.stopped_at == CLOCKS.c.due_at).where(
                CLOCKS.c.id.in_(lapsed)
            )
        ).all()
    assert set(closed) == {("lapsed", True)}, "a lapsed window is closed at its due instant"
    with mirrored.connect() as connection:
        assert (
            connection.execute(
                select(func.count()).where(CLOCKS.c.next_evaluation_at <= later)
            ).scalar_one()
            == 0
        )
        after = dict(
            (i, e)
            for i, e in connection.execute(
                select(CLOCKS.c.id, CLOCKS.c.evaluated_at).where(
                    CLOCKS.c.id.in_([i for i, _ in untouched])
                )
            )
        )
    assert after == dict(untouched), "clocks not due were not even read for writing"
    with mirrored.begin() as connection:
        assert KEEPER.tick(connection, later).changes == []


def test_recompute_reports_moved_due_dates_and_applies_them_unless_dry(mirrored: Engine) -> None:
    longer = replace(KEEPER, policy=replace(KEEPER.policy, followup_days=7))
    now = at(START)
    dry = recompute(longer, mirrored, now, apply=False)
    assert dry.complaints == 800
    assert dry.moves
    assert {m.kind for m in dry.moves} == {"followup"}
    assert all(m.before is not None and m.after is not None for m in dry.moves)
    assert all(m.after > m.before for m in dry.moves)  # type: ignore[operator]
    assert recompute(longer, mirrored, now, apply=False).moves == dry.moves, "nothing applied"
    applied = recompute(longer, mirrored, now, apply=True)
    assert applied.moves == dry.moves
    assert recompute(longer, mirrored, now, apply=False).moves == []
    with mirrored.connect() as connection:
        days = set(
            connection.execute(
                select(CLOCKS.c.working_days).where(CLOCKS.c.kind == "followup")
            ).scalars()
        )
    assert days == {7}
