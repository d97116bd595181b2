"""The HTTP plumbing every connector shares: one JSON GET, its errors and its retries.

Library exceptions are translated here, at the boundary, into ``connectors.errors``;
nothing above this module sees an ``httpx`` exception.
"""

from __future__ import annotations

import email.utils
import json
import time
import urllib.parse
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx
import pydantic_core

from connectors.budget import RequestBudget
from connectors.errors import (
    AuthenticationFailed,
    BadResponse,
    ClientRequestError,
    RateLimited,
    UpstreamUnavailable,
)
from connectors.retry import RetryPolicy

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
"""Every outbound call has an explicit timeout; a client built by syncd uses this."""

AUTH_BACKOFF = timedelta(minutes=15)

DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024
"""The most of one response body read, counted after decompression. A listing page
of 1,000 complaints is about 1 MB; a body beyond this is a bad response (an endless
stream, a compression bomb), not data, and must not grow the process."""
ERROR_BODY_BYTES = 64 * 1024
"""The most of an error answer's body read, only to keep its connection."""
MAX_RESPONSE_SECONDS = 120.0
"""The longest one body may take to arrive, however slowly it trickles in: the
timeout between two reads alone would let a drip of one byte a minute go on."""
T = TypeVar("T")

ResponseObserver = Callable[[str], None]
"""Called once per HTTP exchange with the status code, or "error" when none came."""


