"""Complaint ids read from the spreadsheets agencies keep: CSV in its several
encodings and delimiters, XLSX, the id column found by its header, bad rows named."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from syncd.sync.id_import import ImportProblem, parse_id, read_ids


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1234567", 1234567), ("#1234567", 1234567), (" # 42 ", 42), (1234567, 1234567), (7.0, 7)],
)
def test_it_reads_an_id_as_typed_or_exported(value: object, expected: int) -> None:
    assert parse_id(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "no id"),
        ("LAP000001", "not a complaint id"),
        ("12ab", "not a complaint id"),
        ("٣٤٥", "not a complaint id"),  # digits, but not ASCII ones
        ("0", "out of range"),
        (str(2**63), "out of range"),
        (1.5, "whole number"),
        (True, "not a complaint id"),
    ],
)
def test_it_names_what_is_wrong_with_a_bad_id(value: object, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_id(value)


def test_a_semicolon_csv_with_a_bom_finds_its_id_column_by_header(tmp_path: Path) -> None:
    path = tmp_path / "rekap.csv"
    path.write_bytes(
        "\ufeffNo;ID Laporan;Judul\n1;#1000001;Jalan rusak\n2;1000002;Lampu mati\n".encode()
    )
    found = read_ids(path)
    assert found.column == "ID Laporan"
    assert found.ids == [(2, 1000001), (3, 1000002)]
    assert found.rejected == []


def test_a_windows_1252_tab_separated_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "rekap.csv"
    path.write_bytes("No. Tiket\tPelapor\n55\tJos\xe9\n66\tRen\xe9\n".encode("cp1252"))
    assert read_ids(path).ids == [(2, 55), (3, 66)]


def test_bad_rows_are_rejected_with_their_number_and_blank_lines_skipped(tmp_path: Path) -> None:
    path = tmp_path / "rekap.csv"
    path.write_text("complaint_id,note\n10,a\nLAP11,b\n,c\n\n12,d\n", encoding="utf-8")
    found = read_ids(path)
    assert found.ids == [(2, 10), (6, 12)]
    assert [row for row, _ in found.rejected] == [3, 4]
    assert "LAP11" in found.rejected[0][1]


def test_a_named_column_wins_and_a_missing_one_lists_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "rekap.csv"
    path.write_text("id,Nomor Lain\n1,77\n", encoding="utf-8")
    assert read_ids(path, "nomor lain").ids == [(2, 77)]
    with pytest.raises(ImportProblem, match=r"no column 'Tiket'.*'id', 'Nomor Lain'"):
        read_ids(path, "Tiket")


def test_a_file_without_an_id_column_says_how_to_name_it(tmp_path: Path) -> None:
    path = tmp_path / "rekap.csv"
    path.write_text("Judul,Tanggal\nx,y\n", encoding="utf-8")
    with pytest.raises(ImportProblem, match="--column"):
        read_ids(path)


def test_an_xlsx_recap_is_read_with_number_and_text_cells(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["No", "ID Laporan", "Judul"])
    sheet.append([1, 1000001, "Jalan rusak"])
    sheet.append([2, "#1000002", "Lampu mati"])
    sheet.append([3, 1000003.0, "Banjir"])
    sheet.append([4, "bukan id", "?"])
    path = tmp_path / "rekap.xlsx"
    workbook.save(path)
    found = read_ids(path)
    assert found.ids == [(2, 1000001), (3, 1000002), (4, 1000003)]
    assert [row for row, _ in found.rejected] == [5]


def test_a_file_that_is_not_a_spreadsheet_is_refused_whole(tmp_path: Path) -> None:
    path = tmp_path / "rekap.xlsx"
    path.write_bytes(b"not a zip file")
    with pytest.raises(ImportProblem, match=r"cannot read rekap\.xlsx"):
        read_ids(path)
    other = tmp_path / "rekap.pdf"
    other.write_bytes(b"%PDF")
    with pytest.raises(ImportProblem, match=r"\.csv or \.xlsx"):
        read_ids(other)


def test_a_file_too_large_to_be_a_recap_is_refused_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "rekap.csv"
    path.write_text("id\n" + "1234567\n" * 100, encoding="utf-8")
    monkeypatch.setattr("syncd.sync.id_import.MAX_IMPORT_BYTES", 64)
    with pytest.raises(ImportProblem, match="more than the 64 an import reads"):
        read_ids(path)
