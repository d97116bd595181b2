"""A busy or full database: retried, then reported, never corrupted."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from connectors.simulator import Simulator, World, WorldSettings
from connectors.sp4n_lapor import LaporConnector, LaporSettings, build_client
from syncd.store import make_engine, upgrade
from syncd.store.read import mirrored_details
from syncd.store.transaction import in_transaction
from syncd.sync import StoreError, SyncPass
from tests.support.clocks import FakeClock


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "mirror.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def write_one(connection: Any) -> int:
    connection.execute(text("UPDATE sync_checkpoints SET source = source"))
    return 1


def test_a_locked_database_is_retried_then_reported(db: Path) -> None:
    engine = make_engine(f"sqlite:///{db}", sqlite_busy_timeout_ms=0)
    holder = sqlite3.connect(db)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    slept: list[float] = []
    with pytest.raises(StoreError, match="database is locked") as failed:
        in_transaction(engine, write_one, attempts=4, sleep=slept.append)
    assert failed.value.kind == "database_busy"
    assert len(slept) == 3
    holder.rollback()
    holder.close()
    engine.dispose()


def test_a_lock_released_while_waiting_lets_the_write_through(db: Path) -> None:
    engine = make_engine(f"sqlite:///{db}", sqlite_busy_timeout_ms=0)
    holder = sqlite3.connect(db)
    holder.execute("BEGIN IMMEDIATE")

    def release(_: float) -> None:
        holder.rollback()

    assert in_transaction(engine, write_one, attempts=4, sleep=release) == 1
    holder.close()
    engine.dispose()


@pytest.mark.integration
def test_a_full_database_fails_the_pass_cleanly_and_stays_intact(db: Path) -> None:
    engine: Engine = make_engine(f"sqlite:///{db}")

    @event.listens_for(engine, "connect")
    def _small_disk(dbapi_connection: Any, _record: Any) -> None:
        size = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count={size + 40}")

    world = World.generate(WorldSettings(complaints=2000, seed=5), clock=FakeClock(1_795_000_000))
    with Simulator(world) as sim:
        settings = LaporSettings(base_url=sim.base_url, api_key="k", token="t", page_size=100)
        connector = LaporConnector(settings, build_client(settings))
        syncer = SyncPass(engine, connector, "lapor")
        stats = syncer.run()
        connector.close()
    assert isinstance(stats.error, StoreError)
    assert stats.error.kind == "database_error"
    assert "full" in str(stats.error)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
        held = mirrored_details(connection, "lapor")
    checkpoint = syncer.checkpoint()
    assert held, "the pages that fitted were committed"
    assert checkpoint is not None
    truth = world.truth()
    assert {cid for cid, d in truth.items() if d.summary.updated_at < checkpoint} <= set(held)
    engine.dispose()


def test_a_database_error_never_carries_the_values_it_was_given(engine: Engine) -> None:
    """A confidential complaint's title must not reach a log line through an error."""
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError) as caught, engine.begin() as connection:
        connection.execute(
            text("INSERT INTO no_such_table (title) VALUES (:title)"),
            {"title": "Rahasia: laporan korupsi"},
        )
    assert "Rahasia" not in str(caught.value)
    assert "no_such_table" in str(caught.value)
