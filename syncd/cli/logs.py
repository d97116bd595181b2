"""Where the command line's logs go and how loud they are."""

from __future__ import annotations

import logging
import os

CHATTY_LOGGERS = ("httpx", "httpcore", "alembic", "apscheduler")


def configure_logging(level: int) -> None:
    """Log lines to stderr as ``level=… logger=… message``; under systemd
    (``JOURNAL_STREAM`` set) without a timestamp, since the journal stamps each line."""
    stamp = "" if os.environ.get("JOURNAL_STREAM") else "%(asctime)s "
    logging.basicConfig(
        level=level,
        format=stamp + "level=%(levelname)s logger=%(name)s %(message)s",
    )
    if level > logging.DEBUG:
        # One line per HTTP request, migration step or job run is noise below debug;
        # the connector logs every retry and failure itself, the daemon every job
        # that fails or is missed.
        for chatty in CHATTY_LOGGERS:
            logging.getLogger(chatty).setLevel(logging.WARNING)
        # The daemon logs a failing job in one line; the traceback goes to debug.
        logging.getLogger("apscheduler.executors").setLevel(logging.CRITICAL)
        # A job still running at its next time is skipped by design (coalescing): the
        # scheduler's warning about it would come every minute of a long pass.
        logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
