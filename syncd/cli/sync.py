"""``syncd sync``: one pass per source with a progress bar, then exit."""

from __future__ import annotations

from typing import Annotated

import typer

from syncd.cli.common import (
    EXIT_CONFIG,
    ConfigOption,
    JsonOption,
    console,
    load_or_exit,
    open_engine,
    print_json,
    stdout_console,
)
from syncd.report.escape import rich_markup


def sync(
    config: ConfigOption = None,
    source: Annotated[
        str | None, typer.Option(help="Only this source (default: every source).")
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Re-list everything and mark what vanished.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """One sync pass per source with a progress bar (on stderr), then a summary table
    (with --json: one object, a pass per source); exit 0 or 1."""
    from datetime import UTC, datetime

    from syncd.cli.sync_progress import pass_document, run_passes, summary
    from syncd.store.clocks.rules import rederive_if_stale
    from syncd.store.transaction import StoreError
    from syncd.wiring import SourceUnusable, clock_keeper

    loaded = load_or_exit(config)
    sources = list(loaded.sources)
    if source is not None:
        sources = [s for s in sources if s.name == source]
        if not sources:
            names = ", ".join(s.name for s in loaded.sources)
            raise typer.BadParameter(f"no source {source!r}; configured: {names}")
    engine = open_engine(loaded)
    keeper = clock_keeper(loaded)
    try:
        if rederive_if_stale(keeper, engine, datetime.now(UTC)) is not None:
            console.print("the clocks were derived again by this version's rules")
        results = run_passes(engine, sources, full=full, console=console, clocks=keeper)
    except SourceUnusable as exc:
        console.print(f"[red]{rich_markup(str(exc))}[/red]")
        raise typer.Exit(EXIT_CONFIG) from exc
    except StoreError as exc:  # the run record itself could not be written
        console.print(f"[red]{rich_markup(str(exc))}[/red] ({rich_markup(exc.kind)})")
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    code = 0 if all(s.ok for s in results) else 1
    if as_json:
        print_json({"ok": code == 0, "passes": [pass_document(stats) for stats in results]})
        raise typer.Exit(code)
    stdout_console().print(summary(results))  # a table: stdout (CONTRACT.md section 4)
    for stats in results:
        if stats.error is not None:
            problem = rich_markup(f"{stats.source}: {stats.error.kind}: {stats.error}")
            console.print(f"[red]{problem}[/red]")
    raise typer.Exit(code)
