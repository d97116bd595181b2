"""``syncd status`` shows the processes sharing the database and the leader, in a table
that fits 80 columns and in ``--json``; nothing of them where no process has led."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, insert, update

from syncd.daemon.status import database_now
from syncd.store.tables import LEASE, MEMBERS
from tests.cli.conftest import assert_fits, column_text, invoke
from tests.support.database import database_url

LONG_HOST = "syncd-replica-kedua.pusat-data-nasional.kemenpan-rb.example.go.id"


def configuration(engine: Engine, tmp_path: Path) -> Path:
    path = tmp_path / "syncd.toml"
    path.write_text(
        f'[database]\nurl = "{database_url(engine)}"\n'
        '[[sources]]\nname = "lapor"\nkind = "simulator"\n'
    )
    return path


def two_processes(engine: Engine) -> None:
    """syncd-a leads under fencing 7, its lease 20 s from its end; the standby on
    ``LONG_HOST`` was seen 5 s ago; both as the database's clock reads now."""
    with engine.begin() as connection:
        now = database_now(connection) or datetime.now(UTC)
        started = now - timedelta(hours=3)
        connection.execute(
            insert(MEMBERS),
            [
                {"id": "a1", "host": "syncd-a", "pid": 812, "role": "leader", "fencing": 7,
                 "started_at": started, "seen_at": now - timedelta(seconds=2)},
                {"id": "b1", "host": LONG_HOST, "pid": 4_194_301, "role": "standby",
                 "fencing": None, "started_at": started, "seen_at": now - timedelta(seconds=5)},
            ],
        )  # fmt: skip
        connection.execute(
            update(LEASE)
            .where(LEASE.c.id == 1)
            .values(
                holder="a1",
                fencing=7,
                acquired_at=started,
                renewed_at=now,
                expires_at=now + timedelta(seconds=20),
            )
        )


def test_status_shows_every_process_and_the_leader_within_80_columns(
    engine: Engine, tmp_path: Path
) -> None:
    two_processes(engine)

    shown = invoke("status", "-c", str(configuration(engine, tmp_path)))

    assert shown.exit_code == 1, shown.output  # the source never synced
    assert_fits(shown.stdout)
    assert column_text(shown.stdout, "host") == "syncd-a" + LONG_HOST
    assert column_text(shown.stdout, "pid") == "8124194301"
    assert column_text(shown.stdout, "role") == "leader(7)standby"
    assert "UTC" in column_text(shown.stdout, "since")
    assert "ago" in column_text(shown.stdout, "last seen")
    leader = next(line for line in shown.stdout.splitlines() if line.startswith("leader:"))
    assert leader.startswith("leader: syncd-a pid 812 (fencing 7), lease expires in ")


def test_status_json_has_the_processes_and_the_leader(engine: Engine, tmp_path: Path) -> None:
    two_processes(engine)

    shown = invoke("status", "-c", str(configuration(engine, tmp_path)), "--json")

    report = json.loads(shown.stdout)
    assert [(p["host"], p["role"], p["leads"]) for p in report["processes"]] == [
        ("syncd-a", "leader", True),
        (LONG_HOST, "standby", False),
    ]
    assert report["leader"]["host"] == "syncd-a"
    assert report["leader"]["fencing"] == 7
    assert 0 < report["leader"]["expires_in_seconds"] <= 20
    assert report["leader"]["expired"] is False


def test_status_says_nothing_of_processes_where_none_has_led(
    engine: Engine, tmp_path: Path
) -> None:
    config = configuration(engine, tmp_path)

    shown = invoke("status", "-c", str(config))
    as_json = json.loads(invoke("status", "-c", str(config), "--json").stdout)

    assert "processes" not in shown.stdout
    assert "leader" not in shown.stdout
    assert (as_json["processes"], as_json["leader"]) == ([], None)
