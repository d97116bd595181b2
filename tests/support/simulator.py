"""Connectors against the built-in simulator over loopback, closed after each test
(the ``connectors`` fixture), with an injected clock and sleep."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.retry import RetryPolicy
from connectors.simulator import Simulator
from connectors.sp4n_lapor import LaporConnector, LaporSettings, build_client
from tests.support.clocks import FollowingClock

START = 1_795_000_000
SOURCE = "lapor"


@pytest.fixture
def connectors() -> Iterator[list[LaporConnector]]:
    opened: list[LaporConnector] = []
    yield opened
    for connector in opened:
        connector.close()


def connect(
    sim: Simulator, opened: list[LaporConnector], *, real_time: bool = False, **settings: object
) -> LaporConnector:
    """A connector to ``sim``, closed after the test. Its waits (retries, the request
    budget) pass on an injected clock, unless ``real_time``: a test of what the
    simulator sees per second needs the real one."""
    merged: dict[str, object] = {
        "base_url": sim.base_url,
        "api_key": "k",
        "token": "t",
        "page_size": 200,
        "retry": RetryPolicy(attempts=12, rate_limited_attempts=40),
    }
    merged.update(settings)
    built = LaporSettings(**merged)  # type: ignore[arg-type]
    if real_time:
        connector = LaporConnector(built, build_client(built))
    else:
        recorder = FollowingClock(sim.world.now)
        connector = LaporConnector(built, build_client(built), sleep=recorder.sleep, clock=recorder)
    opened.append(connector)
    return connector
