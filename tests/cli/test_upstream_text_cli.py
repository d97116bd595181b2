"""Hostile text from the platform, in every output it reaches: an institution name and
a complaint title that are a spreadsheet formula, HTML, Markdown, Rich markup and
terminal escape sequences at once. Each format shows them as text, nothing more."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from syncd.cli import app
from syncd.store import make_engine, upgrade
from syncd.store.tables import COMPLAINTS, INSTITUTIONS, STATUS_LOGS
from tests.support.histories import DINKES
from tests.support.october import mirror, write_october_config

pytestmark = pytest.mark.integration

WIDE = {"COLUMNS": "200"}
ERASE_AND_RETITLE = "\x1b[2J\x1b]0;pwned\x07"
NAME = "=1+2[/red] <b>Dinkes</b>|x" + ERASE_AND_RETITLE + "\nnext line"
"""A sub-unit's name as the platform lists it (no configured name wins over it)."""
TITLE = "<script>alert(1)</script> | [bold]ok[/] \x1b[31mmerah\x9b0m\r\nbaris dua"
CLASSIFICATION = "[link=file:///etc/passwd]Pengaduan[/link]\x07"
STATUS_NAME = "[/]Didisposisikan\x1b[5m"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    database = tmp_path / "syncd.db"
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    mirror(engine)
    with engine.begin() as connection:
        connection.execute(
            update(INSTITUTIONS).where(INSTITUTIONS.c.upstream_id == DINKES).values(name=NAME)
        )
        lap7 = COMPLAINTS.c.tracking_id == "LAP7"
        connection.execute(
            update(COMPLAINTS).where(lap7).values(title=TITLE, classification=CLASSIFICATION)
        )
        row_id = connection.execute(COMPLAINTS.select().where(lap7)).one().id
        connection.execute(
            update(STATUS_LOGS)
            .where(STATUS_LOGS.c.complaint_id == row_id)
            .values(institution_to_name=NAME, status_new_name=STATUS_NAME)
        )
    engine.dispose()
    return write_october_config(tmp_path / "syncd.toml", database)


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), env=WIDE)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return result.output


def report(config: Path, *args: str) -> str:
    return run("report", "-c", str(config), "--month", "2026-10", *args)


def assert_no_terminal_control(text: str) -> None:
    controls = re.findall(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", text)
    assert controls == [], f"control characters reached the output: {controls!r}"
    assert "pwned" not in text, "an OSC sequence's payload reached the output"


def test_csv_cells_are_never_formulas(config: Path) -> None:
    printed = report(config, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(printed)))
    dinkes = [r for r in rows if r["agency"] == str(DINKES)]
    assert dinkes, "the sub-unit has its rows"
    for row in dinkes:
        assert row["name"] == "'=1+2[/red] <b>Dinkes</b>|x\nnext line"
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), row
    assert "\x1b" not in printed and "pwned" not in printed


def _cells(line: str) -> list[str]:
    """A Markdown table row's cells, escaped pipes inside them."""
    return re.split(r"(?<!\\)\|", re.sub(r"\\\\", "", line))[1:-1]


def test_markdown_keeps_its_tables_and_lets_no_html_through(config: Path) -> None:
    markdown = report(config, "--format", "md")
    assert "<b>" not in markdown and "<script>" not in markdown
    assert "&lt;b&gt;Dinkes&lt;/b&gt;" in markdown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markdown
    assert_no_terminal_control(markdown)
    tables: list[list[str]] = [[]]
    for line in markdown.splitlines():
        if line.startswith("|"):
            tables[-1].append(line)
        elif tables[-1]:
            tables.append([])
    *by_clock, overdue = (t for t in tables if t)  # a table per clock, then the overdue
    assert len(by_clock) >= 2
    for table in by_clock:
        assert len({len(_cells(line)) for line in table}) == 1, "no cell split or merged"
    assert {len(_cells(line)) for line in overdue} == {5}
    dinkes = next(line for table in by_clock for line in table if "Dinkes" in line)
    assert r"=1+2\[/red\] &lt;b&gt;Dinkes&lt;/b&gt;\|x next line" in dinkes
    lap7 = next(line for line in overdue if line.startswith("| LAP7 |"))
    assert "merah baris dua" in lap7


def test_json_carries_the_text_as_it_came(config: Path) -> None:
    printed = report(config, "--format", "json")
    assert "\x1b" not in printed, "json.dumps writes control characters as \\u escapes"
    sekadau = next(a for a in json.loads(printed)["agencies"] if a["agency"] == "4251")
    assert NAME in [unit["name"] for unit in sekadau["units"]]


def test_the_html_report_escapes_names_and_titles(config: Path, tmp_path: Path) -> None:
    page = tmp_path / "october.html"
    report(config, "--format", "html", "--output", str(page))
    html = page.read_text()
    assert "<script" not in html and "<b>Dinkes" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Dinkes&lt;/b&gt;" in html


def test_the_terminal_table_prints_markup_literally_and_no_escape_sequence(
    config: Path,
) -> None:
    table = report(config)
    assert "=1+2[/red] <b>Dinkes" in table  # the column ends in an ellipsis
    assert_no_terminal_control(table)


def test_clocks_show_prints_the_platforms_text_literally(config: Path) -> None:
    shown = run("clocks", "show", "LAP7", "-c", str(config))
    assert "<script>alert(1)</script> | [bold]ok[/] merah baris dua" in shown
    assert "[link=file:///etc/passwd]Pengaduan[/link]" in shown
    assert "[/]Didisposisikan" in shown
    assert "=1+2[/red] <b>Dinkes</b>|x next line" in shown
    assert_no_terminal_control(shown)


def test_a_tracking_id_typed_with_markup_is_named_literally(config: Path) -> None:
    result = CliRunner().invoke(app, ["clocks", "show", "[/red]NOPE", "-c", str(config)], env=WIDE)
    assert result.exit_code == 1, result.output
    assert "no complaint '[/red]NOPE'" in result.output
