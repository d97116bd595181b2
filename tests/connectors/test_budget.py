"""The request budget, on an injected clock: spacing, concurrency and the pause a 429
asks for; and the connector holding every request to it."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import httpx
import respx

from connectors.budget import RequestBudget
from connectors.retry import RetryPolicy
from connectors.sp4n_lapor import LaporConnector, LaporSettings, build_client
from tests.support.clocks import FakeClock


def starts(budget: RequestBudget, clock: FakeClock, n: int) -> list[float]:
    at = []
    for _ in range(n):
        with budget.request():
            at.append(clock.now)
    return at


def test_requests_are_spaced_so_no_second_sees_more_than_the_budget() -> None:
    clock = FakeClock(now=100.0)
    budget = RequestBudget(2.0, None, clock=clock, sleep=clock.sleep)
    at = starts(budget, clock, 9)
    assert at == [100.0 + 0.5 * i for i in range(9)]
    assert max(Counter(int(t) for t in at).values()) == 2


def test_a_pause_holds_every_later_request_until_it_has_passed() -> None:
    clock = FakeClock(now=0.0)
    budget = RequestBudget(10.0, None, clock=clock, sleep=clock.sleep)
    starts(budget, clock, 1)
    budget.pause(timedelta(seconds=30))
    assert starts(budget, clock, 2) == [30.0, 30.1]
    budget.pause(None)
    assert starts(budget, clock, 1)[0] >= 31.1


def test_no_more_than_max_concurrency_are_in_flight() -> None:
    budget = RequestBudget(None, 2)
    inside = threading.Semaphore(0)
    release = threading.Event()
    counts = {"now": 0, "most": 0}
    lock = threading.Lock()

    def work() -> None:
        with budget.request():
            with lock:
                counts["now"] += 1
                counts["most"] = max(counts["most"], counts["now"])
            inside.release()
            release.wait(10)
            with lock:
                counts["now"] -= 1

    threads = [threading.Thread(target=work) for _ in range(5)]
    for thread in threads:
        thread.start()
    assert inside.acquire(timeout=10) and inside.acquire(timeout=10)
    assert not inside.acquire(timeout=0.2), "a third request got in"
    release.set()
    for thread in threads:
        thread.join(10)
    assert counts["most"] == 2


@respx.mock
def test_a_429_pauses_the_whole_source_for_its_retry_after() -> None:
    clock = FakeClock(now=1000.0)
    settings = LaporSettings(
        base_url="http://lapor.test",
        api_key="k",
        token="{t}",
        max_requests_per_second=4.0,
        max_concurrency=2,
        retry=RetryPolicy(attempts=3, rate_limited_attempts=3),
    )
    connector = LaporConnector(settings, build_client(settings), sleep=clock.sleep, clock=clock)
    seen: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(clock.now)
        if len(seen) == 1:
            return httpx.Response(429, headers={"Retry-After": "20"})
        return httpx.Response(200, json={"success": True, "results": {"data": []}})

    respx.get("http://lapor.test/complaints").mock(side_effect=answer)
    assert connector.probe_listing() is True
    assert seen[0] == 1000.0
    assert seen[1] >= 1020.0, "the retry waited out the pause"
    connector.close()


@respx.mock
def test_a_gateway_without_a_listing_is_probed_as_such() -> None:
    settings = LaporSettings(base_url="http://lapor.test", api_key="k", token="t")
    connector = LaporConnector(settings, build_client(settings))
    respx.get("http://lapor.test/complaints").mock(
        return_value=httpx.Response(404, text="<html><body>Not Found</body></html>")
    )
    assert connector.probe_listing() is False
    connector.close()


def test_a_retry_after_of_years_pauses_the_source_no_longer_than_the_retries_wait() -> None:
    clock = FakeClock(now=0.0)
    budget = RequestBudget(10.0, None, clock=clock, sleep=clock.sleep)
    budget.pause(timedelta(days=365 * 30))
    assert starts(budget, clock, 1) == [120.0]
