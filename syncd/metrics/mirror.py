"""The gauges that describe the mirror, read from the running totals, never the mirror.

``MirrorCollector.refresh`` reads a snapshot (``syncd.metrics.snapshot``) and renders
it once (``syncd.metrics.families``); a scrape then costs the same with ten
complaints or ten million. The daemon refreshes after every tick and sync pass.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from prometheus_client.core import Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector
from sqlalchemy import Engine

from syncd.metrics.families import families
from syncd.metrics.snapshot import MirrorSettings, MirrorSnapshot, read_snapshot


class MirrorCollector(Collector):
    """Serves the last refreshed snapshot; ``rendered`` is its text exposition."""

    def __init__(
        self,
        engine: Engine,
        settings: MirrorSettings,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.clock = clock
        self._lock = threading.Lock()
        self._families: list[Metric] = []
        self.rendered = b""
        self.snapshot: MirrorSnapshot | None = None

    def refresh(self) -> MirrorSnapshot:
        with self.engine.connect() as connection:
            snapshot = read_snapshot(connection, self.settings, self.clock())
        built = families(snapshot, self.settings.bands)
        rendered = generate_latest(_Fixed(built))
        with self._lock:
            self._families, self.rendered, self.snapshot = built, rendered, snapshot
        return snapshot

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            return iter(list(self._families))


@dataclass(frozen=True)
class _Fixed:
    """Metric families already built, in the shape ``generate_latest`` reads."""

    built: Iterable[Metric]

    def collect(self) -> Iterable[Metric]:
        return self.built
