"""``read_status`` on the processes sharing a database (``ha_members``) and the leader's
lease (``ha_lease``), on SQLite and PostgreSQL: CONTRACT.md section 8."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, update

from syncd.config import Config
from syncd.daemon.status import read_status
from syncd.store.tables import LEASE, MEMBERS

NOW = datetime(2026, 10, 5, 3, 0, tzinfo=UTC)
TTL = timedelta(seconds=30)


def config(lease_ttl: str = "30s") -> Config:
    return Config.model_validate(
        {
            "database": {"url": "sqlite://"},
            "sources": [{"name": "lapor", "kind": "simulator"}],
            "ha": {"lease_ttl": lease_ttl},
        }
    )


def member(id: str, host: str, pid: int, role: str, seen_ago: float, **more: Any) -> dict[str, Any]:
    return {
        "id": id,
        "host": host,
        "pid": pid,
        "role": role,
        "fencing": more.get("fencing"),
        "started_at": more.get("started_at", NOW - timedelta(hours=2)),
        "seen_at": NOW - timedelta(seconds=seen_ago),
    }


def lease(engine: Engine, holder: str, fencing: int, expires_in: float) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(LEASE)
            .where(LEASE.c.id == 1)
            .values(
                holder=holder,
                fencing=fencing,
                acquired_at=NOW - timedelta(minutes=5),
                renewed_at=NOW - timedelta(seconds=3),
                expires_at=NOW + timedelta(seconds=expires_in),
            )
        )


def members(engine: Engine, *rows: dict[str, Any]) -> None:
    with engine.begin() as connection:
        connection.execute(insert(MEMBERS), list(rows))


def status(engine: Engine, lease_ttl: str = "30s") -> dict[str, Any]:
    with engine.connect() as connection:
        # The wall clock an hour off the database's: the processes go by the database.
        return read_status(connection, config(lease_ttl), NOW + timedelta(hours=1), NOW)


def test_it_lists_each_process_seen_within_three_ttls_the_leader_first(engine: Engine) -> None:
    members(
        engine,
        member("b1", "syncd-b", 700, "standby", seen_ago=9),
        member("a1", "syncd-a", 812, "leader", seen_ago=4, fencing=7),
        member("c1", "syncd-c", 90, "stopped", seen_ago=89),
        member("c0", "syncd-c", 88, "stopped", seen_ago=91),  # 3 TTLs and more: gone
    )
    lease(engine, holder="a1", fencing=7, expires_in=22)

    report = status(engine)

    shown = [(p["host"], p["pid"], p["role"], p["leads"]) for p in report["processes"]]
    assert shown == [
        ("syncd-a", 812, "leader", True),
        ("syncd-b", 700, "standby", False),
        ("syncd-c", 90, "stopped", False),
    ]
    first = report["processes"][0]
    assert first["fencing"] == 7
    assert first["seen_seconds_ago"] == 4.0
    assert datetime.fromisoformat(first["started_at"]) == NOW - timedelta(hours=2)
    assert datetime.fromisoformat(first["seen_at"]) == NOW - timedelta(seconds=4)


def test_the_window_follows_the_lease_ttl(engine: Engine) -> None:
    members(engine, member("b1", "syncd-b", 700, "standby", seen_ago=40))

    assert [p["pid"] for p in status(engine, lease_ttl="15s")["processes"]] == [700]
    assert status(engine, lease_ttl="10s")["processes"] == []


def test_it_names_the_leader_and_when_its_lease_expires(engine: Engine) -> None:
    members(engine, member("a1", "syncd-a", 812, "leader", seen_ago=4, fencing=7))
    lease(engine, holder="a1", fencing=7, expires_in=22)

    leader = status(engine)["leader"]

    assert leader == {
        "id": "a1",
        "host": "syncd-a",
        "pid": 812,
        "fencing": 7,
        "acquired_at": (NOW - timedelta(minutes=5)).isoformat(),
        "renewed_at": (NOW - timedelta(seconds=3)).isoformat(),
        "expires_at": (NOW + timedelta(seconds=22)).isoformat(),
        "expires_in_seconds": 22.0,
        "expired": False,
    }


def test_an_expired_lease_leaves_no_process_leading(engine: Engine) -> None:
    members(
        engine,
        member("a1", "syncd-a", 812, "leader", seen_ago=50, fencing=7),
        member("b1", "syncd-b", 700, "standby", seen_ago=2),
    )
    lease(engine, holder="a1", fencing=7, expires_in=-12)

    report = status(engine)

    assert report["leader"]["expired"] is True
    assert report["leader"]["expires_in_seconds"] == -12.0
    assert [p["leads"] for p in report["processes"]] == [False, False]


def test_a_leader_whose_member_row_is_gone_is_still_named_by_its_id(engine: Engine) -> None:
    lease(engine, holder="a1", fencing=3, expires_in=10)

    leader = status(engine)["leader"]

    assert (leader["id"], leader["host"], leader["pid"], leader["fencing"]) == ("a1", None, None, 3)


def test_a_database_no_process_has_led_lists_nothing(engine: Engine) -> None:
    report = status(engine)

    assert report["processes"] == []
    assert report["leader"] is None


def test_the_other_figures_keep_the_wall_clock(engine: Engine) -> None:
    assert status(engine)["at"] == (NOW + timedelta(hours=1)).isoformat()
