"""``syncd clocks show`` and ``syncd clocks recompute`` as an operator runs them."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.simulator import Simulator, World, WorldSettings
from syncd.cli import app
from tests.support.clocks import FakeClock

pytestmark = pytest.mark.integration

ENV = {"SYNCD_SOURCES_LAPOR_API_KEY": "k", "SYNCD_SOURCES_LAPOR_TOKEN": "t", "COLUMNS": "200"}


@pytest.fixture
def config(tmp_path: Path) -> Path:
    world = World.generate(WorldSettings(complaints=300, seed=17), clock=FakeClock(1_795_000_000))
    path = tmp_path / "syncd.toml"
    with Simulator(world) as sim:
        path.write_text(
            f'[database]\nurl = "sqlite:///{tmp_path / "m.db"}"\n'
            f'[[sources]]\nname = "lapor"\nkind = "sp4n-lapor"\nbase_url = "{sim.base_url}"\n'
            "max_requests_per_second = 10000\nmax_concurrency = 16\n"
        )
        synced = CliRunner().invoke(app, ["sync", "-c", str(path)], env=ENV)
    assert synced.exit_code == 0, synced.output
    return path


def test_show_prints_a_complaints_clocks_and_history(config: Path) -> None:
    shown = CliRunner().invoke(app, ["clocks", "show", "LAP001000010", "-c", str(config)], env=ENV)
    assert shown.exit_code == 0, shown.output
    assert "verification" in shown.output
    assert "WIB" in shown.output
    assert "history" in shown.output


def test_show_names_a_complaint_it_does_not_have(config: Path) -> None:
    shown = CliRunner().invoke(app, ["clocks", "show", "NOPE", "-c", str(config)], env=ENV)
    assert shown.exit_code == 1
    assert "no complaint 'NOPE'" in shown.output


def test_recompute_dry_run_shows_moves_and_changes_nothing(config: Path) -> None:
    text = config.read_text() + "[clocks.followup]\nworking_days = 6\n"
    config.write_text(text)
    runner = CliRunner()
    dry = runner.invoke(app, ["clocks", "recompute", "--dry-run", "-c", str(config)], env=ENV)
    assert dry.exit_code == 0, dry.output
    assert "would move" in dry.output
    assert "followup" in dry.output
    again = runner.invoke(app, ["clocks", "recompute", "--dry-run", "-c", str(config)], env=ENV)
    assert again.output.splitlines()[-1] == dry.output.splitlines()[-1]
    applied = runner.invoke(app, ["clocks", "recompute", "-c", str(config)], env=ENV)
    assert applied.exit_code == 0
    after = runner.invoke(app, ["clocks", "recompute", "--dry-run", "-c", str(config)], env=ENV)
    assert "0 due dates would move" in after.output
