"""What one run of the dispatcher did, and how long a failed delivery waits."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after each failed attempt, at most an hour."""
    delay: timedelta = BACKOFF_FIRST * 2 ** max(0, attempts - 1)
    return min(BACKOFF_CAP, delay)


@dataclass
class Dispatched:
    sent: Counter[str] = field(default_factory=Counter)
    """By kind: warning, due, breach, escalation, digest."""
    temporary: int = 0
    permanent: int = 0
    cancelled: int = 0
    deferred: int = 0
    """Moved to their next delivery window."""
    skipped: int = 0
    """Digests with nothing to say."""

    @property
    def total_sent(self) -> int:
        return sum(self.sent.values())
