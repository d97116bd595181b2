"""The alert outbox: one row per (alert key, recipient), ever.

Rows are written in the transaction of the clock change that calls for them, so an
alert is never decided without being recorded, nor recorded twice. The dispatcher
claims pending rows, sends them and marks them; the unique (key, recipient) is what
makes "one alert per key and recipient, ever" hold across restarts and outages.

Statuses: ``pending`` (to send), ``held`` (its clock is paused), ``sent``,
``skipped`` (a more severe threshold superseded it, or a digest had nothing to say),
``cancelled`` (its clock stopped first), ``failed`` (refused for good) and ``folded``
(over the recipient's daily cap: listed in that day's summary mail instead).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from syncd.store.utc import UTCDateTime


class OutboxMail(SQLModel, table=True):
    __tablename__ = "alert_outbox"
    __table_args__ = (
        UniqueConstraint("key", "recipient", name="uq_alert_outbox_key_recipient"),
        # The dispatcher's query: pending rows whose next attempt has come.
        Index("ix_alert_outbox_status_next", "status", "next_attempt_at"),
        # The planner reads a clock's rows; the sync cancels a complaint's.
        Index("ix_alert_outbox_clock_key", "clock_key"),
        Index("ix_alert_outbox_complaint", "complaint_id"),
        # A summary mail reads the alerts folded into it.
        Index("ix_alert_outbox_summary", "summary_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=255)
    """CONTRACT.md section 7: ``<source>:<complaint>/<agency>/<clock>/<cycle>/<threshold>``
    or ``digest/<recipient>/<YYYY-MM-DD>``."""
    recipient: str = Field(max_length=320)
    kind: str = Field(max_length=16)
    """warning, due, breach, escalation or digest."""
    clock_key: str | None = Field(default=None, max_length=255)
    """The key without its threshold; None for a digest."""
    threshold: str | None = Field(default=None, max_length=16)
    complaint_id: int | None = None
    """The complaint's row id (complaints are never deleted)."""
    clock_kind: str | None = Field(default=None, max_length=16)
    agency_id: int | None = Field(default=None, sa_type=BigInteger)
    cycle: int | None = None
    zone: str = Field(max_length=64)
    """The agency's time zone: the delivery window and the times in the mail."""
    status: str = Field(max_length=16)
    reason: str | None = None
    """Why it was skipped, cancelled or failed; the last temporary error while pending."""
    created_at: datetime = Field(sa_type=UTCDateTime)
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """The clock's due instant when the alert was decided."""
    next_attempt_at: datetime = Field(sa_type=UTCDateTime)
    attempts: int = 0
    claim_token: str | None = Field(default=None, max_length=36)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claim_fencing: int | None = Field(default=None, sa_type=BigInteger)
    """The leader's fencing number the claim was made under (PostgreSQL with standbys):
    a new leader takes over every claim of an older one at once."""
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When the server took it; for a folded alert, when its summary went out."""
    summary_key: str | None = Field(default=None, max_length=255)
    """A folded alert's summary mail (``summary/<recipient>/<YYYY-MM-DD>``)."""
