"""October 2026 on a small mirror (no holiday), reported on Friday 20 November 12:00
WIB: every figure counted by hand in tests/report/test_figures.py. Sekadau
(Asia/Pontianak) has a sub-unit, Dinkes (Asia/Jakarta); Jayapura keeps WIT."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from connectors.records import CanonicalStatus
from syncd.report.period import Period
from syncd.store.tables import INSTITUTIONS
from tests.support.histories import DINKES, JAYAPURA, SEKADAU, History, wib
from tests.support.mirror import make_config, write

NOW = wib("2026-11-20 12:00")
OCTOBER = Period.month("2026-10")


def disposed(upstream_id: int, at: str, to: int, **options: Any) -> History:
    day = at[:10]
    return (
        History(f"{day} 08:00", id=upstream_id, tracking_id=f"LAP{upstream_id}", **options)
        .status(f"{day} 09:00", CanonicalStatus.VERIFIED)
        .dispose(at, to)
    )


def mirror(engine: Engine) -> None:
    dispositioned = CanonicalStatus.DISPOSITIONED
    histories = [
        # Sekadau: met in 2 working days, late after 7, never answered (confidential).
        disposed(1, "2026-10-05 10:00", SEKADAU).followup("2026-10-07 10:00", SEKADAU),
        disposed(2, "2026-10-05 10:00", SEKADAU).followup("2026-10-14 10:00", SEKADAU),
        disposed(3, "2026-10-05 10:00", SEKADAU, title="Rahasia negara", secret=True),
        # Transferred to the sub-unit, which answers the next day.
        disposed(4, "2026-10-06 10:00", SEKADAU)
        .status("2026-10-07 10:00", dispositioned, to=DINKES)
        .followup("2026-10-08 10:00", DINKES),
        # Away to Dinkes and back: Sekadau's second cycle, answered the next day.
        disposed(5, "2026-10-19 10:00", SEKADAU)
        .status("2026-10-20 10:00", dispositioned, to=DINKES)
        .status("2026-10-21 10:00", dispositioned, to=SEKADAU)
        .followup("2026-10-22 10:00", SEKADAU),
        # Jayapura: started Friday 30 October, answered Tuesday 3 November (after the
        # period's end); another never answered, due Friday 6 November; one postponed.
        disposed(6, "2026-10-30 10:00", JAYAPURA).followup("2026-11-03 10:00", JAYAPURA),
        disposed(7, "2026-10-30 10:00", JAYAPURA, title="Jalan rusak"),
        disposed(9, "2026-10-26 10:00", JAYAPURA).status(
            "2026-10-27 09:00", CanonicalStatus.POSTPONED
        ),
        # September: outside the period.
        disposed(8, "2026-09-28 10:00", SEKADAU),
    ]
    write(engine, make_config(2525), histories, NOW)
    with engine.begin() as connection:
        connection.execute(
            INSTITUTIONS.insert(),
            [
                {
                    "source": "lapor",
                    "upstream_id": SEKADAU,
                    "name": "Kabupaten Sekadau",
                    "parent_id": None,
                    "synced_at": NOW,
                },
                {
                    "source": "lapor",
                    "upstream_id": DINKES,
                    "name": "Dinas Kesehatan Sekadau",
                    "parent_id": SEKADAU,
                    "synced_at": NOW,
                },
                {
                    "source": "lapor",
                    "upstream_id": JAYAPURA,
                    "name": "Kota Jayapura",
                    "parent_id": None,
                    "synced_at": NOW,
                },
            ],
        )


def write_october_config(path: Path, database: Path) -> Path:
    """A configuration file for the October mirror in ``database``, with the two
    agencies' names and zones, as an operator would write it."""
    path.write_text(
        f'[database]\nurl = "sqlite:///{database}"\n'
        '[[sources]]\nname = "lapor"\nkind = "simulator"\n'
        '[[agencies]]\nid = 4251\nname = "Pemerintah Kabupaten Sekadau"\n'
        'timezone = "Asia/Pontianak"\n'
        '[[agencies]]\nid = 9471\nname = "Pemerintah Kota Jayapura"\n'
        'timezone = "Asia/Jayapura"\n'
    )
    return path
