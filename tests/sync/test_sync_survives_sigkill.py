"""``syncd sync`` killed with SIGKILL mid-backfill, again and again, loses nothing.

The simulator runs in this process and counts the requests it answers; the kill is
sent from inside it after a random number of them, so it lands at a random moment
of the backfill without this test ever sleeping.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from connectors.records import ComplaintDetail
from connectors.simulator import Simulator, World, WorldSettings
from syncd.store import make_engine
from syncd.store.read import mirrored_details
from syncd.store.tables import QuarantinedRecord, SyncCheckpoint, SyncRun
from tests.support.clocks import FakeClock
from tests.support.processes import SYNCD

pytestmark = pytest.mark.integration

START = 1_795_000_000
KILLS = 6


@pytest.fixture
def world() -> World:
    settings = WorldSettings(complaints=20_000, seed=99, malformed_rate=0.005)
    return World.generate(settings, clock=FakeClock(now=START))


@pytest.fixture
def simulator(world: World) -> Iterator[Simulator]:
    with Simulator(world) as sim:
        yield sim


def write_config(tmp_path: Path, base_url: str) -> Path:
    config = tmp_path / "syncd.toml"
    config.write_text(
        f"""
[database]
url = "sqlite:///{tmp_path / "mirror.db"}"

[[sources]]
name = "lapor"
kind = "sp4n-lapor"
base_url = "{base_url}"
page_size = 250
# A simulator on loopback, not a gateway: no request budget to keep.
max_requests_per_second = 10000
max_concurrency = 16
"""
    )
    return config


def run_sync(config: Path, kill_after: int | None, sim: Simulator) -> int:
    env = {
        **os.environ,
        "SYNCD_SOURCES_LAPOR_API_KEY": "k",
        "SYNCD_SOURCES_LAPOR_TOKEN": "t",
    }
    syncd = SYNCD
    proc = subprocess.Popen(
        [str(syncd), "sync", "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    answered = 0

    def kill_when_due(_: int) -> None:
        nonlocal answered
        answered += 1
        if kill_after is not None and answered == kill_after:
            proc.send_signal(signal.SIGKILL)

    sim.on_request[:] = [kill_when_due]
    try:
        return proc.wait(timeout=600)
    finally:
        sim.on_request.clear()


def committed(engine: Engine) -> tuple[dict[int, ComplaintDetail], set[int], datetime | None]:
    q = QuarantinedRecord.__table__.c  # type: ignore[attr-defined]
    cp = SyncCheckpoint.__table__.c  # type: ignore[attr-defined]
    with engine.connect() as connection:
        details = mirrored_details(connection, "lapor")
        quarantined = set(connection.execute(select(q.upstream_id)).scalars())
        cursor = connection.execute(select(cp.cursor)).scalar_one_or_none()
    return details, quarantined, cursor


def test_a_killed_backfill_resumes_and_the_mirror_is_exact(
    tmp_path: Path, world: World, simulator: Simulator
) -> None:
    config = write_config(tmp_path, simulator.base_url)
    engine = make_engine(f"sqlite:///{tmp_path / 'mirror.db'}")
    truth = world.truth()
    rng = random.Random(2026)
    cursors = []
    for _ in range(KILLS):
        # A backfill of 20,000 takes about 40,000 requests; each run gets part of it.
        code = run_sync(config, kill_after=rng.randint(300, 6000), sim=simulator)
        assert code == -signal.SIGKILL
        details, quarantined, cursor = committed(engine)
        if cursor is not None:
            behind = {cid for cid, d in truth.items() if d.summary.updated_at < cursor}
            missing = behind - set(details) - quarantined
            assert not missing, f"checkpoint {cursor} is ahead of {len(missing)} complaints"
            for cid in behind:
                if cid in details:
                    assert details[cid] == truth[cid]
        cursors.append(cursor)

    moved = [c for c in cursors if c is not None]
    assert len(moved) >= 3, "most kills landed after some pages were committed"
    assert moved == sorted(moved), "the checkpoint never went back"
    assert run_sync(config, kill_after=None, sim=simulator) == 0
    details, quarantined, _ = committed(engine)
    assert details == truth
    assert quarantined == world.malformed_ids()
    r = SyncRun.__table__.c  # type: ignore[attr-defined]
    with engine.connect() as connection:
        results = list(connection.execute(select(r.result).order_by(r.id)).scalars())
    assert results == ["interrupted"] * KILLS + ["ok"]
    engine.dispose()
