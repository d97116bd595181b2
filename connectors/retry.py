"""How a connector retries: one frozen policy, turned into a tenacity ``Retrying``.

Transient errors back off exponentially with full jitter; a 429 waits what the
platform asked for (capped) and does not use up the ordinary attempts, only the time
budget and its own larger allowance. Every retry is logged with what failed and how
long the wait is.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import tenacity

from connectors.errors import RateLimited, TransientError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 6
    """Tries of one request for 5xx, timeouts, resets and bad bodies."""
    rate_limited_attempts: int = 20
    """Tries of one request while the platform keeps answering 429."""
    max_elapsed: float = 300.0
    """Seconds one request may spend retrying, waits included."""
    initial_backoff: float = 0.5
    max_backoff: float = 30.0
    max_retry_after: float = 120.0
    """A Retry-After longer than this is cut to it."""

    def retrying(
        self, *, what: str, sleep: Callable[[float], None] = time.sleep
    ) -> tenacity.Retrying:
        """A tenacity ``Retrying`` for one request described by ``what``."""
        jitter = tenacity.wait_random_exponential(
            multiplier=self.initial_backoff, max=self.max_backoff
        )

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            if isinstance(exc, RateLimited) and exc.retry_after is not None:
                return min(max(exc.retry_after.total_seconds(), 0.0), self.max_retry_after)
            return float(jitter(state))

        failures = {"rate_limited": 0, "other": 0}  # this request's, by kind

        def stop(state: tenacity.RetryCallState) -> bool:
            exc = state.outcome.exception() if state.outcome else None
            if isinstance(exc, RateLimited):
                failures["rate_limited"] += 1
            else:
                failures["other"] += 1
            # idle_for counts the waits even when sleep is faked, so the budget holds
            # in tests as it does in production.
            spent = max(state.seconds_since_start or 0.0, state.idle_for)
            return (
                failures["other"] >= self.attempts
                or failures["rate_limited"] >= self.rate_limited_attempts
                or spent + state.upcoming_sleep > self.max_elapsed
            )

        def before_sleep(state: tenacity.RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            log.warning(
                "retrying %s: attempt=%d error=%s detail=%r wait=%.2fs",
                what,
                state.attempt_number,
                type(exc).__name__,
                str(exc),
                state.upcoming_sleep,
            )

        return tenacity.Retrying(
            retry=tenacity.retry_if_exception_type(TransientError),
            wait=wait,
            stop=stop,
            before_sleep=before_sleep,
            sleep=sleep,
            reraise=True,
        )
