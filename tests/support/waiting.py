"""Waiting for another process (a server, a daemon) to get somewhere, without a fixed
sleep: poll until it is there or a deadline passes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx


def wait_for(what: str, ready: Callable[[], bool], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while time.monotonic() < deadline:
        try:
            if ready():
                return
        except httpx.HTTPError:
            pass  # not listening yet
        pause.wait(0.2)
    raise AssertionError(f"{what}: not ready within {timeout:.0f} s")
