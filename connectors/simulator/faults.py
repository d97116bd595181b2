"""The simulator's fault switches, and the seeded dice that decide each request."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, fields


@dataclass
class Faults:
    """What goes wrong, and how often. Rates are per request unless said otherwise.

    The switches can be changed while the server runs (tests turn mutations off to
    let the world settle); ``malformed_rate`` and ``vanish_rate`` belong to the world
    because they are properties of records, not of requests.
    """

    error_rate: float = 0.0
    """5xx answers, some with the gateway's HTML body."""
    rate_limit_rate: float = 0.0
    """Chance a request starts a burst of 1 to 3 answers of 429 with Retry-After."""
    latency: float = 0.0
    """Up to this many seconds of delay before each answer."""
    truncate_rate: float = 0.0
    """Bodies cut short: half of them mid-transfer, half as complete but broken JSON."""
    duplicate_rate: float = 0.0
    """Chance a listing page lists one of its complaints twice."""
    mutate_rate: float = 0.0
    """Chance a listing request first updates a few complaints (they move to the end)."""
    late_write_rate: float = 0.0
    """Chance a listing request first writes an update stamped minutes in the past."""
    late_write_max_seconds: int = 300
    api_key: str | None = None
    """When set, requests need this API key (Authorization or auth header) …"""
    token: str | None = None
    """… and this token."""

    @classmethod
    def everything(cls, rate: float = 0.05) -> Faults:
        """Every request-level fault switched on at ``rate``."""
        return cls(
            error_rate=rate,
            rate_limit_rate=rate,
            truncate_rate=rate,
            duplicate_rate=rate * 4,
            mutate_rate=rate * 4,
            late_write_rate=rate * 4,
        )

    def quiet(self) -> None:
        """Switch off the faults that change data, keep the ones that only hinder."""
        self.mutate_rate = 0.0
        self.late_write_rate = 0.0

    def describe(self) -> str:
        """The switches that are on, for a start-up line; never the credentials."""
        active = [
            f"{f.name}={getattr(self, f.name)}"
            for f in fields(self)
            if f.name.endswith(("_rate", "latency")) and getattr(self, f.name)
        ]
        if self.api_key is not None or self.token is not None:
            active.append("credentials required")
        return ", ".join(active) or "none"


class Dice:
    """Seeded, thread-safe decisions, so a faulty run can be replayed."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._burst = 0

    def roll(self, rate: float) -> bool:
        if rate <= 0:
            return False
        with self._lock:
            return self._rng.random() < rate

    def rate_limited(self, rate: float) -> bool:
        with self._lock:
            if self._burst > 0:
                self._burst -= 1
                return True
            if rate > 0 and self._rng.random() < rate:
                self._burst = self._rng.randint(0, 2)
                return True
            return False

    def uniform(self, low: float, high: float) -> float:
        with self._lock:
            return self._rng.uniform(low, high)

    def choice_index(self, n: int) -> int:
        with self._lock:
            return self._rng.randrange(n)

    def fork(self) -> random.Random:
        with self._lock:
            return random.Random(self._rng.random())
