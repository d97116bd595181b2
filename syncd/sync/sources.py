"""Turns a configured source into a connector, starting the built-in simulator if asked."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from connectors.http import ResponseObserver
from connectors.simulator import Simulator, World, WorldSettings
from connectors.sp4n_lapor import LaporConnector, LaporSettings, build_client
from syncd.config import SourceConfig

SIMULATOR_CREDENTIAL = "simulator"


class SourceUnusable(Exception):
    """The source's configuration cannot make a connector (a missing secret, say)."""


def lapor_settings(source: SourceConfig, base_url: str) -> LaporSettings:
    return LaporSettings(
        base_url=base_url,
        api_key=source.api_key or SIMULATOR_CREDENTIAL,
        token=source.token or SIMULATOR_CREDENTIAL,
        auth_header=source.auth_header,
        timezone=source.timezone,
        page_size=source.page_size,
        lookback=source.lookback,
        concurrency=source.concurrency,
        status_map=dict(source.status_names),
    )


def simulated_world(source: SourceConfig, clock: Callable[[], float] = time.time) -> World:
    """The simulator's world for a source of kind "simulator".

    Anchored at today's midnight UTC, so that separate ``syncd sync`` runs on one day
    see one world progressing, not a new world each time.
    """
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    settings = WorldSettings(complaints=source.complaints, seed=source.seed)
    return World.generate(settings, clock=clock, start=int(midnight.timestamp()))


@contextmanager
def open_connector(
    source: SourceConfig, *, observe: ResponseObserver | None = None
) -> Iterator[LaporConnector]:
    """A connector for the source, closed (and its simulator stopped) on exit."""
    simulator: Simulator | None = None
    if source.kind == "simulator":
        simulator = Simulator(simulated_world(source)).start()
        base_url = simulator.base_url
    else:
        if not source.base_url:
            raise SourceUnusable(f"source {source.name!r}: base_url is not set")
        if not source.api_key or not source.token:
            raise SourceUnusable(
                f"source {source.name!r}: the API key and token are required "
                "(api_key_file/token_file, or the SYNCD_SOURCES_* environment variables)"
            )
        base_url = source.base_url
    settings = lapor_settings(source, base_url)
    connector = LaporConnector(
        settings, build_client(settings, verify=source.verify_tls), observe=observe
    )
    try:
        yield connector
    finally:
        connector.close()
        if simulator is not None:
            simulator.stop()
