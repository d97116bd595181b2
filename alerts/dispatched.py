"""What one run of the dispatcher did, how long a failed delivery waits, and how a
mail that could not be composed is described."""

from __future__ import annotations

import traceback
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)
COMPOSE_ATTEMPTS = 5
"""A mail whose composition raises is tried this many times in all (1, 2, 4, 8
minutes apart), then recorded ``failed``: the error is the code's or the data's, and
retrying forever would only repeat it."""
_ROOT = Path(__file__).resolve().parents[1]
_OURS = ("alerts", "syncd", "connectors")


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after each failed attempt, at most an hour."""
    delay: timedelta = BACKOFF_FIRST * 2 ** max(0, attempts - 1)
    return min(BACKOFF_CAP, delay)


@dataclass
class Dispatched:
    sent: Counter[str] = field(default_factory=Counter)
    """By kind: warning, due, breach, escalation, digest, summary, report."""
    temporary: int = 0
    permanent: int = 0
    cancelled: int = 0
    deferred: int = 0
    """Moved to their next delivery window."""
    skipped: int = 0
    """Digests with nothing to say."""
    compose_failures: int = 0
    """Mails whose composition raised (a template or facts error): retried, then failed."""
    folded: int = 0
    """Alerts over their recipient's daily cap, folded into a summary mail."""
    unconfirmed_window: float = 0.0
    """The longest time (s) from a claim confirmed to the server's acceptance: the only
    window in which a new leader could send the same mail (with standbys)."""

    @property
    def total_sent(self) -> int:
        return sum(self.sent.values())


def where_it_failed(error: BaseException) -> str:
    """The error's type, the innermost line of syncd's own code it came through, and
    of a template if one was rendering: ``OverflowError at alerts/compose.py:101
    (template alerts/templates/id/alert.txt:21)``. Never its message, which may quote
    a complaint's text (a confidential one's among them)."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f"{path}:{frame.lineno}" for frame in frames if (path := _own_path(frame.filename))]
    if not ours:
        return type(error).__name__
    where = f"{type(error).__name__} at {ours[-1]}"
    templates = [place for place in ours if place.startswith("alerts/templates/")]
    if templates and templates[-1] != ours[-1]:
        where += f" (template {templates[-1]})"
    return where


def frames_of(error: BaseException) -> str:
    """The traceback's frames (code and template lines), without the message."""
    return "".join(traceback.format_list(traceback.extract_tb(error.__traceback__)))


def _own_path(filename: str) -> str | None:
    try:
        relative = Path(filename).resolve().relative_to(_ROOT)
    except ValueError:
        return None
    return relative.as_posix() if relative.parts[0] in _OURS else None
