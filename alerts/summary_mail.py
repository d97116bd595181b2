"""The summary mail: the alerts over a recipient's daily cap, folded into one.

CONTRACT.md section 7, "No flood": at most ``max_mails_per_recipient_per_day``
alerts go out alone to one recipient in a day; the rest of that day's alerts for
that recipient are listed in one mail of kind ``summary``, key
``summary/<recipient>/<YYYY-MM-DD>`` (the recipient's local date). This module
composes that mail; which alerts it folds, and recording them as delivered, is the
dispatcher's.

    items = [summary_item(facts, composer) for facts in folded]
    message = compose_summary(
        composer, recipient=address, role="liaison", day=today, items=items, now=now
    )
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from email.message import Message

from alerts.compose import Composer
from alerts.facts import AlertFacts, SummaryFacts, SummaryItem
from alerts.routing import Reader

SUMMARY_KIND = "summary"
_CONFIDENTIAL = {"id": "[rahasia]", "en": "[confidential]"}


def summary_key(recipient: str, day: date) -> str:
    return f"{SUMMARY_KIND}/{recipient}/{day.isoformat()}"


def summary_item(alert: AlertFacts, composer: Composer) -> SummaryItem:
    """One folded alert's line, from the facts its own mail would have said."""
    c = alert.clock
    return SummaryItem(
        tracking_id=c.tracking_id,
        agency_name=c.agency_name,
        clock=c.clock,
        kind=alert.kind.value,
        due_at_local=composer.local_time(c.due_at, c.zone),
        days=c.working_days_left,
        link=c.link or "",
        title=_CONFIDENTIAL[composer.language] if c.confidential or c.title is None else c.title,
        agency_id=c.agency_id,
    )


def compose_summary(
    composer: Composer,
    *,
    recipient: str,
    role: Reader,
    day: date,
    items: Sequence[SummaryItem],
    now: datetime,
    total: int | None = None,
) -> Message:
    """The summary mail to ``recipient`` for ``day``, listing ``items`` in the order
    given (the most actionable first). ``total``: how many alerts it stands for, when
    the caller lists fewer than it folded (default: ``len(items)``)."""
    facts = SummaryFacts(
        key=summary_key(recipient, day),
        recipient=recipient,
        role=role,
        day=day,
        items=list(items),
        total=len(items) if total is None else max(total, len(items)),
    )
    return composer.summary(facts, now)
