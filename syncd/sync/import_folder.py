"""Spreadsheets dropped into a source's ``[sources.tracking] import_dir``: imported by
the daemon as ``syncd track import`` would, then moved out of the way.

A file that imported goes to ``done/``, with a ``.txt`` beside it saying what was
added and which rows were rejected; a file that could not be read at all goes to
``rejected/``, with a ``.txt`` saying why. Hidden files, office lock files (``~$…``)
and other kinds of file are left alone; so is a file changed in the last few
seconds, which may still be being copied in (move files in whole, with ``mv``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from syncd.store.tracked import Origin, track
from syncd.store.transaction import in_transaction
from syncd.sync.id_import import ImportProblem, read_ids

log = logging.getLogger(__name__)

SPREADSHEETS = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
SETTLE_SECONDS = 5.0
"""A file younger than this may still be being written: it waits for the next scan."""


@dataclass(frozen=True)
class FolderImport:
    file: str
    added: int
    rejected_rows: int
    problem: str | None = None
    """Why the file could not be imported at all (then it went to ``rejected/``)."""


def import_folder(
    engine: Engine,
    source: str,
    folder: Path,
    now: datetime,
    *,
    wall_clock: Callable[[], float] = time.time,
) -> list[FolderImport]:
    """Imports every settled spreadsheet in ``folder``; one transaction per file."""
    if not folder.is_dir():
        log.warning("import_dir: source=%s %s is not a folder; nothing imported", source, folder)
        return []
    done: list[FolderImport] = []
    for path in sorted(folder.iterdir()):
        if not _importable(path, wall_clock()):
            continue
        done.append(_import_one(engine, source, path, now))
    return done


def _importable(path: Path, now: float) -> bool:
    if not path.is_file() or path.name.startswith((".", "~$")):
        return False
    if path.suffix.lower() not in SPREADSHEETS:
        return False
    return now - path.stat().st_mtime >= SETTLE_SECONDS


def _import_one(engine: Engine, source: str, path: Path, now: datetime) -> FolderImport:
    try:
        found = read_ids(path)
    except ImportProblem as exc:
        _move(path, "rejected", f"not imported: {exc}\n")
        log.warning("import_dir: source=%s file=%s rejected: %s", source, path.name, exc)
        return FolderImport(path.name, 0, 0, str(exc))
    rows = [(upstream_id, Origin("import", path.name, row)) for row, upstream_id in found.ids]
    added = in_transaction(engine, lambda connection: track(connection, source, rows, now))
    report = [
        f"imported into {source} (column {found.column!r}): {len(added)} added, "
        f"{len(found.rejected)} rejected rows"
    ]
    report += [f"row {row}: {reason}" for row, reason in found.rejected]
    _move(path, "done", "\n".join(report) + "\n")
    log.info(
        "import_dir: source=%s file=%s added=%d rejected_rows=%d",
        source,
        path.name,
        len(added),
        len(found.rejected),
    )
    return FolderImport(path.name, len(added), len(found.rejected))


def _move(path: Path, into: str, note: str) -> None:
    target_dir = path.parent / into
    target_dir.mkdir(exist_ok=True)
    target = target_dir / path.name
    if target.exists():  # the same name imported before: keep both
        target = target_dir / f"{path.stem}-{int(time.time())}{path.suffix}"
    path.rename(target)
    target.with_name(target.name + ".txt").write_text(note, encoding="utf-8")
