"""What the PostgreSQL server saw of a cluster (``tests.support.cluster``): every row
its processes committed, and who led when.

``install_ledger`` puts a trigger on every table of the schema (but ``ha_members``,
the processes' own heartbeats): each row written, in the writing transaction, adds
a line to ``test_ledger`` with the writer's ``application_name`` and the lease's
holder as that transaction sees it. A line exists only if its transaction
committed, so the ledger is the list of commits, read at the server; nothing is
added to the processes themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, text

UNWATCHED = {"test_ledger", "ha_members", "alembic_version"}


def install_ledger(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE test_ledger (id bigserial PRIMARY KEY, at timestamptz NOT NULL, "
                "application_name text NOT NULL, table_name text NOT NULL, op text NOT NULL, "
                "holder text, fencing bigint)"
            )
        )
        connection.execute(
            text(
                "CREATE FUNCTION test_ledger_row() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN INSERT INTO test_ledger "
                "(at, application_name, table_name, op, holder, fencing) "
                "SELECT clock_timestamp(), current_setting('application_name'), "
                "TG_TABLE_NAME, TG_OP, holder, fencing FROM ha_lease WHERE id = 1; "
                "RETURN NULL; END $$"
            )
        )
        tables = connection.execute(
            text(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            )
        ).scalars()
        for table in sorted(set(tables) - UNWATCHED):
            connection.execute(
                text(
                    f'CREATE TRIGGER test_ledger AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
                    "FOR EACH ROW EXECUTE FUNCTION test_ledger_row()"
                )
            )


@dataclass(frozen=True)
class Commit:
    at: datetime
    application_name: str
    table: str
    op: str
    holder_pid: int | None
    """The pid of the process the lease named in the writing transaction."""
    fencing: int | None


def commits(engine: Engine) -> list[Commit]:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT l.at, l.application_name, l.table_name, l.op, m.pid, l.fencing "
                "FROM test_ledger l LEFT JOIN ha_members m ON m.id = l.holder ORDER BY l.id"
            )
        ).all()
    return [Commit(*row) for row in rows]


def misplaced(engine: Engine, pids: Mapping[str, int]) -> list[Commit]:
    """Rows committed by a member (``application_name`` → pid) while the lease named
    another process: the fence should have made each of them fail."""
    return [
        c
        for c in commits(engine)
        if c.application_name in pids and c.holder_pid != pids[c.application_name]
    ]


def database_clock(engine: Engine) -> datetime:
    with engine.connect() as connection:
        now: datetime = connection.execute(text("SELECT clock_timestamp()")).scalar_one()
    return now


def terminate_sessions(engine: Engine, prefix: str) -> int:
    """Ends every session of this database whose ``application_name`` starts with
    ``prefix`` (one cluster's), as a database restart or failover would; how many."""
    with engine.connect() as connection:
        ended = connection.execute(
            text(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND starts_with(application_name, :prefix)"
            ),
            {"prefix": prefix},
        ).scalar_one()
    return int(ended)


@dataclass(frozen=True)
class Outbox:
    sent: set[tuple[str, str]]
    due: int
    """Rows pending whose next attempt has come, or claimed: mail still to go out."""
    failed: list[tuple[str, str, str | None]]
    statuses: dict[str, int]


def outbox(engine: Engine) -> Outbox:
    with engine.connect() as connection:
        sent = connection.execute(
            text("SELECT key, recipient FROM alert_outbox WHERE status = 'sent'")
        ).all()
        due = connection.execute(
            text(
                "SELECT count(*) FROM alert_outbox WHERE (status = 'pending' "
                "AND next_attempt_at <= now()) OR claim_token IS NOT NULL"
            )
        ).scalar_one()
        failed = connection.execute(
            text("SELECT key, recipient, reason FROM alert_outbox WHERE status = 'failed'")
        ).all()
        statuses = connection.execute(
            text("SELECT status, count(*) FROM alert_outbox GROUP BY status")
        ).all()
    return Outbox(
        {(key, recipient) for key, recipient in sent},
        int(due),
        [(key, recipient, reason) for key, recipient, reason in failed],
        {status: int(count) for status, count in statuses},
    )