def parse_retry_after(value: str | None, *, now: float) -> timedelta | None:
    """Retry-After as seconds or as an HTTP date, relative to ``now`` (epoch seconds)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(timedelta(0), when - datetime.fromtimestamp(now, UTC))


_INFLATE_STEP = 1024 * 1024
"""The most one step of decompression may produce: a compression bomb expands a
thousandfold, so one network read must not be inflated whole."""


def _tolerant_json(body: bytes | bytearray) -> Any:
    """A body the strict parser refused for its characters: invalid UTF-8 bytes and
    lone surrogates (``"\\ud800"``) become U+FFFD, so one bad character costs one
    character, not the whole page; anything else still fails."""
    parsed = json.loads(bytes(body).decode("utf-8", "replace"))
    return _without_surrogates(parsed)


def _without_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_surrogates(v) for v in value]
    return value


def _decoded(response: httpx.Response, limit: int) -> Iterator[bytes]:
    """The body's bytes as sent, decompressed a bounded step at a time.

    httpx inflates each network read whole, so 64 KiB of a gzip bomb become 64 MiB
    at once; gzip and deflate are inflated here instead, never more than a step and
    never past ``limit`` (the caller stops there). Any other encoding is left to
    httpx.
    """
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    if encoding in ("", "identity"):
        yield from response.iter_raw()
        return
    if encoding not in ("gzip", "x-gzip", "deflate"):
        # Asked for gzip or deflate only; layers ("gzip, gzip") or others would be
        # inflated by httpx one whole network read at a time.
        raise BadResponse(f"Content-Encoding {encoding[:40]!r} was not asked for")
    # 47: a gzip or zlib header, detected; deflate without one is tried after.
    inflater = zlib.decompressobj(47 if encoding != "deflate" else 15)
    produced = 0
    first = True
    for raw in response.iter_raw():
        pending = raw
        while pending and produced <= limit:
            try:
                out = inflater.decompress(pending, _INFLATE_STEP)
            except zlib.error as exc:
                if first and encoding == "deflate":
                    inflater = zlib.decompressobj(-15)  # raw deflate, as some servers send
                    first = False
                    continue
                raise BadResponse(f"body cannot be decompressed ({encoding}: {exc})") from exc
            first = False
            produced += len(out)
            pending = inflater.unconsumed_tail
            yield out
        if produced > limit:
            return


def _http_date_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when.timestamp()


@dataclass
class JsonGetter:
    """GETs JSON envelopes from one platform, with retries and error translation.

    Also remembers an authentication failure: until ``auth_backoff`` has passed it
    raises the same error again without asking the platform.
    """

    client: httpx.Client
    """Carries the platform's credential headers itself (see ``LaporConnector``)."""
    retry: RetryPolicy
    observe: ResponseObserver | None = None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    auth_backoff: timedelta = AUTH_BACKOFF
    budget: RequestBudget | None = None
    """The source's request budget; None: no limit (tests, the in-process simulator)."""
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    _auth_failure: AuthenticationFailed | None = None

    def get(
        self,
        url: str,
        params: Mapping[str, str | int] | None = None,
        *,
        shape: Callable[[Any], T],
        peek: Callable[[bytes | bytearray], None] | None = None,
    ) -> T:
        """A 2xx answer's JSON body as ``shape`` reads it, retrying what is worth it.

        ``shape`` raises ``BadResponse`` for a body of the wrong shape; that is
        retried like a broken body, since gateways answer 200 with odd things.
        ``peek`` sees each 2xx body before it is parsed (to read ahead on a hint).
        """
        self._refuse_while_auth_backoff()
        what = f"GET {url}"
        for attempt in self.retry.retrying(what=what, sleep=self.sleep):
            with attempt:
                return shape(self._get_once(url, params, peek))
        raise AssertionError("unreachable: tenacity reraises the last error")  # pragma: no cover

    def _absolute(self, path: str, params: Mapping[str, str | int] | None) -> str:
        # httpx merges a relative URL and its params at about 60 µs a request, an
        # absolute string at 25: at two requests per complaint, that shows.
        base = str(self.client.base_url).rstrip("/")
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        return f"{base}{path}{query}"

    def _refuse_while_auth_backoff(self) -> None:
        failure = self._auth_failure
        if failure is not None:
            if self.clock() < failure.retry_at:
                raise failure
            self._auth_failure = None

    def _get_once(
        self,
        url: str,
        params: Mapping[str, str | int] | None,
        peek: Callable[[bytes | bytearray], None] | None,
    ) -> Any:
        try:
            if self.budget is None:
                response, body = self._exchange(self._absolute(url, params))
            else:
                with self.budget.request():
                    response, body = self._exchange(self._absolute(url, params))
        except httpx.TimeoutException as exc:
            self._observe("error")
            raise UpstreamUnavailable(f"timed out: {exc!r}") from exc
        except (httpx.TransportError, httpx.DecodingError) as exc:
            # Connection refused or reset, and bodies cut short mid-transfer.
            self._observe("error")
            raise UpstreamUnavailable(f"transport failed: {exc!r}") from exc
        status = response.status_code
        self._observe(str(status))
        if status >= 400:
            self._raise_for_status(response)
        if not 200 <= status < 300 or status == 204:
            # A redirect is not followed (it could lead anywhere) and is no answer:
            # its body, however JSON-like, is not the platform's data.
            where = response.headers.get("Location", "")
            hint = ""
            if 300 <= status < 400:
                # http:// to https://, usually: say where, so base_url can be corrected.
                try:
                    target = httpx.URL(where[:200]).copy_with(query=None, fragment=None)
                except httpx.InvalidURL:
                    target = httpx.URL("")
                shown = f" to {target}" if str(target) else ""
                hint = f" (a redirect{shown}, not followed: correct base_url if it is right)"
            raise BadResponse(f"HTTP {status} is not an answer with data{hint}", status_code=status)
        if body is None:
            raise BadResponse(
                f"body larger than {self.max_response_bytes} bytes (after decompression), "
                f"or slower than {MAX_RESPONSE_SECONDS:.0f} s: not read",
                status_code=status,
            )
        if peek is not None:
            peek(body)
        try:
            # pydantic-core's parser: a third faster than json.loads on listing pages.
            return pydantic_core.from_json(body)
        except ValueError:
            pass
        try:
            return _tolerant_json(body)
        except ValueError as exc:
            # Where it broke and how long it was, never what it said: the body may be
            # a confidential complaint, and this message is logged and stored.
            looks = ", an HTML page" if body.lstrip()[:1] == b"<" else ""
            raise BadResponse(
                f"body of {len(body)} bytes is not JSON{looks} ({exc})", status_code=status
            ) from exc

    def _exchange(self, url: str) -> tuple[httpx.Response, bytearray | bytes | None]:
        """One request: the response, and its body unless it was too big or too slow.

        The body is streamed and read only up to the cap, so no answer can grow the
        process beyond it; an error status's body is not read at all (nothing in it
        is used).
        """
        with self.client.stream("GET", url) as response:
            if response.status_code >= 400:
                # Read a little (nothing in it is used) so that the connection can be
                # kept; an error page beyond that is dropped with the connection.
                drained = 0
                for chunk in response.iter_raw():
                    drained += len(chunk)
                    if drained > ERROR_BODY_BYTES:
                        break
                return response, b""
            limit = self.max_response_bytes
            declared = response.headers.get("Content-Length", "")
            if (
                declared.isdigit()
                and int(declared) > limit
                and not response.headers.get("Content-Encoding")
            ):
                return response, None
            deadline = time.monotonic() + MAX_RESPONSE_SECONDS
            # One growing buffer, parsed as it is: a list of chunks joined at the end
            # would hold every body twice at its largest.
            body = bytearray()
            for chunk in _decoded(response, limit):
                if len(body) + len(chunk) > limit or time.monotonic() > deadline:
                    return response, None
                body += chunk
            return response, body

    def _raise_for_status(self, response: httpx.Response) -> None:
        status = response.status_code
        reason = f"HTTP {status} from {response.request.url.copy_with(query=None)}"
        if status in (401, 403):
            failure = AuthenticationFailed(
                f"{reason}: the API key or token was refused; not retrying for "
                f"{self.auth_backoff} or until the configuration changes",
                status_code=status,
                retry_at=self.clock() + self.auth_backoff.total_seconds(),
            )
            self._auth_failure = failure
            raise failure
        if status == 429:
            # An HTTP-date is read against the server's own Date when it sends one,
            # so a server whose clock is off from ours still gets the wait it asked.
            server_now = _http_date_seconds(response.headers.get("Date"))
            retry_after = parse_retry_after(
                response.headers.get("Retry-After"),
                now=server_now if server_now is not None else self.clock(),
            )
            if self.budget is not None:
                self.budget.pause(retry_after)
            raise RateLimited(f"{reason}: rate limited", retry_after=retry_after)
        if status >= 500:
            raise UpstreamUnavailable(reason, status_code=status)
        raise ClientRequestError(reason, status_code=status)

    def _observe(self, code: str) -> None:
        if self.observe is not None:
            self.observe(code)
