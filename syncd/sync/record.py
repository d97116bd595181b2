"""What every kind of pass shares: its run record (``sync_runs``: what ``/readyz``,
``syncd status`` and the metrics read), and the institutions re-read hourly.

A pass that raises a connector or store error is a failed run, recorded with the
error's kind; the record is closed whatever happens.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine

from connectors.base import Connector
from connectors.errors import ConnectorError
from connectors.records import Institution, QuarantineItem
from syncd.store.institutions import institutions_synced_at, write_institutions
from syncd.store.quarantine import quarantine
from syncd.store.runs import RunOutcome, close_run, open_run
from syncd.store.transaction import StoreError, in_transaction
from syncd.sync.stats import PassStats, UnexpectedError

log = logging.getLogger("syncd.sync.run")

INSTITUTIONS_EVERY = timedelta(hours=1)
MAX_REFUSED_INSTITUTIONS = 1000
"""Malformed institutions kept in quarantine per reading (the rest are logged only)."""


def recorded_pass(
    engine: Engine,
    source: str,
    clock: Callable[[], datetime],
    work: Callable[[PassStats], None],
    *,
    full: bool = False,
) -> PassStats:
    """``work`` as one recorded pass: its stats, with ``error`` set if it failed."""
    stats = PassStats(source, full)
    started = time.perf_counter()
    now = clock()
    run_id = in_transaction(
        engine, lambda connection: open_run(connection, source, full=full, now=now)
    )
    try:
        work(stats)
    except (ConnectorError, StoreError) as exc:
        stats.error = exc
        log.error("sync failed: source=%s kind=%s detail=%s", source, exc.kind, exc)
    except Exception as exc:  # whatever it was, the run failed, and says so
        stats.error = UnexpectedError(exc)
        log.error("sync failed: source=%s kind=internal detail=%s", source, stats.error)
    finally:
        stats.seconds = time.perf_counter() - started
        try:
            _close(engine, run_id, stats, clock())
        except StoreError as exc:
            # The pass's outcome stands; only its record could not be kept.
            log.error("sync run not recorded: source=%s detail=%s", source, exc)
    return stats


def _close(engine: Engine, run_id: int, stats: PassStats, now: datetime) -> None:
    error = stats.error
    outcome = RunOutcome(
        result=stats.result,
        listed=stats.listed,
        fetched=stats.fetched,
        written=stats.written,
        quarantined=stats.quarantined,
        vanished=stats.vanished,
        error_kind=error.kind if error else None,
        error_message=str(error) if error else None,
    )
    in_transaction(engine, lambda connection: close_run(connection, run_id, outcome, now))


def sync_institutions(
    engine: Engine,
    connector: Connector,
    source: str,
    clock: Callable[[], datetime],
    *,
    force: bool = False,
) -> None:
    """Re-reads the platform's institutions when ``force``d (a full pass) or when the
    stored ones are an hour old: they change rarely."""
    if not force:
        with engine.connect() as connection:
            last = institutions_synced_at(connection, source)
        if last is not None and clock() - last < INSTITUTIONS_EVERY:
            return
    institutions = []
    refused: list[QuarantineItem] = []
    for item in connector.list_institutions():
        if isinstance(item, Institution):
            institutions.append(item)
        elif isinstance(item, QuarantineItem):
            log.warning("institution quarantined: source=%s reason=%s", source, item.reason)
            refused.append(item)
    now = clock()

    def write(connection: Connection) -> None:
        write_institutions(connection, source, institutions, now)
        quarantine(connection, source, refused[:MAX_REFUSED_INSTITUTIONS], now)

    in_transaction(engine, write)
