"""``syncd track add``, ``import``, ``list`` and ``remove`` on a configured mirror."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from syncd.cli import app

WIDE = {"COLUMNS": "200"}


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "syncd.toml"
    path.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "syncd.db"}"\n\n'
        '[[sources]]\nname = "lapor"\nkind = "simulator"\n',
        encoding="utf-8",
    )
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=WIDE)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def listed(config: Path) -> list[dict[str, object]]:
    """``track list --json``, read from stdout alone (the schema note goes to stderr)."""
    result = CliRunner().invoke(app, ["track", "list", "-c", str(config), "--json"], env=WIDE)
    assert result.exit_code == 0, result.output
    entries: list[dict[str, object]] = json.loads(result.stdout)
    return entries


def test_add_says_which_ids_were_new(config: Path) -> None:
    code, out = run("track", "add", "-c", str(config), "1000001", "#1000002")
    assert code == 0, out
    assert "2 newly tracked: 1000001, 1000002" in out
    code, out = run("track", "add", "-c", str(config), "#1000002", "1000003")
    assert "1 newly tracked: 1000003" in out
    assert "1 tracked already: 1000002" in out


def test_a_bad_id_is_a_usage_error_and_adds_nothing(config: Path) -> None:
    code, out = run("track", "add", "-c", str(config), "1000001", "LAP1")
    assert code == 2
    assert "'LAP1' is not a complaint id" in out
    code, out = run("track", "list", "-c", str(config))
    assert "no complaint is tracked" in out


def test_import_summarises_added_already_tracked_and_rejected_rows(
    config: Path, tmp_path: Path
) -> None:
    run("track", "add", "-c", str(config), "1000001")
    recap = tmp_path / "rekap.csv"
    recap.write_text("No;ID Laporan\n1;#1000001\n2;1000002\n3;LAP9\n4;1000003\n", "utf-8")
    code, out = run("track", "import", "-c", str(config), str(recap))
    assert code == 0, out
    assert "column 'ID Laporan'" in out
    assert "2 added, 1 tracked already, 1 rejected" in out
    assert "row 4: 'LAP9' is not a complaint id" in out
    entries = listed(config)
    assert [(e["upstream_id"], e["origin"], e["origin_row"]) for e in entries] == [
        (1000001, "cli", None),
        (1000002, "import", 3),
        (1000003, "import", 5),
    ]


def test_an_unreadable_import_exits_1_and_adds_nothing(config: Path, tmp_path: Path) -> None:
    recap = tmp_path / "rekap.csv"
    recap.write_text("Judul\nJalan rusak\n", "utf-8")
    code, out = run("track", "import", "-c", str(config), str(recap))
    assert code == 1
    assert "--column" in out
    assert listed(config) == []


def test_remove_keeps_what_it_does_not_know(config: Path) -> None:
    run("track", "add", "-c", str(config), "1000001", "1000002")
    code, out = run("track", "remove", "-c", str(config), "1000002", "999")
    assert code == 0
    assert "1 no longer tracked: 1000002" in out
    assert "1 were not tracked: 999" in out
    code, out = run("track", "list", "-c", str(config))
    assert "1000001" in out and "1000002" not in out


def test_an_unknown_source_is_a_usage_error(config: Path) -> None:
    code, out = run("track", "add", "-c", str(config), "--source", "nope", "1")
    assert code == 2
    assert "no source 'nope'; configured: lapor" in out
