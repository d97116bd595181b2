"""Complaint ids from the spreadsheets agencies already keep (CSV or XLSX), for
``syncd track import``: the id column found by its header, each row's id read or
rejected with its row number and reason.

CSV files come in whatever the office's spreadsheet wrote: UTF-8 with or without a
byte-order mark, or Windows-1252, and any delimiter the sniffer recognises. Row
numbers are the spreadsheet's own: the header is row 1.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_ID = 2**63 - 1
"""The largest id the mirror's BIGINT columns hold."""
ID_HEADERS = (
    "complaint_id",
    "complaint id",
    "id laporan",
    "id pengaduan",
    "no. tiket",
    "no tiket",
    "nomor tiket",
    "no. laporan",
    "nomor laporan",
    "tracking id",
    "id",
)
"""Headers that name the id column, by preference, compared without case, spaces or
punctuation."""
DELIMITERS = ",;\t|"
MAX_IMPORT_ROWS = 1_000_000
MAX_IMPORT_BYTES = 64 * 1024 * 1024
"""A recap of a million complaints is a few tens of MB; a larger file is refused whole
rather than read into memory."""


class ImportProblem(Exception):
    """The file cannot be imported at all (unreadable, no id column): nothing is added."""


@dataclass
class ImportedIds:
    column: str
    ids: list[tuple[int, int]] = field(default_factory=list)
    """(row number, id), in file order."""
    rejected: list[tuple[int, str]] = field(default_factory=list)
    """(row number, reason)."""


def parse_id(value: Any) -> int:
    """A complaint id as typed or exported: ``1234567``, ``#1234567``, ``1234567.0``
    from a spreadsheet's number cell. ``ValueError`` names what is wrong."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a complaint id")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"{value!r} is not a whole number")
        number = int(value)
    else:
        text = str(value).strip()
        if not text:
            raise ValueError("no id in this row")
        digits = text.removeprefix("#").strip()
        if not digits.isascii() or not digits.isdigit():
            shown = text if len(text) <= 40 else text[:39] + "…"
            raise ValueError(f"{shown!r} is not a complaint id (digits, optionally after #)")
        number = int(digits)
    if not 1 <= number <= MAX_ID:
        raise ValueError(f"{number} is out of range for a complaint id")
    return number


def read_ids(path: Path, column: str | None = None) -> ImportedIds:
    """Every row's id from a CSV or XLSX file; ``column`` names the id column (else it
    is found by its header)."""
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportProblem(f"cannot read {path}: {exc.strerror or exc}") from exc
    if size > MAX_IMPORT_BYTES:
        raise ImportProblem(
            f"{path.name}: {size:,} bytes, more than the {MAX_IMPORT_BYTES:,} an import reads"
        )
    if suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path)
    elif suffix in (".csv", ".txt", ".tsv"):
        rows = _csv_rows(path)
    else:
        raise ImportProblem(f"{path.name}: expected a .csv or .xlsx file")
    return _ids_from(rows, column, path.name)


def _ids_from(rows: Iterator[Sequence[Any]], column: str | None, name: str) -> ImportedIds:
    header = next(rows, None)
    if header is None:
        raise ImportProblem(f"{name}: the file is empty")
    headers = ["" if cell is None else str(cell).strip() for cell in header]
    index = _id_column(headers, column, name)
    found = ImportedIds(column=headers[index])
    for number, row in enumerate(rows, start=2):
        if number > MAX_IMPORT_ROWS:
            raise ImportProblem(f"{name}: more than {MAX_IMPORT_ROWS:,} rows")
        if all(cell is None or str(cell).strip() == "" for cell in row):
            continue  # a blank line, as spreadsheets leave at the end
        value = row[index] if index < len(row) else None
        try:
            found.ids.append((number, parse_id("" if value is None else value)))
        except ValueError as exc:
            found.rejected.append((number, str(exc)))
    return found


def _normal(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def _id_column(headers: Sequence[str], column: str | None, name: str) -> int:
    normal = [_normal(h) for h in headers]
    if column is not None:
        wanted = _normal(column)
        if wanted in normal:
            return normal.index(wanted)
        raise ImportProblem(f"{name}: no column {column!r}; the columns are {_shown(headers)}")
    for candidate in ID_HEADERS:
        if _normal(candidate) in normal:
            return normal.index(_normal(candidate))
    raise ImportProblem(
        f"{name}: no column of complaint ids found by its header (e.g. "
        f"'ID Laporan', 'No. Tiket', 'complaint_id'); the columns are {_shown(headers)}; "
        "name it with --column"
    )


def _shown(headers: Sequence[str]) -> str:
    named = [repr(h) for h in headers if h]
    return ", ".join(named[:20]) or "(no header row)"


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _csv_rows(path: Path) -> Iterator[Sequence[Any]]:
    try:
        text = _decode(path.read_bytes())
    except OSError as exc:
        raise ImportProblem(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=DELIMITERS)
    except csv.Error:
        dialect = csv.excel  # one column, or nothing to tell it by
    return iter(csv.reader(io.StringIO(text), dialect))


def _xlsx_rows(path: Path) -> Iterator[Sequence[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # OSError, zipfile.BadZipFile, openpyxl's own errors
        raise ImportProblem(f"cannot read {path.name} as a spreadsheet: {exc}") from exc
    sheet = workbook.worksheets[0] if workbook.worksheets else None
    if sheet is None:
        raise ImportProblem(f"{path.name}: the workbook has no sheet")
    return _closing(workbook, sheet.iter_rows(values_only=True))


def _closing(workbook: Any, rows: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
    try:
        yield from rows
    finally:
        workbook.close()
