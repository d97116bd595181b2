"""A mirror whose names are as long as real ones get: a 90-character sub-unit, a
source named after its gateway, mail addresses of a regency's offices; and how to
read a Rich table back from what the CLI printed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update
from typer.testing import CliRunner, Result

from syncd.cli import app
from syncd.store import make_engine, upgrade
from syncd.store.tables import INSTITUTIONS, STATUS_LOGS
from tests.support.histories import DINKES
from tests.support.october import mirror

LONG_UNIT = (
    "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kabupaten Sekadau "
    "Provinsi Kalimantan Barat"
)
LONG_AGENCY = "Pemerintah Kabupaten Sekadau Provinsi Kalimantan Barat Republik Indonesia"
LONG_SOURCE = "lapor-kabupaten-sekadau-provinsi-kalimantan-barat-gateway-utama"
LONG_TO = "pejabat.penghubung.dinas.penanaman.modal.ptsp@sekadau.kalbarprov.go.id"
LONG_BOSS = "asisten.pemerintahan.dan.kesejahteraan.rakyat@sekadau.kalbarprov.go.id"
NARROW = {"COLUMNS": "80"}


@pytest.fixture
def long_names(tmp_path: Path) -> Path:
    """The October mirror (tests/support/october.py), its sub-unit renamed to
    ``LONG_UNIT``, with a configuration that routes every agency's mail to long
    addresses."""
    database = tmp_path / "syncd.db"
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    mirror(engine)
    with engine.begin() as connection:
        connection.execute(
            update(INSTITUTIONS).where(INSTITUTIONS.c.upstream_id == DINKES).values(name=LONG_UNIT)
        )
        connection.execute(
            update(STATUS_LOGS)
            .where(STATUS_LOGS.c.institution_to_id == DINKES)
            .values(institution_to_name=LONG_UNIT)
        )
    engine.dispose()
    path = tmp_path / "syncd.toml"
    path.write_text(
        f'[database]\nurl = "sqlite:///{database}"\n'
        '[[sources]]\nname = "lapor"\nkind = "simulator"\n'
        f'[[agencies]]\nid = 4251\nname = "{LONG_AGENCY}"\ntimezone = "Asia/Pontianak"\n'
        '[alerts.smtp]\nhost = "127.0.0.1"\nport = 2525\nsecurity = "none"\n'
        f'[[alerts.routes]]\nagency = "*"\nto = ["{LONG_TO}"]\nescalate_to = ["{LONG_BOSS}"]\n'
    )
    return path


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    """``syncd ARGS`` as CliRunner runs it, stdout and stderr apart; a defect raises."""
    result = CliRunner().invoke(app, list(args), env=env or NARROW)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def column_text(printed: str, heading: str, index: int | None = None) -> str:
    """Every line of one column of the first Rich table in ``printed`` whose header
    has ``heading`` (the column with it, or the ``index``-th), joined, with the spaces
    wrapping put in taken out: a name wrapped or folded over lines reads whole again."""
    lines = printed.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("┃") and heading in line)
    header = lines[head]
    if index is None:
        start = header.index(heading)
        left, right = header.rindex("┃", 0, start), header.index("┃", start)
    else:
        bars = [i for i, char in enumerate(header) if char == "┃"]
        left, right = bars[index], bars[index + 1]
    pieces = []
    for line in lines[head + 1 :]:
        if line.startswith("└"):
            break
        if line.startswith("│"):
            pieces.append(line[left + 1 : right])
    return "".join("".join(pieces).split())


def assert_fits(printed: str, width: int = 80) -> None:
    """Every line within ``width`` columns, and no cell cut short with an ellipsis."""
    too_wide = [line for line in printed.splitlines() if len(line) > width]
    assert too_wide == [], f"lines wider than {width} columns:\n" + "\n".join(too_wide)
    assert "…" not in printed, f"a cell was cut short:\n{printed}"


def squeezed(text: str) -> str:
    return "".join(text.split())
