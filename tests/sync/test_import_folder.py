"""Spreadsheets dropped into ``import_dir``: imported, then moved to done/ or rejected/
with a note beside them."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from syncd.store.tracked import listing
from syncd.sync.import_folder import import_folder

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


def settled(path: Path, at: float = 1_000_000_000.0) -> None:
    os.utime(path, (at, at))


def test_good_files_are_imported_bad_ones_set_aside_and_the_rest_left(
    engine: Engine, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "rekap.csv").write_text("ID Laporan\n#101\n102\nLAP3\n", encoding="utf-8")
    (inbox / "judul.csv").write_text("Judul\nJalan rusak\n", encoding="utf-8")
    (inbox / "~$rekap.xlsx").write_bytes(b"an office lock file")
    (inbox / "catatan.pdf").write_bytes(b"%PDF")
    for path in inbox.iterdir():
        settled(path)
    (inbox / "baru.csv").write_text("ID Laporan\n201\n", encoding="utf-8")  # still arriving

    done = import_folder(
        engine, "lapor", inbox, NOW, wall_clock=lambda: os.path.getmtime(inbox / "baru.csv") + 1
    )

    assert sorted((d.file, d.added, d.rejected_rows, d.problem is None) for d in done) == [
        ("judul.csv", 0, 0, False),
        ("rekap.csv", 2, 1, True),
    ]
    with engine.connect() as connection:
        assert [r["upstream_id"] for r in listing(connection, "lapor")] == [101, 102]
    assert (inbox / "done" / "rekap.csv").exists()
    note = (inbox / "done" / "rekap.csv.txt").read_text(encoding="utf-8")
    assert "2 added, 1 rejected rows" in note and "row 4: 'LAP3'" in note
    assert (inbox / "rejected" / "judul.csv").exists()
    assert "--column" in (inbox / "rejected" / "judul.csv.txt").read_text(encoding="utf-8")
    left = sorted(p.name for p in inbox.iterdir() if p.is_file())
    assert left == ["baru.csv", "catatan.pdf", "~$rekap.xlsx"]


def test_a_name_imported_before_keeps_both_files(engine: Engine, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for batch in ("1", "2"):
        path = inbox / "rekap.csv"
        path.write_text(f"id\n{batch}\n", encoding="utf-8")
        settled(path)
        import_folder(engine, "lapor", inbox, NOW)
    assert len(list((inbox / "done").glob("rekap*.csv"))) == 2


def test_a_missing_folder_imports_nothing(engine: Engine, tmp_path: Path) -> None:
    assert import_folder(engine, "lapor", tmp_path / "nowhere", NOW) == []
