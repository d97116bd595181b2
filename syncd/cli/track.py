"""``syncd track``: the complaint ids a source checks one by one (CONTRACT.md section 4).

A real SP4N-LAPOR! gateway lists nothing: an agency tells syncd which complaints are
its own, by hand (``add``) or from the spreadsheet it already keeps (``import``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from syncd.cli.common import (
    ConfigOption,
    JsonOption,
    console,
    load_or_exit,
    open_engine,
    print_json,
    stdout_console,
)
from syncd.report.escape import printable, rich_markup, rich_text

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from syncd.config import Config

T = TypeVar("T")

track_app = typer.Typer(help="Complaint ids checked one by one.", no_args_is_help=True)

SourceOption = Annotated[
    str | None,
    typer.Option("--source", help="The source (default: the only one configured)."),
]
IdsArgument = Annotated[
    list[str],
    typer.Argument(help="Complaint ids: 1234567 or #1234567.", metavar="ID...", show_default=False),
]


def _source(config: Config, name: str | None) -> str:
    names = [s.name for s in config.sources]
    if name is None:
        if len(names) == 1:
            return names[0]
        raise typer.BadParameter(
            f"name one of the configured sources: {', '.join(names)}", param_hint="--source"
        )
    if name not in names:
        raise typer.BadParameter(
            f"no source {name!r}; configured: {', '.join(names)}", param_hint="--source"
        )
    return name


def _ids(values: list[str]) -> list[int]:
    from syncd.sync.id_import import parse_id

    ids = []
    for value in values:
        try:
            ids.append(parse_id(value))
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="ID") from exc
    return ids


def _in_transaction(config: Config, work: Callable[[Connection], T]) -> T:
    """``work`` in one transaction on the configured mirror (its schema upgraded)."""
    engine = open_engine(config)
    try:
        with engine.begin() as connection:
            return work(connection)
    finally:
        engine.dispose()


def _joined(ids: list[int], limit: int = 20) -> str:
    shown = ", ".join(str(i) for i in ids[:limit])
    return shown + (f" and {len(ids) - limit:,} more" if len(ids) > limit else "")


@track_app.command("add")
def add(
    ids: IdsArgument,
    config: ConfigOption = None,
    source: SourceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Track complaint ids; says which were new."""
    from datetime import UTC, datetime

    from syncd.store.tracked import Origin, track

    loaded = load_or_exit(config)
    name = _source(loaded, source)
    wanted = _ids(ids)
    rows = [(i, Origin("cli")) for i in wanted]
    new = _in_transaction(loaded, lambda c: track(c, name, rows, datetime.now(UTC)))
    already = [i for i in dict.fromkeys(wanted) if i not in set(new)]
    if as_json:
        print_json({"source": name, "added": new, "already_tracked": already})
        return
    shown = f": {_joined(new)}" if new else ""
    typer.echo(f"{name}: {len(new):,} newly tracked{shown}")
    if already:
        typer.echo(f"{name}: {len(already):,} tracked already: {_joined(already)}")


@track_app.command("import")
def import_file(
    file: Annotated[
        Path, typer.Argument(help="A CSV or XLSX file with a column of complaint ids.")
    ],
    config: ConfigOption = None,
    source: SourceOption = None,
    column: Annotated[
        str | None, typer.Option(help="The id column's header (default: found by its header).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Track every id in a spreadsheet column, in one transaction; a summary of what was
    added, what was tracked already, and each rejected row with its number and reason."""
    from datetime import UTC, datetime

    from syncd.store.tracked import Origin, track
    from syncd.sync.id_import import ImportProblem, read_ids

    loaded = load_or_exit(config)
    name = _source(loaded, source)
    try:
        found = read_ids(file, column)
    except ImportProblem as exc:
        console.print(f"[red]{rich_markup(str(exc))}[/red]")
        raise typer.Exit(1) from exc
    rows = [(upstream_id, Origin("import", file.name, row)) for row, upstream_id in found.ids]
    new = _in_transaction(loaded, lambda c: track(c, name, rows, datetime.now(UTC)))
    distinct = list(dict.fromkeys(upstream_id for _, upstream_id in found.ids))
    if as_json:
        print_json(
            {
                "source": name,
                "file": file.name,
                "column": found.column,
                "added": new,
                "already_tracked": [i for i in distinct if i not in set(new)],
                "rejected": [{"row": row, "reason": reason} for row, reason in found.rejected],
            }
        )
        return
    typer.echo(
        f"{printable(file.name)} (column {printable(repr(found.column))}) into {name}: "
        f"{len(new):,} added, "
        f"{len(distinct) - len(new):,} tracked already, {len(found.rejected):,} rejected"
    )
    for row, reason in found.rejected[:200]:
        typer.echo(f"  row {row}: {printable(reason, newlines=False)}")
    if len(found.rejected) > 200:
        typer.echo(f"  … and {len(found.rejected) - 200:,} more rejected rows")


@track_app.command("list")
def list_tracked(
    config: ConfigOption = None,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array, for scripts.")] = False,
) -> None:
    """Tracked ids with their schedule, last and next check."""
    from syncd.cli.tables import wrapping_table
    from syncd.store.tracked import listing

    loaded = load_or_exit(config)
    if source is not None:
        _source(loaded, source)
    engine = open_engine(loaded)
    try:
        with engine.connect() as connection:
            rows = listing(connection, source)
    finally:
        engine.dispose()
    if as_json:
        fields = ("source", "upstream_id", "schedule", "last_check_at", "next_check_at")
        extra = ("last_result", "consecutive_failures", "origin", "origin_file", "origin_row")
        entries = [{k: row[k] for k in (*fields, *extra)} for row in rows]
        print_json(entries)
        return
    if not rows:
        typer.echo("no complaint is tracked")
        return
    table = wrapping_table(
        f"tracked complaints ({len(rows):,})",
        *("source", "id", "schedule", "last check", "result", "next check", "from"),
        times=("last check", "next check"),
    )
    for row in rows:
        origin = row["origin"] if row["origin_file"] is None else f"{row['origin_file']}"
        if row["origin_row"] is not None:
            origin += f":{row['origin_row']}"
        table.add_row(
            rich_text(row["source"]),
            str(row["upstream_id"]),
            row["schedule"],
            _when(row["last_check_at"]),
            rich_text(row["last_result"] or ""),
            _when(row["next_check_at"]) if row["next_check_at"] else "never (dormant)",
            rich_text(origin),
        )
    stdout_console().print(table)


def _when(at: object) -> str:
    from datetime import datetime

    return f"{at:%Y-%m-%d %H:%M} UTC" if isinstance(at, datetime) else ""


@track_app.command("remove")
def remove(
    ids: IdsArgument,
    config: ConfigOption = None,
    source: SourceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Stop tracking complaint ids (the mirrored complaints stay)."""
    from syncd.store.tracked import untrack

    loaded = load_or_exit(config)
    name = _source(loaded, source)
    wanted = _ids(ids)
    removed = _in_transaction(loaded, lambda c: untrack(c, name, wanted))
    missing = [i for i in dict.fromkeys(wanted) if i not in set(removed)]
    if as_json:
        print_json({"source": name, "removed": removed, "not_tracked": missing})
        return
    typer.echo(
        f"{name}: {len(removed):,} no longer tracked" + (f": {_joined(removed)}" if removed else "")
    )
    if missing:
        typer.echo(f"{name}: {len(missing):,} were not tracked: {_joined(missing)}")
