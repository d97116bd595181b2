"""Transactions that survive a busy database, and fail clearly when it is broken.

SQLite answers "database is locked" while another process writes, and PostgreSQL
may abort a transaction on a deadlock or serialization failure: those are retried
with backoff, the whole transaction again. Anything else (a full disk, a broken
schema) is raised at once as a ``StoreError`` naming the problem.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import tenacity
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

log = logging.getLogger(__name__)
T = TypeVar("T")

_TRANSIENT_MESSAGES = ("database is locked", "database table is locked", "busy")
_TRANSIENT_SQLSTATES = ("40001", "40P01")  # serialization failure, deadlock detected


class StoreError(Exception):
    """The mirror could not be written; ``kind`` names what went wrong."""

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


def is_transient(exc: BaseException) -> bool:
    if not isinstance(exc, DBAPIError):
        return False
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in _TRANSIENT_SQLSTATES:
        return True
    return isinstance(exc, OperationalError) and any(
        m in str(exc.orig).lower() for m in _TRANSIENT_MESSAGES
    )


def _log_retry(state: tenacity.RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    log.warning(
        "database busy, retrying: attempt=%d wait=%.2fs error=%s",
        state.attempt_number,
        state.upcoming_sleep,
        str(exc).splitlines()[0] if exc else "",
    )


def in_transaction(
    engine: Engine,
    work: Callable[[Connection], T],
    *,
    attempts: int = 8,
    sleep: Callable[[float], None] = tenacity.nap.sleep,
) -> T:
    """``work`` in one transaction, retried whole while the database is busy."""
    retrying = tenacity.Retrying(
        retry=tenacity.retry_if_exception(is_transient),
        wait=tenacity.wait_random_exponential(multiplier=0.2, max=10),
        stop=tenacity.stop_after_attempt(attempts),
        before_sleep=_log_retry,
        sleep=sleep,
        reraise=True,
    )
    try:
        for attempt in retrying:
            with attempt, engine.begin() as connection:
                return work(connection)
    except DBAPIError as exc:
        kind = "database_busy" if is_transient(exc) else "database_error"
        first_line = str(exc.orig).splitlines()[0] if exc.orig else str(exc)
        raise StoreError(f"the mirror could not be written: {first_line}", kind=kind) from exc
    raise AssertionError("unreachable: tenacity reraises the last error")  # pragma: no cover
