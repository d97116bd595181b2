"""Where the command line's logs go and how loud they are."""

from __future__ import annotations

import logging
import os

CHATTY_LOGGERS = ("httpx", "httpcore", "alembic", "apscheduler")


SYSLOG_PRIORITIES = {
    logging.DEBUG: 7,
    logging.INFO: 6,
    logging.WARNING: 4,
    logging.ERROR: 3,
    logging.CRITICAL: 2,
}
"""sd-daemon(3)'s ``<N>`` line prefixes: journald reads each line's priority from it,
so ``journalctl -u syncd -p warning`` shows the warnings and errors only."""


class JournalFormatter(logging.Formatter):
    """Each line prefixed with its syslog priority, for journald; no timestamp, since
    the journal stamps each line."""

    def format(self, record: logging.LogRecord) -> str:
        priority = SYSLOG_PRIORITIES.get(record.levelno, 6)
        text = super().format(record)
        # Every line of a multi-line record (a traceback) carries the priority.
        return "\n".join(f"<{priority}>{line}" for line in text.split("\n"))


def parse_level(name: str) -> int:
    """``debug``, ``info``, ``warning`` or ``error`` (any case) as a logging level;
    ``ValueError`` otherwise."""
    level = logging.getLevelName(name.upper())
    if not isinstance(level, int):
        raise ValueError(f"unknown log level {name!r}")
    return level


def configure_logging(level: int) -> None:
    """Log lines to stderr as ``level=… logger=… message``; under systemd
    (``JOURNAL_STREAM`` set) with a syslog priority prefix and without a timestamp."""
    fields = "level=%(levelname)s logger=%(name)s %(message)s"
    handler = logging.StreamHandler()
    if os.environ.get("JOURNAL_STREAM"):
        handler.setFormatter(JournalFormatter(fields))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s " + fields))
    logging.basicConfig(level=level, handlers=[handler])
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
