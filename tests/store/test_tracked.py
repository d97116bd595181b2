"""The tracked ids of a source, on SQLite and PostgreSQL: new ones found, dormant ones
woken, removed ones gone, and due checks in the order the schedule says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from syncd.store.tracked import (
    Origin,
    count_due,
    due_checks,
    listing,
    record_check,
    track,
    untrack,
)

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
CLI = Origin("cli")


def test_it_says_which_ids_were_new_and_keeps_one_row_each(engine: Engine) -> None:
    with engine.begin() as connection:
        assert track(connection, "lapor", [(1, CLI), (2, CLI), (1, CLI)], NOW) == [1, 2]
        assert track(connection, "lapor", [(2, CLI), (3, Origin("import", "r.csv", 7))], NOW) == [3]
        assert track(connection, "other", [(1, CLI)], NOW) == [1]
        rows = listing(connection, "lapor")
    assert [(r["upstream_id"], r["origin"], r["origin_row"]) for r in rows] == [
        (1, "cli", None),
        (2, "cli", None),
        (3, "import", 7),
    ]
    assert {r["next_check_at"] for r in rows} == {NOW}, "a new id is checked at once"


def test_removing_stops_tracking_only_what_was_tracked(engine: Engine) -> None:
    with engine.begin() as connection:
        track(connection, "lapor", [(1, CLI), (2, CLI)], NOW)
        assert untrack(connection, "lapor", [2, 9]) == [2]
        assert [r["upstream_id"] for r in listing(connection, None)] == [1]


def test_importing_a_dormant_id_again_wakes_it(engine: Engine) -> None:
    later = NOW + timedelta(days=40)
    with engine.begin() as connection:
        track(connection, "lapor", [(1, CLI)], NOW)
        record_check(connection, "lapor", 1, {"schedule": "dormant", "next_check_at": None})
        assert due_checks(connection, "lapor", later, 10) == []
        assert track(connection, "lapor", [(1, CLI)], later) == []
        [due] = due_checks(connection, "lapor", later, 10)
    assert (due.upstream_id, due.schedule, due.next_check_at) == (1, "active", later)


def test_due_checks_put_urgent_first_then_the_most_overdue(engine: Engine) -> None:
    with engine.begin() as connection:
        track(connection, "lapor", [(i, CLI) for i in range(1, 7)], NOW)
        plan = {
            1: ("closed", NOW - timedelta(hours=5)),
            2: ("active", NOW - timedelta(hours=1)),
            3: ("urgent", NOW - timedelta(minutes=1)),
            4: ("active", NOW - timedelta(hours=3)),
            5: ("urgent", NOW - timedelta(minutes=30)),
            6: ("urgent", NOW + timedelta(minutes=5)),  # not due yet
        }
        for upstream_id, (schedule, at) in plan.items():
            record_check(
                connection, "lapor", upstream_id, {"schedule": schedule, "next_check_at": at}
            )
        due = due_checks(connection, "lapor", NOW, 10)
        assert [d.upstream_id for d in due] == [5, 3, 4, 2, 1]
        assert count_due(connection, "lapor", NOW) == 5
        assert [d.upstream_id for d in due_checks(connection, "lapor", NOW, 2)] == [5, 3]
