"""How the connector meets a failing platform: retries, rate limits, refusals.

respx stands in for the platform here, to reach edge cases exactly; the loopback
integration tests run the same connector against the real simulator.
"""

from __future__ import annotations

from datetime import timedelta
from email.utils import formatdate

import httpx
import pytest
import respx

from connectors.errors import (
    AuthenticationFailed,
    BadResponse,
    ClientRequestError,
    RateLimited,
    UpstreamUnavailable,
)
from connectors.retry import RetryPolicy
from connectors.sp4n_lapor import LaporConnector, LaporSettings
from tests.connectors.fake_upstream import BASE, envelope, fake_connector, summary
from tests.support.clocks import FakeClock

LISTING = f"{BASE}/complaints"
OK = httpx.Response(200, json=envelope({"data": [summary(1)], "next_page_url": None}))
GATEWAY_PAGE = "<html><body><h1>502 Bad Gateway</h1></body></html>"


def connector(clock: FakeClock, **settings: object) -> LaporConnector:
    return fake_connector(clock, **{**{"api_key": "key-123", "token": "tok-456"}, **settings})


def listed_ids(c: LaporConnector) -> list[int]:
    return [s.id for page in c.list_changes(None) for s in page.summaries]


@respx.mock
def test_it_sends_the_api_key_and_the_token(clock: FakeClock) -> None:
    route = respx.get(LISTING).mock(return_value=OK)
    listed_ids(connector(clock))
    sent = route.calls.last.request.headers
    assert sent["Authorization"] == "Bearer key-123"
    assert sent["token"] == "tok-456"


@respx.mock
def test_it_sends_the_api_key_under_a_configured_header(clock: FakeClock) -> None:
    route = respx.get(LISTING).mock(return_value=OK)
    listed_ids(connector(clock, auth_header="auth"))
    sent = route.calls.last.request.headers
    assert sent["auth"] == "Bearer key-123"
    assert "Authorization" not in sent


@respx.mock
def test_it_retries_5xx_with_jittered_exponential_backoff(clock: FakeClock) -> None:
    route = respx.get(LISTING).mock(
        side_effect=[
            httpx.Response(502, text=GATEWAY_PAGE, headers={"Content-Type": "text/html"}),
            httpx.Response(503),
            httpx.Response(500),
            OK,
        ]
    )
    policy = RetryPolicy(initial_backoff=1.0, max_backoff=30.0)
    assert listed_ids(connector(clock, retry=policy)) == [1]
    assert route.call_count == 4
    assert len(clock.slept) == 3
    # Full jitter: the nth wait is drawn from [0, initial * 2**n].
    for n, waited in enumerate(clock.slept, start=1):
        assert 0 <= waited <= 2**n


@respx.mock
def test_it_gives_up_after_the_configured_attempts(clock: FakeClock) -> None:
    route = respx.get(LISTING).mock(return_value=httpx.Response(503))
    with pytest.raises(UpstreamUnavailable, match="HTTP 503"):
        listed_ids(connector(clock, retry=RetryPolicy(attempts=4)))
    assert route.call_count == 4


@respx.mock
def test_it_retries_timeouts_resets_and_cut_transfers(clock: FakeClock) -> None:
    route = respx.get(LISTING).mock(
        side_effect=[
            httpx.ConnectTimeout("connect timed out"),
            httpx.ReadTimeout("read timed out"),
            httpx.ReadError("connection reset by peer"),
            httpx.RemoteProtocolError("peer closed connection without sending complete body"),
            OK,
        ]
    )
    assert listed_ids(connector(clock)) == [1]
    assert route.call_count == 5


@respx.mock
def test_it_retries_bodies_that_are_not_json_or_not_an_envelope(clock: FakeClock) -> None:
    route = respx.get(LISTING).mock(
        side_effect=[
            httpx.Response(200, text=GATEWAY_PAGE),
            httpx.Response(200, text='{"success":true,"results":{"data":[{"id":1,'),
            httpx.Response(200, json=["not", "an", "envelope"]),
            httpx.Response(200, json={"success": True, "results": {"data": "nope"}}),
            httpx.Response(200, json={"success": False, "message": "Gateway busy"}),
            OK,
        ]
    )
    assert listed_ids(connector(clock, retry=RetryPolicy(attempts=10))) == [1]
    assert route.call_count == 6


@respx.mock
def test_a_body_that_stays_broken_fails_with_a_clear_error(clock: FakeClock) -> None:
    respx.get(LISTING).mock(return_value=httpx.Response(200, text=GATEWAY_PAGE))
    # Said without quoting the body: a body can be a confidential complaint.
    with pytest.raises(BadResponse, match=r"not JSON, an HTML page") as raised:
        listed_ids(connector(clock, retry=RetryPolicy(attempts=2)))
    assert "<html>" not in str(raised.value)


