"""Log lines under systemd carry their syslog priority, so ``journalctl -p warning``
shows the warnings; the level also comes from ``SYNCD_LOG_LEVEL``."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import pytest

from syncd.cli.logs import JournalFormatter
from tests.support.processes import run_syncd


def record(level: int, message: str) -> logging.LogRecord:
    return logging.LogRecord("syncd.test", level, __file__, 1, message, None, None)


@pytest.mark.parametrize(
    ("level", "priority"),
    [(logging.DEBUG, 7), (logging.INFO, 6), (logging.WARNING, 4), (logging.ERROR, 3)],
)
def test_each_line_carries_the_priority_of_its_level(level: int, priority: int) -> None:
    line = JournalFormatter("level=%(levelname)s %(message)s").format(record(level, "a\nb"))
    assert line.split("\n") == [
        f"<{priority}>level={logging.getLevelName(level)} a",
        f"<{priority}>b",
    ]


@pytest.mark.integration
def test_under_systemd_every_line_has_a_priority_and_the_level_comes_from_the_environment(
    tmp_path: Path,
) -> None:
    config = tmp_path / "syncd.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "m.db"}"\n'
        '[[sources]]\nname = "sim"\nkind = "simulator"\ncomplaints = 20\n'
    )
    env = {**os.environ, "JOURNAL_STREAM": "8:12345", "SYNCD_LOG_LEVEL": "debug"}
    synced = run_syncd("sync", "-c", str(config), env=env)
    assert synced.returncode == 0, synced.stderr
    lines = [line for line in synced.stderr.splitlines() if "level=" in line]
    assert lines, synced.stderr
    assert any(line.startswith("<7>level=DEBUG") for line in lines), "debug from the environment"
    for line in lines:
        match = re.match(r"<(\d)>level=(\w+) ", line)
        assert match is not None, line
        assert int(match[1]) == {"DEBUG": 7, "INFO": 6, "WARNING": 4, "ERROR": 3}[match[2]]
