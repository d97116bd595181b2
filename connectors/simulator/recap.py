"""The recap spreadsheet an agency keeps of its complaints, as the simulator's world
has them now: what ``syncd demo`` imports with ``syncd track import``, the step a real
agency takes on day one.

A confidential complaint's title is not written: the recap may travel by mail.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from openpyxl import Workbook

from connectors.simulator.world import World

HEADERS = ("No", "ID Laporan", "Tanggal Masuk", "Judul")
CONFIDENTIAL = "(rahasia)"


def write_recap(world: World, path: Path) -> int:
    """Writes one row per complaint the platform shows now; returns how many."""
    with world.lock:
        now = world.advance()
        shown = sorted(
            (c for c in world.complaints.values() if c.listed and c.created_at <= now),
            key=lambda c: (c.created_at, c.id),
        )
    workbook = Workbook()
    sheet = workbook.create_sheet("Rekap Laporan", 0)
    workbook.remove(workbook.worksheets[1])  # the empty sheet a new workbook starts with
    sheet.append(HEADERS)
    for number, complaint in enumerate(shown, start=1):
        arrived = datetime.fromtimestamp(complaint.created_at, UTC)
        sheet.append(
            [
                number,
                f"#{complaint.id}",
                arrived.strftime("%d-%m-%Y"),
                CONFIDENTIAL if complaint.is_secret else complaint.title,
            ]
        )
    workbook.save(path)
    return len(shown)
