"""Tracked checks: the complaints a source knows by id, each checked when its schedule
says (CONTRACT.md section 1, "A tracked check").

A check is the detail plus the followup pages. The complaint is written only when
the record differs from what was last written (a hash of the normalized record is
kept beside the tracked id), so an unchanged complaint costs its requests and no
write. Each check is one transaction: the complaint, its clocks and the alerts they
call for, and the tracked id's next check, chosen by its urgency (the clocks as
stored after the write). Urgent checks go first; within a class, the most overdue.

A check that fails is tried again soon (backoff), and the pass is a failed run. One
that shows the platform unwell (down, rate limiting, refusing the credentials) ends
the pass: the next one resumes with what is still due.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from connectors.base import Connector, DetailResult
from connectors.errors import (
    AuthenticationFailed,
    ConnectorError,
    RateLimited,
    UpstreamUnavailable,
)
from connectors.records import ComplaintDetail, QuarantineItem, Vanished
from syncd.clock.schedule import ScheduleClass, TrackingSchedule, urgency
from syncd.store.clocks import ClockKeeper, clock_from_row
from syncd.store.tables import CLOCKS, COMPLAINTS, TRACKED
from syncd.store.tracked import DueCheck, count_due, due_checks, record_check
from syncd.store.transaction import in_transaction
from syncd.store.write import Batch, write_batch
from syncd.sync.record import recorded_pass, sync_institutions
from syncd.sync.stats import PassStats

log = logging.getLogger(__name__)

BATCH = 100
"""Due checks read at a time."""
PLATFORM_UNWELL = (AuthenticationFailed, UpstreamUnavailable, RateLimited)


def record_hash(detail: ComplaintDetail) -> str:
    """A digest of the normalized record: equal records, equal digests."""
    return hashlib.sha256(repr(detail).encode()).hexdigest()


@dataclass
class TrackedPass:
    engine: Engine
    connector: Connector
    source: str
    schedule: TrackingSchedule = field(default_factory=TrackingSchedule)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    clocks: ClockKeeper | None = None
    """Keeps each written complaint's clocks, in the check's transaction."""
    concurrency: int = 4
    """Checks whose requests are under way at once (the budget caps them anyway)."""
    should_stop: Callable[[], bool] = lambda: False
    on_checked: Callable[[int], None] = lambda n: None
    sync_institutions: bool = True
    """Re-read the institutions hourly (in tracked mode, nothing else does)."""

    def run(self, *, everything: bool = False) -> PassStats:
        """Checks what is due now; ``everything``: every tracked id not dormant."""
        return recorded_pass(
            self.engine, self.source, self.clock, lambda stats: self._check(stats, everything)
        )

    def due_now(self) -> int:
        """How many checks have come due."""
        with self.engine.connect() as connection:
            return count_due(connection, self.source, self.clock())

    def _check(self, stats: PassStats, everything: bool) -> None:
        stats.tracked = True
        started = self.clock()
        if everything:
            in_transaction(self.engine, lambda connection: self._all_due(connection, started))
        with ThreadPoolExecutor(
            max_workers=self.concurrency, thread_name_prefix=f"track-{self.source}"
        ) as pool:
            while not self.should_stop():
                with self.engine.connect() as connection:
                    # What was due when the pass started: a check moves its id's next
                    # check past it, so the pass ends.
                    due = due_checks(connection, self.source, started, BATCH)
                if not due:
                    break
                if not self._check_batch(pool, due, stats):
                    stats.stopped = stats.stopped or self.should_stop()
                    break
        if self.sync_institutions and stats.error is None and not self.should_stop():
            sync_institutions(self.engine, self.connector, self.source, self.clock)

    def _all_due(self, connection: Connection, now: datetime) -> None:
        t = TRACKED.c
        connection.execute(
            update(TRACKED)
            .where(t.source == self.source, t.next_check_at.is_not(None))
            .values(next_check_at=now)
        )

    def _check_batch(
        self, pool: ThreadPoolExecutor, due: Sequence[DueCheck], stats: PassStats
    ) -> bool:
        """Checks one batch; False when the pass must end (the platform is unwell, or
        the daemon is stopping)."""
        go_on = True
        for check, result in self._fetched(pool, due):
            stats.listed += 1
            if isinstance(result, ConnectorError):
                self._failed(check, result, stats)
                if isinstance(result, PLATFORM_UNWELL):
                    go_on = False
            else:
                stats.fetched += 1
                self._write(check, result, stats)
            self.on_checked(1)
            if not go_on or self.should_stop():
                return False
        return go_on

    def _fetched(
        self, pool: ThreadPoolExecutor, due: Sequence[DueCheck]
    ) -> Iterator[tuple[DueCheck, DetailResult | ConnectorError]]:
        """Each check with what the platform answered (or the error), as they complete;
        when the caller stops early, the checks not yet started are not made."""
        pending: dict[Future[DetailResult], DueCheck] = {
            pool.submit(self.connector.fetch_detail, check.upstream_id): check for check in due
        }
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    check = pending.pop(future)
                    try:
                        yield check, future.result()
                    except ConnectorError as exc:
                        yield check, exc
        finally:
            for future in pending:
                future.cancel()

    def _write(self, check: DueCheck, result: DetailResult, stats: PassStats) -> None:
        now = self.clock()
        in_transaction(
            self.engine, lambda connection: self._apply(connection, check, result, now, stats)
        )

    def _apply(
        self,
        connection: Connection,
        check: DueCheck,
        result: DetailResult,
        now: datetime,
        stats: PassStats,
    ) -> None:
        values: dict[str, Any] = {"last_check_at": now, "consecutive_failures": 0}
        batch = Batch()
        if isinstance(result, ComplaintDetail):
            digest = record_hash(result)
            if digest == check.content_hash and self._mirrored(connection, check.upstream_id):
                values["last_result"] = "unchanged"
                stats.unchanged += 1
            else:
                batch.details.append(result)
                values["last_result"], values["content_hash"] = "written", digest
        elif isinstance(result, Vanished):
            batch.vanished.append(result.id)
            values["last_result"] = "vanished"
        elif isinstance(result, QuarantineItem):
            batch.quarantined.append(result)
            values["last_result"] = "quarantined"
        written = write_batch(connection, self.source, batch, now, self.clocks)
        stats.written += written.complaints
        stats.quarantined += written.quarantined
        stats.vanished += written.vanished
        values.update(self._next_check(connection, check, now))
        record_check(connection, self.source, check.upstream_id, values)

    def _next_check(self, connection: Connection, check: DueCheck, now: datetime) -> dict[str, Any]:
        row_id = self._mirrored(connection, check.upstream_id)
        if row_id is None or self.clocks is None:
            # Not mirrored (quarantined so far), or no clocks to read: keep looking.
            schedule, closed_since = ScheduleClass.ACTIVE, None
        else:
            stored = [
                clock_from_row(row)
                for row in connection.execute(
                    select(CLOCKS).where(CLOCKS.c.complaint_id == row_id)
                ).mappings()
            ]
            found = urgency(stored, now, self.clocks.calendar, self.schedule, check.closed_since)
            schedule, closed_since = found.schedule, found.closed_since
        every = self.schedule.every(schedule)
        return {
            "schedule": schedule.value,
            "closed_since": closed_since,
            "next_check_at": None if every is None else now + every,
        }

    def _mirrored(self, connection: Connection, upstream_id: int) -> int | None:
        c = COMPLAINTS.c
        row_id: int | None = connection.execute(
            select(c.id).where(c.source == self.source, c.upstream_id == upstream_id)
        ).scalar_one_or_none()
        return row_id

    def _failed(self, check: DueCheck, error: ConnectorError, stats: PassStats) -> None:
        stats.error = error
        failures = check.consecutive_failures + 1
        now = self.clock()
        retry = self.schedule.after_failure(ScheduleClass(check.schedule), failures)
        log.warning(
            "tracked check failed: source=%s id=%d kind=%s failures=%d retry_in=%s",
            self.source,
            check.upstream_id,
            error.kind,
            failures,
            retry,
        )
        in_transaction(
            self.engine,
            lambda connection: record_check(
                connection,
                self.source,
                check.upstream_id,
                {
                    "last_check_at": now,
                    "last_result": error.kind,
                    "consecutive_failures": failures,
                    "next_check_at": now + retry,
                },
            ),
        )
