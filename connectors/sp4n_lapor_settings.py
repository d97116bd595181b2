"""How one SP4N-LAPOR! source is read: where, with which credentials, how much at
once, and the HTTP client sized for it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

import httpx

from connectors.http import DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT
from connectors.records import CanonicalStatus
from connectors.retry import RetryPolicy
from connectors.sp4n_lapor_wire import DEFAULT_STATUS_MAP

MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class LaporSettings:
    base_url: str
    api_key: str = field(repr=False)
    token: str = field(repr=False)
    auth_header: str = "Authorization"
    timezone: str = "Asia/Jakarta"
    page_size: int = 500
    lookback: timedelta = timedelta(minutes=10)
    """How far before the checkpoint each listing starts again, for late writes."""
    concurrency: int = 8
    """Complaints whose detail and followups are fetched at once."""
    status_map: Mapping[int, CanonicalStatus] = field(
        default_factory=lambda: dict(DEFAULT_STATUS_MAP)
    )
    """Status code to canonical status, for a status whose name is not known."""
    status_names: Mapping[str, CanonicalStatus] = field(default_factory=dict)
    """Status names (beyond the contract's table and "Dalam Proses") to canonical."""
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    max_requests_per_second: float | None = None
    """The whole source's budget toward the gateway; None: no limit."""
    max_concurrency: int | None = None
    """Requests in flight at once, whatever asks for them; None: no limit."""
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    """The most of one response body read (after decompression); more is a bad response."""

    def __post_init__(self) -> None:
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be 1..{MAX_PAGE_SIZE}, not {self.page_size}")
        if self.concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, not {self.concurrency}")
        ZoneInfo(self.timezone)  # fails early on a zone name that does not exist


def build_client(settings: LaporSettings, *, verify: bool = True) -> httpx.Client:
    """An ``httpx.Client`` sized for the connector: TLS verified, explicit timeouts."""
    return httpx.Client(
        base_url=settings.base_url,
        timeout=DEFAULT_TIMEOUT,
        verify=verify,
        limits=httpx.Limits(
            max_connections=settings.concurrency + 2,
            max_keepalive_connections=settings.concurrency + 2,
        ),
    )
