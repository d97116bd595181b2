"""``syncd clocks show`` and ``syncd clocks recompute``."""

from __future__ import annotations

from typing import Annotated

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
from syncd.report.escape import rich_markup

clocks_app = typer.Typer(help="Response clocks.", no_args_is_help=True)


@clocks_app.command("show")
def clocks_show(
    tracking_id: Annotated[str, typer.Argument(help="The complaint's tracking id.")],
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """A complaint's clocks, their state now, and its history."""
    from datetime import UTC, datetime

    from syncd.cli.clock_tables import (
        clocks_table,
        complaint_document,
        find_complaint,
        history_table,
        stored_clocks,
    )
    from syncd.wiring import clock_keeper

    loaded = load_or_exit(config)
    engine = open_engine(loaded)
    found = find_complaint(engine, tracking_id)
    if found is None:
        console.print(f"[red]no complaint {rich_markup(repr(tracking_id))} in the mirror[/red]")
        raise typer.Exit(1)
    row_id, detail = found
    keeper = clock_keeper(loaded)
    clocks = stored_clocks(engine, row_id, keeper, datetime.now(UTC))
    engine.dispose()
    if as_json:
        print_json(complaint_document(detail, clocks))
        return
    out = stdout_console()
    out.print(clocks_table(detail, clocks))
    holder = detail.summary.disposition
    out.print(history_table(detail, keeper.policy.zone_name(holder.id if holder else None)))


@clocks_app.command("recompute")
def clocks_recompute(
    config: ConfigOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show which due dates move; change nothing.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Derive every complaint's clocks again, after a policy or calendar change.

    With --json, one object: the counts and the first due dates that move."""
    from datetime import UTC, datetime

    from rich.progress import Progress

    from syncd.cli.clock_tables import move_document, moves_table
    from syncd.store.clocks import recompute
    from syncd.store.clocks.rules import record_rules
    from syncd.wiring import clock_keeper

    loaded = load_or_exit(config)
    engine = open_engine(loaded)
    keeper = clock_keeper(loaded)
    with engine.connect() as connection:
        from sqlalchemy import func, select

        from syncd.store.tables import COMPLAINTS

        total = connection.execute(select(func.count()).select_from(COMPLAINTS)).scalar_one()
    with Progress(console=console) as bar:
        task = bar.add_task("recomputing clocks", total=total)
        result = recompute(
            keeper,
            engine,
            datetime.now(UTC),
            apply=not dry_run,
            progress=lambda n: bar.advance(task, n),
        )
    if not dry_run:
        record_rules(engine, datetime.now(UTC))
    engine.dispose()
    if as_json:
        print_json(
            {
                "dry_run": dry_run,
                "complaints": result.complaints,
                "clocks": result.clocks,
                "moved": result.moved,
                "added": result.added,
                "removed": result.removed,
                "moves": [move_document(move) for move in result.moves],
            }
        )
        return
    stdout_console().print(moves_table(result.moves, result.moved, keeper.policy.platform_zone))
    if dry_run:
        console.print(
            f"{result.complaints:,} complaints, {result.clocks:,} clocks; "
            f"{result.moved:,} due dates would move, {result.added:,} clocks would be added "
            f"and {result.removed:,} removed (dry run: nothing changed)"
        )
    else:
        console.print(
            f"{result.complaints:,} complaints, {result.clocks:,} clocks; "
            f"{result.moved:,} due dates moved, {result.added:,} clocks added, "
            f"{result.removed:,} removed"
        )
