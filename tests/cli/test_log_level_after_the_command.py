"""``--log-level`` after the command's name as well as before it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from syncd.cli.group import hoist_log_level
from tests.support.processes import run_syncd


@pytest.mark.parametrize(
    ("given", "parsed"),
    [
        (["sync", "-c", "F", "--log-level", "debug"], ["--log-level", "debug", "sync", "-c", "F"]),
        (["sync", "--log-level=debug"], ["--log-level=debug", "sync"]),
        (
            ["--log-level", "error", "clocks", "show", "X", "--log-level", "debug"],
            ["--log-level", "error", "--log-level", "debug", "clocks", "show", "X"],
        ),
        (["track", "add", "--", "--log-level", "1"], ["track", "add", "--", "--log-level", "1"]),
        (["--version"], ["--version"]),
    ],
)
def test_it_moves_the_option_before_the_commands_name(given: list[str], parsed: list[str]) -> None:
    assert hoist_log_level(given) == parsed


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "syncd.toml"
    path.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "m.db"}"\n'
        '[[sources]]\nname = "sim"\nkind = "simulator"\ncomplaints = 20\n'
    )
    return path


def debug_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "level=DEBUG" in line]


@pytest.mark.integration
def test_sync_takes_the_level_after_its_name_over_the_environment(config: Path) -> None:
    env = {**os.environ, "SYNCD_LOG_LEVEL": "warning"}

    quiet = run_syncd("sync", "-c", str(config), env=env)
    loud = run_syncd("sync", "-c", str(config), "--log-level", "debug", env=env)

    assert quiet.returncode == loud.returncode == 0, loud.stderr
    assert debug_lines(quiet.stderr) == []
    assert debug_lines(loud.stderr), loud.stderr


@pytest.mark.integration
def test_an_unknown_level_after_the_name_is_a_usage_error(config: Path) -> None:
    wrong = run_syncd("sync", "-c", str(config), "--log-level", "loud")

    assert wrong.returncode == 2
    assert "unknown log level 'loud'" in wrong.stderr
