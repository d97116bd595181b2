"""The record of each sync pass (``sync_runs``): opened when it starts, closed with
its counts and result; what ``/readyz``, ``syncd status`` and the metrics read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select, update

from syncd.store.tables import RUNS
from syncd.vocabulary import RunResult

ERROR_MESSAGE_LIMIT = 2000


@dataclass(frozen=True)
class RunOutcome:
    """What a finished pass reports into its record."""

    result: RunResult
    listed: int
    fetched: int
    written: int
    quarantined: int
    vanished: int
    error_kind: str | None
    error_message: str | None


def open_run(connection: Connection, source: str, *, full: bool, now: datetime) -> int:
    """Records a pass as running; returns its id. A run of the source still "running"
    was cut short by a kill: it is closed as interrupted first."""
    connection.execute(
        update(RUNS)
        .where(RUNS.c.source == source, RUNS.c.result == RunResult.RUNNING)
        .values(result=RunResult.INTERRUPTED, finished_at=now)
    )
    run_id: int = connection.execute(
        RUNS.insert()
        .values(source=source, full=full, started_at=now, result=RunResult.RUNNING)
        .returning(RUNS.c.id)
    ).scalar_one()
    return run_id


def close_run(connection: Connection, run_id: int, outcome: RunOutcome, now: datetime) -> None:
    message = outcome.error_message
    connection.execute(
        update(RUNS)
        .where(RUNS.c.id == run_id)
        .values(
            finished_at=now,
            result=outcome.result,
            listed=outcome.listed,
            fetched=outcome.fetched,
            written=outcome.written,
            quarantined=outcome.quarantined,
            vanished=outcome.vanished,
            error_kind=outcome.error_kind,
            error_message=message[:ERROR_MESSAGE_LIMIT] if message is not None else None,
        )
    )


def synced_since(connection: Connection, sources: Sequence[str], since: datetime) -> bool:
    """Whether every one of ``sources`` has finished a pass (whatever its result) that
    started at or after ``since``: what the mirror shows is that day's, not an empty
    or a stale mirror's."""
    for source in sources:
        finished = connection.execute(
            select(RUNS.c.id)
            .where(
                RUNS.c.source == source,
                RUNS.c.started_at >= since,
                RUNS.c.finished_at.is_not(None),
            )
            .limit(1)
        ).first()
        if finished is None:
            return False
    return True
