"""Words that several layers share, each said once: the alert kinds (outbox, planner,
metrics), the outbox statuses (planner, dispatcher, status, metrics) and the sync
run results (the run record, the daemon, the metrics).

They are ``StrEnum`` members, so they are stored, compared and labelled as the plain
strings the database and the metrics have always held.
"""

from __future__ import annotations

from enum import StrEnum


class AlertKind(StrEnum):
    """The kinds of ``sp4n_alerts_sent_total`` (CONTRACT.md section 6)."""

    WARNING = "warning"
    DUE = "due"
    BREACH = "breach"
    ESCALATION = "escalation"
    DIGEST = "digest"
    REPORT = "report"
    """The monthly summary to the ``escalate_to`` recipients (opt-in)."""
    SUMMARY = "summary"
    """A recipient's alerts of one day beyond the daily cap, in one mail."""


ALERTS = (AlertKind.WARNING, AlertKind.DUE, AlertKind.BREACH, AlertKind.ESCALATION)
"""The kinds about one clock each: what the daily cap counts and folds."""


class OutboxStatus(StrEnum):
    """Where one (key, recipient) of the outbox stands."""

    PENDING = "pending"
    """To be sent in its next delivery window."""
    HELD = "held"
    """Its clock is paused: waits without being sent."""
    SENT = "sent"
    SKIPPED = "skipped"
    """Superseded by a more severe threshold: never sent."""
    CANCELLED = "cancelled"
    """Its clock stopped first."""
    FAILED = "failed"
    """A permanent delivery failure: never retried."""
    FOLDED = "folded"
    """Over the recipient's daily cap: delivered in that day's summary mail (its
    ``summary_key``), never alone."""


WAITING = (OutboxStatus.PENDING, OutboxStatus.HELD)
"""Statuses that may still be sent."""
UNSENT = (OutboxStatus.PENDING, OutboxStatus.HELD, OutboxStatus.FAILED)
"""What ``syncd status`` and ``syncd alerts outbox`` count as not delivered."""


class RunResult(StrEnum):
    """How a sync pass ended, as its run record and ``sp4n_sync_runs_total`` say."""

    RUNNING = "running"
    OK = "ok"
    ERROR = "error"
    INTERRUPTED = "interrupted"
    """Asked to stop between pages, or cut short by a kill."""

    @classmethod
    def of(cls, *, ok: bool, stopped: bool) -> RunResult:
        if stopped:
            return cls.INTERRUPTED
        return cls.OK if ok else cls.ERROR
