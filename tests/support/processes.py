"""Running the installed ``syncd`` command as another process, as an operator would."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

SYNCD = str(Path(sys.executable).parent / "syncd")
"""The console script of the environment running the tests."""


def syncd_command(*args: str) -> list[str]:
    return [SYNCD, *args]


def run_syncd(*args: str, **options: Any) -> subprocess.CompletedProcess[str]:
    """``syncd ARGS`` to its end, its output captured as text."""
    options.setdefault("capture_output", True)
    options.setdefault("text", True)
    options.setdefault("check", False)
    return subprocess.run(syncd_command(*args), **options)  # noqa: PLW1510


def start_syncd(*args: str, **options: Any) -> subprocess.Popen[bytes]:
    """``syncd ARGS`` started in the background."""
    return subprocess.Popen(syncd_command(*args), **options)


@contextmanager
def running(
    command: list[str], log: Path, *, stdout_to_log: bool = True, stop_within: float = 30
) -> Iterator[subprocess.Popen[bytes]]:
    """A server process for the length of the block, its output in ``log``; stopped
    with SIGTERM (as systemd does) at the end."""
    with log.open("wb") as out:
        stdout: int | IO[bytes] = out if stdout_to_log else subprocess.DEVNULL
        process = subprocess.Popen(command, stdout=stdout, stderr=out)
        try:
            yield process
        finally:
            process.terminate()
            process.wait(timeout=stop_within)
