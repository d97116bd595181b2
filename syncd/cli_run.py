"""``syncd run``: the daemon in the foreground, until SIGTERM or SIGINT."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from syncd.cli_support import ConfigOption, console, load_or_exit, open_engine


def run(config: ConfigOption = None) -> None:
    """Run the service: sync every source, keep the clocks, send the mail, serve metrics."""
    from prometheus_client import CollectorRegistry

    from syncd.daemon import Daemon
    from syncd.metrics import Metrics

    loaded = load_or_exit(config)
    engine = open_engine(loaded)
    metrics = Metrics.from_config(loaded, engine, CollectorRegistry())
    daemon = Daemon(loaded, engine, metrics)
    stopping = threading.Event()

    def stop(signum: int, _frame: FrameType | None) -> None:
        logging.getLogger("syncd").info("stopping: signal=%s", signal.Signals(signum).name)
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    daemon.start()
    server = metrics.serve(loaded.metrics.host, loaded.metrics.port)
    logging.getLogger("syncd").info("metrics: listen=%s", loaded.metrics.listen)
    try:
        stopping.wait()
    finally:
        server.close()
        daemon.stop()
        engine.dispose()
    console.print("stopped")
