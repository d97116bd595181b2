"""What every ``syncd run`` does first, leader or not: it takes SIGTERM and SIGINT as
the order to stop, and serves its metrics before any work begins."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from syncd.config import Config
from syncd.metrics import Metrics
from syncd.metrics.server import MetricsServer

log = logging.getLogger("syncd")


@contextmanager
def stopped_by_signals() -> Iterator[threading.Event]:
    """An event set by SIGTERM or SIGINT; the previous handlers come back at the end."""
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("stopping: signal=%s", signal.Signals(signum).name)
        stop.set()

    previous: dict[int, Callable[..., Any] | int | None] = {
        s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        yield stop
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def serve_metrics(config: Config, metrics: Metrics) -> MetricsServer:
    """The gauges rendered before the first scrape can come, and the port bound before
    any work begins: a port in use fails the start at once."""
    metrics.mirror.refresh()
    server = metrics.serve(config.metrics.host, config.metrics.port)
    log.info("metrics: listen=%s", config.metrics.listen)
    return server
