"""The systemd notification protocol (``sd_notify``), spoken directly over its socket.

systemd passes ``NOTIFY_SOCKET`` (a path, or ``@name`` in the abstract namespace) to a
``Type=notify`` service; each datagram carries newline-separated ``KEY=value``
assignments: ``READY=1``, ``STATUS=…``, ``WATCHDOG=1``, ``STOPPING=1``. With
``WatchdogSec=``, systemd also passes ``WATCHDOG_USEC`` (and ``WATCHDOG_PID``), and
restarts the service when no ``WATCHDOG=1`` arrives within it. Outside systemd the
variables are absent and every call does nothing.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Mapping

log = logging.getLogger(__name__)


class Notifier:
    def __init__(self, environ: Mapping[str, str] = os.environ) -> None:
        address = environ.get("NOTIFY_SOCKET", "")
        if address.startswith("@"):
            address = "\0" + address[1:]
        self._address = address or None
        self.watchdog_seconds: float | None = None
        usec = environ.get("WATCHDOG_USEC", "")
        pid = environ.get("WATCHDOG_PID", "")
        if usec.isdigit() and int(usec) > 0 and (not pid or pid == str(os.getpid())):
            self.watchdog_seconds = int(usec) / 1_000_000

    @property
    def enabled(self) -> bool:
        return self._address is not None

    @property
    def ping_every(self) -> float | None:
        """Half the watchdog interval, as sd_watchdog_enabled(3) advises; None: no watchdog."""
        return None if self.watchdog_seconds is None else self.watchdog_seconds / 2

    def send(self, **assignments: str) -> None:
        if self._address is None:
            return
        message = "\n".join(f"{key}={value}" for key, value in assignments.items())
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                sock.connect(self._address)
                sock.sendall(message.encode())
        except OSError as exc:
            # systemd going away must not take the service down with it.
            log.warning("notify: could not reach systemd: %s", exc)

    def ready(self, status: str) -> None:
        self.send(READY="1", STATUS=_one_line(status))

    def status(self, status: str) -> None:
        self.send(STATUS=_one_line(status))

    def watchdog(self) -> None:
        self.send(WATCHDOG="1")

    def stopping(self) -> None:
        self.send(STOPPING="1", STATUS="stopping")


def _one_line(text: str) -> str:
    return " ".join(text.split())
