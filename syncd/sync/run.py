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
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, select

from connectors.base import ChangePage, Connector
from connectors.records import PRESENT_SKEW, ComplaintDetail, Vanished, confidential_copy
from syncd.store.checkpoints import advance_checkpoint, stored_cursor
from syncd.store.clocks import ClockKeeper
from syncd.store.quarantine import retry_candidates
from syncd.store.tables import COMPLAINTS
from syncd.store.transaction import in_transaction
from syncd.store.write import Batch, mirrored_versions, write_batch
from syncd.sync.record import recorded_pass, sync_institutions
from syncd.sync.stats import PassStats, Progress

log = logging.getLogger(__name__)

RETRY_QUARANTINED = 20
"""Complaints quarantined whole that each pass asks for again, the longest unseen first."""


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
        return recorded_pass(
            self.engine, self.source, self.clock, lambda stats: self._sync(stats, full), full=full
        )

    def checkpoint(self) -> datetime | None:
        with self.engine.connect() as connection:
            return stored_cursor(connection, self.source)

    def _sync(self, stats: PassStats, full: bool) -> None:
        since = None if full else self.checkpoint()
        if since is not None and since > self.clock() + PRESENT_SKEW:
            # Left by a version that believed a record dated in the future: nothing
            # after it would ever be listed. Listing everything again repairs it.
            log.warning(
                "checkpoint %s of source=%s is in the future: listing everything again",
                since.isoformat(),
                self.source,
            )
            since = None
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
        self._retry_quarantined(stats)
        sync_institutions(
            self.engine, self.connector, self.source, self.clock, force=seen is not None
        )

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
        # A complaint the listing calls confidential stays so, whatever its detail says.
        secret = {s.id for s in page.summaries if s.is_secret}
        self._fetch_into(batch, changed, stats, secret)
        return batch

    def _fetch_into(
        self, batch: Batch, ids: list[int], stats: PassStats, secret: AbstractSet[int] = frozenset()
    ) -> None:
        for result in self.connector.fetch_details(ids):
            if isinstance(result, ComplaintDetail):
                listed_secret = result.id in secret and not result.summary.is_secret
                batch.details.append(confidential_copy(result) if listed_secret else result)
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
        if batch.cursor is not None:
            stats.cursor = batch.cursor

    def _retry_quarantined(self, stats: PassStats) -> None:
        """Asks again for a few complaints whose detail could not be read or stored:
        the listing shows them again only when they change, and the platform may
        have mended them meanwhile (an answer that arrives whole resolves them)."""
        with self.engine.connect() as connection:
            ids = retry_candidates(connection, self.source, RETRY_QUARANTINED)
        if not ids:
            return
        batch = Batch()
        self._fetch_into(batch, ids, stats)
        self._write(batch, stats)

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
