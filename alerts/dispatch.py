"""Sends what the outbox holds, each (key, recipient) once.

A batch: rows that are pending, whose next attempt has come and whose delivery
window is open are claimed with a token (a row another dispatcher holds is not
taken); one mailer connection sends them; each row is marked sent in its own
transaction right after the server accepts it, so a crash repeats at most the one
message in flight, never a batch. Rows outside their window are moved to when it
next opens.

Temporary failures (a refused connection, a 4xx) back off and retry, for as long as
it takes: an outage delays mail, never drops it. Permanent ones (a 5xx about this
recipient or message) are recorded as ``failed`` and counted, never retried.

Each row is composed on its own: one whose composition raises (a template or facts
error) fails alone, counted (``compose``), its reason recorded without the error's
message (which may quote a confidential complaint); it backs off like a delivery and
is ``failed`` after ``COMPOSE_ATTEMPTS``; the rest of the batch goes out. A database
error is not a row's fault: it fails the pass, and the claims run out their lease.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import Message
from email.utils import parseaddr
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, or_, select, update
from sqlalchemy.exc import DBAPIError

from alerts.compose import Composer
from alerts.daily_cap import DailyCap
from alerts.dispatched import COMPOSE_ATTEMPTS, Dispatched, backoff, frames_of, where_it_failed
from alerts.gather import FactFinder
from alerts.mailers import DeliveryError, Mailer
from alerts.making import MailMaker, is_summary
from alerts.monthly import MonthlyReports
from alerts.routing import RecipientScope, Routes
from alerts.windows import Window
from syncd.clock.policy import ClockKind
from syncd.store.tables import OUTBOX
from syncd.vocabulary import AlertKind, OutboxStatus

log = logging.getLogger(__name__)


@dataclass
class Dispatcher:
    engine: Engine
    composer: Composer
    finder: FactFinder
    mailer: Callable[[], Mailer]
    """Opens one connection (a with-block) per batch."""
    alert_window: Window
    digest_window: Window
    digest_scopes: Mapping[str, RecipientScope]
    alerting: frozenset[ClockKind]
    routes: Routes
    """Tells an escalation's superior from the liaison, to word each alert for its reader."""
    batch_size: int = 100
    lease: timedelta = timedelta(minutes=10)
    on_sent: Callable[[str], None] = lambda kind: None
    on_failure: Callable[[str], None] = lambda reason: None
    """Called with "temporary", "permanent" or "compose", for the metrics."""
    monthly: MonthlyReports | None = None
    """Composes the monthly summaries, when they are switched on."""
    should_stop: Callable[[], bool] = lambda: False
    """Asked between batches: the daemon's shutdown lets the batch in hand finish."""
    cap: DailyCap | None = None
    """Folds what is over each recipient's daily cap into a summary, before a claim."""
    fencing: Callable[[], int | None] = lambda: None
    """The leader's fencing number (PostgreSQL with standbys), recorded with a claim."""
    lease_fresh: Callable[[], bool] | None = None
    """With standbys: whether the lease was renewed within half its TTL. Each mail is
    then sent only after its claim is confirmed in the database and the lease is fresh."""

    def release_claims(self, at: datetime | None = None) -> int:
        """Frees the claims whose lease has run out by ``at`` (default: now), at start:
        a dead process's. A live claim is left alone: it may be another dispatcher's,
        sending now (a dead one's waits out its ``lease``)."""
        at = at or datetime.now(UTC)
        o = OUTBOX.c
        with self.engine.begin() as connection:
            result = connection.execute(
                update(OUTBOX)
                .where(o.claim_token.is_not(None), o.claimed_until <= at)
                .values(claim_token=None, claimed_until=None)
            )
        return result.rowcount or 0

    def run(self, now: Callable[[], datetime]) -> Dispatched:
        """Sends batches until nothing sendable is left or the connection fails."""
        result = Dispatched()
        while not self.should_stop():
            deferred = result.deferred
            if self.cap is not None:
                with self.engine.begin() as connection:
                    result.folded += self.cap.fold(connection, now()).alerts
            token, rows = self._claim(now(), result)
            if not rows:
                if result.deferred > deferred:
                    continue  # a batch of mail for closed windows: look further
                return result
            if not self._send_batch(token, rows, now, result):
                return result
        return result

    def _claim(self, at: datetime, result: Dispatched) -> tuple[str, list[Mapping[Any, Any]]]:
        o = OUTBOX.c
        token = str(uuid.uuid4())
        with self.engine.begin() as connection:
            candidates = connection.execute(
                select(o.id, o.kind, o.zone)
                .where(
                    o.status == OutboxStatus.PENDING,
                    o.next_attempt_at <= at,
                    or_(o.claimed_until.is_(None), o.claimed_until <= at),
                )
                .order_by(o.next_attempt_at, o.id)
                .limit(self.batch_size)
            ).all()
            ready: list[int] = []
            later: list[dict[str, Any]] = []
            for row_id, kind, zone_name in candidates:
                window = self.digest_window if kind == AlertKind.DIGEST else self.alert_window
                opens = window.next_open(at, zone_name)
                if opens <= at:
                    ready.append(row_id)
                else:
                    later.append({"row_id": row_id, "at": opens})
            if later:
                connection.execute(
                    update(OUTBOX)
                    .where(o.id == bindparam("row_id"))
                    .values(next_attempt_at=bindparam("at")),
                    later,
                )
                result.deferred += len(later)
            if not ready:
                return token, []
            connection.execute(
                update(OUTBOX)
                .where(
                    o.id.in_(ready),
                    o.status == OutboxStatus.PENDING,
                    or_(o.claimed_until.is_(None), o.claimed_until <= at),
                )
                .values(
                    claim_token=token, claimed_until=at + self.lease, claim_fencing=self.fencing()
                )
            )
            rows: list[Mapping[Any, Any]] = list(
                connection.execute(
                    select(OUTBOX).where(o.claim_token == token).order_by(o.id)
                ).mappings()
            )
        return token, rows

    def _send_batch(
        self,
        token: str,
        rows: Sequence[Mapping[Any, Any]],
        now: Callable[[], datetime],
        result: Dispatched,
    ) -> bool:
        """Sends one claimed batch; False when the connection failed."""
        at = now()
        messages = self._compose(rows, at, result, token)
        if not messages:
            return True
        envelope_from = parseaddr(self.composer.sender)[1]
        pending = list(messages)
        try:
            with self.mailer() as mailer:
                confirmed_id: int | None = None
                """With standbys: the row the last mark-sent transaction confirmed."""
                while pending:
                    row, message = pending[0]
                    if self.lease_fresh is not None and not self._may_send(
                        row, token, confirmed_id
                    ):
                        break  # another leader has it, or may have it soon: the rest wait
                    confirmed_id = None
                    confirmed = time.monotonic()
                    try:
                        mailer.send(message, envelope_from, row["recipient"])
                        # Where a duplicate could only arise: confirmed, not yet accepted.
                        window = time.monotonic() - confirmed
                        result.unconfirmed_window = max(result.unconfirmed_window, window)
                    except DeliveryError as exc:
                        pending.pop(0)
                        self._failed(row, token, exc, now(), result)
                        if exc.connection_lost:
                            break
                        continue
                    pending.pop(0)
                    # With standbys the next mail's claim is confirmed in the same
                    # transaction: one fenced transaction a mail, as without them.
                    after = pending[0][0] if pending and self.lease_fresh is not None else None
                    if self._sent(row, token, now(), confirm=after):
                        confirmed_id = after["id"] if after is not None else None
                    result.sent[row["kind"]] += 1
                    self.on_sent(row["kind"])
        except DeliveryError as exc:  # the connection could not be opened
            # One line for the outage, not one per mail waiting behind it.
            log.warning(
                "smtp unavailable: %d mail(s) of this batch wait for their retry: %s",
                len(pending),
                str(exc)[:500],
            )
            for row, _ in pending:
                self._failed(row, token, exc, now(), result, loud=False)
            return False
        if pending:
            # The connection broke: the rest wait for the next run, unharmed.
            self._release([row["id"] for row, _ in pending], token, now())
            return False
        return True

    def _compose(
        self,
        rows: Sequence[Mapping[Any, Any]],
        at: datetime,
        result: Dispatched,
        token: str,
    ) -> list[tuple[Mapping[Any, Any], Message]]:
        messages: list[tuple[Mapping[Any, Any], Message]] = []
        maker = MailMaker(
            self.composer, self.finder, self.digest_scopes, self.alerting, self.routes, self.monthly
        )
        with self.engine.connect() as connection:
            facts = maker.gather(connection, rows, at)
            for row in rows:
                try:
                    message = maker.make(connection, row, facts, at)
                except DBAPIError:
                    raise  # the database's trouble, not this row's: the pass fails
                except Exception as exc:  # a template or facts error: this row's alone
                    self._uncomposed(row, token, exc, at, result)
                    continue
                if message is not None:
                    messages.append((row, message))
                elif is_summary(row):
                    self._close(row, token, OutboxStatus.SKIPPED, "nothing to report", at)
                    result.skipped += 1
                else:
                    self._close(
                        row, token, OutboxStatus.CANCELLED, "the clock no longer exists", at
                    )
                    result.cancelled += 1
        return messages

    def _may_send(self, row: Mapping[Any, Any], token: str, confirmed_id: int | None) -> bool:
        """Just before a send, with standbys: the lease is fresh and the claim still this
        leader's, read in a fenced transaction (the previous mail's mark-sent one, or
        one of its own). From there to the server's 250 is the only window in which a
        new leader could send the same mail."""
        if self.lease_fresh is not None and not self.lease_fresh():
            return False
        if confirmed_id == row["id"]:
            return True
        try:
            with self.engine.begin() as connection:
                return _claimed(connection, row, token)
        except Exception as exc:  # LeaseLost, or the database gone: send nothing
            log.info(
                "alert %s not sent: the lease is not confirmed (%s)", row["key"], type(exc).__name__
            )
            return False

    def _unclaim(self, ids: Sequence[int], token: str, **values: Any) -> None:
        """Ends this claim on these rows, setting ``values`` in the same statement.

        Unconditional on status: a mail that went out is sent, whatever the planner
        decided meanwhile; the token makes sure the rows are still this claim's.
        """
        with self.engine.begin() as connection:
            connection.execute(
                update(OUTBOX)
                .where(OUTBOX.c.id.in_(ids), OUTBOX.c.claim_token == token)
                .values(claim_token=None, claimed_until=None, **values)
            )

    def _sent(
        self,
        row: Mapping[Any, Any],
        token: str,
        at: datetime,
        *,
        confirm: Mapping[Any, Any] | None = None,
    ) -> bool:
        """Marks ``row`` sent; with ``confirm``, also reads whether that row's claim is
        still this dispatcher's (True if so), in the same transaction."""
        with self.engine.begin() as connection:
            marked = connection.execute(
                update(OUTBOX)
                .where(OUTBOX.c.id == row["id"], OUTBOX.c.claim_token == token)
                .values(
                    claim_token=None,
                    claimed_until=None,
                    status=OutboxStatus.SENT,
                    sent_at=at,
                    attempts=row["attempts"] + 1,
                    reason=None,
                )
            )
            if row["kind"] == AlertKind.SUMMARY and marked.rowcount:
                # The alerts it lists are delivered with it.
                o = OUTBOX.c
                connection.execute(
                    update(OUTBOX)
                    .where(
                        o.summary_key == row["key"],
                        o.recipient == row["recipient"],
                        o.status == OutboxStatus.FOLDED,
                    )
                    .values(sent_at=at)
                )
            if confirm is None:
                return False
            return _claimed(connection, confirm, token)

    def _failed(
        self,
        row: Mapping[Any, Any],
        token: str,
        error: DeliveryError,
        at: datetime,
        result: Dispatched,
        *,
        loud: bool = True,
    ) -> None:
        if error.permanent:
            result.permanent += 1
        else:
            result.temporary += 1
        kind = "permanent" if error.permanent else "temporary"
        self._attempt_failed(
            row, token, at, kind, str(error)[:500], final=error.permanent, loud=loud
        )

    def _uncomposed(
        self,
        row: Mapping[Any, Any],
        token: str,
        error: Exception,
        at: datetime,
        result: Dispatched,
    ) -> None:
        """Its reason says the error's type and where, never its message."""
        result.compose_failures += 1
        log.debug("alert %s: where composing failed:\n%s", row["key"], frames_of(error))
        reason = f"cannot compose the mail: {where_it_failed(error)}"
        final = row["attempts"] + 1 >= COMPOSE_ATTEMPTS
        self._attempt_failed(row, token, at, "compose", reason, final=final)

    def _attempt_failed(
        self,
        row: Mapping[Any, Any],
        token: str,
        at: datetime,
        kind: str,
        reason: str,
        *,
        final: bool,
        loud: bool = True,
    ) -> None:
        """Counted as ``kind``; ``failed`` if ``final``, else retried after a back-off;
        the retry is logged at debug when not ``loud`` (the caller said it once)."""
        attempts = row["attempts"] + 1
        self.on_failure(kind)
        who = (row["key"], row["recipient"], attempts, kind)
        if final:
            log.error("alert %s to %s failed for good (attempt %d, %s): %s", *who, reason)
            values: dict[str, Any] = {"status": OutboxStatus.FAILED}
        else:
            retry = at + backoff(attempts)
            log.log(
                logging.WARNING if loud else logging.DEBUG,
                "alert %s to %s not delivered (attempt %d, %s), retrying at %s: %s",
                *who,
                retry.isoformat(timespec="seconds"),
                reason,
            )
            values = {"next_attempt_at": retry}
        self._unclaim([row["id"]], token, attempts=attempts, reason=reason, **values)

    def _close(
        self, row: Mapping[Any, Any], token: str, status: str, reason: str, at: datetime
    ) -> None:
        self._unclaim([row["id"]], token, status=status, reason=reason, next_attempt_at=at)

    def _release(self, ids: Sequence[int], token: str, at: datetime) -> None:
        self._unclaim(ids, token, next_attempt_at=at)


def _claimed(connection: Connection, row: Mapping[Any, Any], token: str) -> bool:
    """Whether ``row`` is still claimed with ``token``."""
    o = OUTBOX.c
    found = connection.execute(
        select(o.id).where(o.id == row["id"], o.claim_token == token)
    ).first()
    return found is not None
