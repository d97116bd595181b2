"""Errors a connector raises, translated at the boundary from httpx and JSON failures.

    ConnectorError              base; ``permanent`` says whether retrying can help
    ├── TransientError          worth retrying: the platform or the path to it hiccupped
    │   ├── UpstreamUnavailable 5xx answers, timeouts, refused or reset connections
    │   ├── RateLimited         429; ``retry_after`` holds the platform's wish
    │   └── BadResponse         truncated, non-JSON or wrongly shaped bodies
    └── PermanentError          retrying the same request cannot help
        ├── AuthenticationFailed  401/403: wrong API key or token
        └── ClientRequestError    any other 4xx

A source that hits a permanent error is reported failing; the connector itself refuses
further calls after an authentication failure until ``auth_backoff`` has passed, so a
wrong key never turns into a retry storm.
"""

from __future__ import annotations

from datetime import timedelta


class ConnectorError(Exception):
    permanent: bool = False

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code

    @property
    def kind(self) -> str:
        """A short stable name for logs and the sync's error record."""
        return type(self).__name__


class TransientError(ConnectorError):
    permanent = False


class UpstreamUnavailable(TransientError):
    pass


class RateLimited(TransientError):
    def __init__(self, message: str, *, retry_after: timedelta | None) -> None:
        super().__init__(message, status_code=429)
        self.retry_after = retry_after


class BadResponse(TransientError):
    pass


class PermanentError(ConnectorError):
    permanent = True


class AuthenticationFailed(PermanentError):
    def __init__(self, message: str, *, status_code: int | None, retry_at: float) -> None:
        super().__init__(message, status_code=status_code)
        # Epoch seconds before which the connector will not ask the platform again.
        self.retry_at = retry_at


class ClientRequestError(PermanentError):
    pass
