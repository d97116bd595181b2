"""``syncd run``: the long-lived service (one scheduler in one process)."""

from syncd.daemon.service import Daemon

__all__ = ["Daemon"]
