"""One request budget per source: every request toward the gateway (tracked checks,
the listing, institutions) waits its turn here.

Requests are spaced ``1 / max_requests_per_second`` apart, so no second ever sees
more than the budget, and at most ``max_concurrency`` are in flight at once. A 429
pauses the whole source for its ``Retry-After``: the gateway said so for the
credential, not for the one request that heard it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

DEFAULT_PAUSE = timedelta(seconds=1)
"""How long a 429 without a usable ``Retry-After`` pauses the source."""
MAX_PAUSE = timedelta(minutes=2)
"""The longest pause a 429 can ask for: the retry policy waits no longer either
(``RetryPolicy.max_retry_after``), and a gateway's ``Retry-After: 999999999`` must not
silence the source for good."""


class RequestBudget:
    def __init__(
        self,
        max_requests_per_second: float | None,
        max_concurrency: int | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_requests_per_second is not None and max_requests_per_second <= 0:
            raise ValueError("max_requests_per_second must be above 0")
        if max_concurrency is not None and max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self.spacing = 1.0 / max_requests_per_second if max_requests_per_second else 0.0
        self.max_concurrency = max_concurrency
        self._slots = threading.BoundedSemaphore(max_concurrency) if max_concurrency else None
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_start = 0.0
        self._paused_until = 0.0

    @contextmanager
    def request(self) -> Iterator[None]:
        """Holds one request's place: a free slot, then its turn in time."""
        if self._slots is not None:
            self._slots.acquire()
        try:
            self._wait_turn()
            yield
        finally:
            if self._slots is not None:
                self._slots.release()

    def pause(self, retry_after: timedelta | None) -> None:
        """No request of this source starts before ``retry_after`` has passed."""
        asked = retry_after if retry_after is not None else DEFAULT_PAUSE
        wait = min(max(asked, timedelta(0)), MAX_PAUSE).total_seconds()
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + wait)

    def _wait_turn(self) -> None:
        with self._lock:
            now = self._clock()
            start = max(now, self._next_start, self._paused_until)
            self._next_start = start + self.spacing
        if start > now:
            self._sleep(start - now)