@respx.mock
def test_it_waits_what_retry_after_asks_in_seconds_or_as_a_date(clock: FakeClock) -> None:
    in_twelve_seconds = formatdate(clock.now + 12, usegmt=True)
    respx.get(LISTING).mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "7"}),
            # The first wait moved the clock on by 7 s, so the date is 5 s away by then.
            httpx.Response(429, headers={"Retry-After": in_twelve_seconds}),
            OK,
        ]
    )
    assert listed_ids(connector(clock)) == [1]
    assert clock.slept == [7, 5]


@respx.mock
def test_rate_limits_do_not_use_up_the_ordinary_attempts(clock: FakeClock) -> None:
    route = respx.get(LISTING).mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "1"})] * 6 + [OK]
    )
    assert listed_ids(connector(clock, retry=RetryPolicy(attempts=2))) == [1]
    assert route.call_count == 7


@respx.mock
def test_endless_rate_limiting_ends_in_a_rate_limited_error(clock: FakeClock) -> None:
    respx.get(LISTING).mock(return_value=httpx.Response(429, headers={"Retry-After": "1"}))
    with pytest.raises(RateLimited):
        listed_ids(connector(clock, retry=RetryPolicy(rate_limited_attempts=5)))
    assert clock.slept == [1, 1, 1, 1]


@respx.mock
def test_an_outrageous_retry_after_is_capped(clock: FakeClock) -> None:
    respx.get(LISTING).mock(side_effect=[httpx.Response(429, headers={"Retry-After": "86400"}), OK])
    listed_ids(connector(clock, retry=RetryPolicy(max_retry_after=60, max_elapsed=600)))
    assert clock.slept == [60]


@respx.mock
def test_retrying_stops_within_the_time_budget(clock: FakeClock) -> None:
    respx.get(LISTING).mock(return_value=httpx.Response(503))
    policy = RetryPolicy(attempts=1000, max_elapsed=20, initial_backoff=2, max_backoff=8)
    with pytest.raises(UpstreamUnavailable):
        listed_ids(connector(clock, retry=policy))
    assert 0 < sum(clock.slept) <= 20


@respx.mock
@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_fail_at_once_then_rest_for_15_minutes(
    clock: FakeClock, status: int
) -> None:
    route = respx.get(LISTING).mock(return_value=httpx.Response(status))
    c = connector(clock)
    with pytest.raises(AuthenticationFailed) as refused:
        listed_ids(c)
    assert refused.value.permanent
    assert route.call_count == 1
    assert clock.slept == []

    clock.advance(timedelta(minutes=14, seconds=59).total_seconds())
    with pytest.raises(AuthenticationFailed):
        listed_ids(c)
    assert route.call_count == 1, "no request while the source rests"

    clock.advance(2)
    route.mock(return_value=OK)
    assert listed_ids(c) == [1]
    assert route.call_count == 2


@respx.mock
def test_a_refusal_never_shows_the_secrets(clock: FakeClock) -> None:
    respx.get(LISTING).mock(return_value=httpx.Response(401))
    with pytest.raises(AuthenticationFailed) as refused:
        listed_ids(connector(clock))
    assert "key-123" not in str(refused.value)
    assert "tok-456" not in str(refused.value)
    assert "key-123" not in repr(LaporSettings(base_url=BASE, api_key="key-123", token="t"))


@respx.mock
def test_other_client_errors_are_permanent_and_not_retried(clock: FakeClock) -> None:
    route = respx.get(LISTING).mock(return_value=httpx.Response(400))
    with pytest.raises(ClientRequestError) as failed:
        listed_ids(connector(clock))
    assert failed.value.permanent
    assert route.call_count == 1


@respx.mock
def test_every_answer_is_reported_to_the_observer(clock: FakeClock) -> None:
    respx.get(LISTING).mock(side_effect=[httpx.ConnectError("refused"), httpx.Response(502), OK])
    seen: list[str] = []
    c = LaporConnector(
        LaporSettings(base_url=BASE, api_key="k", token="t"),
        httpx.Client(base_url=BASE),
        observe=seen.append,
        sleep=clock.sleep,
        clock=clock,
    )
    listed_ids(c)
    assert seen == ["error", "502", "200"]


def test_settings_refuse_impossible_values() -> None:
    with pytest.raises(ValueError, match="page_size"):
        LaporSettings(base_url=BASE, api_key="k", token="t", page_size=5000)
    with pytest.raises(ValueError, match="concurrency"):
        LaporSettings(base_url=BASE, api_key="k", token="t", concurrency=0)
    with pytest.raises(Exception, match="Mars/Olympus"):
        LaporSettings(base_url=BASE, api_key="k", token="t", timezone="Mars/Olympus")


@respx.mock
def test_a_retry_after_date_is_read_against_the_servers_own_clock(clock: FakeClock) -> None:
    server_now = clock.now + 4 * 86400  # the platform's clock runs four days ahead
    respx.get(LISTING).mock(
        side_effect=[
            httpx.Response(
                429,
                headers={
                    "Retry-After": formatdate(server_now + 3, usegmt=True),
                    "Date": formatdate(server_now, usegmt=True),
                },
            ),
            OK,
        ]
    )
    assert listed_ids(connector(clock)) == [1]
    assert clock.slept == [3]
