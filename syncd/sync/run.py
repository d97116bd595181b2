"""One sync pass for one source: list changes, fetch what changed, commit page by page.

Each listing page becomes one transaction: the complaints it changed (details
fetched only where the listed ``updated_at`` is newer than the mirror's), its
quarantined records, the complaints found removed, and the checkpoint. A pass that
fails leaves every committed page in place and the checkpoint where the last
committed page put it; the next pass resumes from there.

A full pass re-lists everything and then reconciles: a mirrored complaint that the
complete listing did not show is asked for once more, and marked vanished if the
platform answers that it is gone.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, select

from connectors.base import ChangePage, Connector
from connectors.errors import ConnectorError
from connectors.records import ComplaintDetail, Institution, QuarantineItem, Vanished
from syncd.store.checkpoints import advance_checkpoint, stored_cursor
from syncd.store.clocks import ClockKeeper
from syncd.store.institutions import institutions_synced_at, write_institutions
from syncd.store.runs import RunOutcome, close_run, open_run
from syncd.store.tables import COMPLAINTS
from syncd.store.transaction import StoreError, in_transaction
from syncd.store.write import Batch, mirrored_versions, write_batch
from syncd.vocabulary import RunResult

log = logging.getLogger(__name__)

INSTITUTIONS_EVERY = timedelta(hours=1)


@dataclass
class PassStats:
    """What a pass did; ``error`` is set when it failed."""

    source: str
    full: bool
    listed: int = 0
    unchanged: int = 0
    fetched: int = 0
    written: int = 0
    quarantined: int = 0
    vanished: int = 0
    pages: int = 0
    seconds: float = 0.0
    error: ConnectorError | StoreError | None = None
    cursor: datetime | None = None
    stopped: bool = False
    """Asked to stop: it ended after the page it was writing, and resumes from there."""

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def result(self) -> RunResult:
        return RunResult.of(ok=self.ok, stopped=self.stopped)


@dataclass
class Progress:
    """Hooks a caller (the CLI's progress bar, the daemon's logs) can follow."""

    listing_total: Callable[[int], None] = lambda total: None
    listed: Callable[[int], None] = lambda n: None
    to_fetch: Callable[[int], None] = lambda n: None
    """More complaints changed, whose details are now to be fetched."""
    fetched: Callable[[int], None] = lambda n: None


@dataclass
class SyncPass:
    engine: Engine
    connector: Connector
    source: str
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    progress: Progress = field(default_factory=Progress)
    clocks: ClockKeeper | None = None
    """Keeps each written complaint's clocks, in the same transaction."""
    should_stop: Callable[[], bool] = lambda: False
    """Asked between pages: the daemon's shutdown lets the page in hand finish."""

    def run(self, *, full: bool = False) -> PassStats:
        stats = PassStats(self.source, full)
        started = time.perf_counter()
        run_id = self._open_run(full)
        try:
            self._sync(stats, full)
        except (ConnectorError, StoreError) as exc:
            stats.error = exc
            log.error("sync failed: source=%s kind=%s detail=%s", self.source, exc.kind, exc)
        finally:
            stats.seconds = time.perf_counter() - started
            try:
                self._close_run(run_id, stats)
            except StoreError as exc:
                # The pass's outcome stands; only its record could not be kept.
                log.error("sync run not recorded: source=%s detail=%s", self.source, exc)
        return stats

    def checkpoint(self) -> datetime | None:
        with self.engine.connect() as connection:
            return stored_cursor(connection, self.source)

    def _sync(self, stats: PassStats, full: bool) -> None:
        since = None if full else self.checkpoint()
        seen: set[int] | None = set() if since is None else None
        first = True
        # One page is written while the next is fetched: the platform and the
        # database work at the same time. Pages are still committed one at a time
        # and in order, so the checkpoint only ever moves forward.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="syncd-writer") as writer:
            writing: Future[None] | None = None
            for page in self.connector.list_changes(since):
                if self.should_stop():
                    stats.stopped = True
                    break
                if first and page.matching is not None:
                    self.progress.listing_total(page.matching)
                    first = False
                batch = self._fetch_page(page, stats, seen)
                if writing is not None:
                    writing.result()
                writing = writer.submit(self._write, batch, stats)
            if writing is not None:
                writing.result()
        if stats.stopped:
            return
        if seen is not None:
            self._reconcile(seen, stats)
        if seen is not None or self._institutions_stale():
            self._sync_institutions()

    def _fetch_page(self, page: ChangePage, stats: PassStats, seen: set[int] | None) -> Batch:
        """The batch a listing page makes: what changed, fetched; ready to write."""
        ids = [s.id for s in page.summaries]
        stats.pages += 1
        stats.listed += len(ids) + len(page.quarantined)
        self.progress.listed(len(ids) + len(page.quarantined))
        if seen is not None:
            seen.update(ids)
            seen.update(q.upstream_id for q in page.quarantined if q.upstream_id is not None)
        with self.engine.connect() as connection:
            mirrored = mirrored_versions(connection, self.source, ids)
        changed = []
        for summary in page.summaries:
            held = mirrored.get(summary.id)
            if held is None or summary.updated_at > held[0] or held[1]:
                changed.append(summary.id)
        stats.unchanged += len(ids) - len(changed)
        self.progress.to_fetch(len(changed))
        batch = Batch(quarantined=list(page.quarantined), cursor=page.cursor)
        self._fetch_into(batch, changed, stats)
        return batch

    def _fetch_into(self, batch: Batch, ids: list[int], stats: PassStats) -> None:
        for result in self.connector.fetch_details(ids):
            if isinstance(result, ComplaintDetail):
                batch.details.append(result)
            elif isinstance(result, Vanished):
                batch.vanished.append(result.id)
            else:
                batch.quarantined.append(result)
            stats.fetched += 1
            self.progress.fetched(1)

    def _write(self, batch: Batch, stats: PassStats) -> None:
        now = self.clock()
        written = in_transaction(
            self.engine,
            lambda connection: write_batch(connection, self.source, batch, now, self.clocks),
        )
        stats.written += written.complaints
        stats.quarantined += written.quarantined
        stats.vanished += written.vanished
        stats.cursor = batch.cursor

    def _reconcile(self, seen: set[int], stats: PassStats) -> None:
        """After a complete listing: who in the mirror was not listed is asked for again."""
        c = COMPLAINTS.c
        with self.engine.connect() as connection:
            mirrored = connection.execute(
                select(c.upstream_id).where(c.source == self.source, c.vanished_at.is_(None))
            ).scalars()
            missing = [upstream_id for upstream_id in mirrored if upstream_id not in seen]
        if missing:
            log.info("reconcile: source=%s unlisted=%d", self.source, len(missing))
            self.progress.to_fetch(len(missing))
        batch = Batch()
        self._fetch_into(batch, missing, stats)
        now = self.clock()

        def write(connection: Connection) -> None:
            written = write_batch(connection, self.source, batch, now, self.clocks)
            stats.written += written.complaints
            stats.quarantined += written.quarantined
            stats.vanished += written.vanished
            cursor = stats.cursor or stored_cursor(connection, self.source)
            if cursor is not None:
                advance_checkpoint(connection, self.source, cursor, now, full_done=True)

        in_transaction(self.engine, write)

    def _institutions_stale(self) -> bool:
        """Institutions change rarely: re-read them on full passes and hourly."""
        with self.engine.connect() as connection:
            last = institutions_synced_at(connection, self.source)
        return last is None or self.clock() - last >= INSTITUTIONS_EVERY

    def _sync_institutions(self) -> None:
        institutions = []
        for item in self.connector.list_institutions():
            if isinstance(item, Institution):
                institutions.append(item)
            elif isinstance(item, QuarantineItem):
                log.warning(
                    "institution quarantined: source=%s reason=%s", self.source, item.reason
                )
        now = self.clock()
        in_transaction(
            self.engine,
            lambda connection: write_institutions(connection, self.source, institutions, now),
        )

    # -- the run record ---------------------------------------------------------------

    def _open_run(self, full: bool) -> int:
        now = self.clock()
        return in_transaction(
            self.engine, lambda connection: open_run(connection, self.source, full=full, now=now)
        )

    def _close_run(self, run_id: int, stats: PassStats) -> None:
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
        now = self.clock()
        in_transaction(self.engine, lambda connection: close_run(connection, run_id, outcome, now))
