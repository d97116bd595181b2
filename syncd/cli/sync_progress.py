"""The progress bars and the summary table that ``syncd sync`` draws on the terminal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text
from sqlalchemy import Engine

from connectors.base import Connector
from syncd.cli.tables import wrapping_table
from syncd.config import SourceConfig
from syncd.report.escape import rich_markup, rich_text
from syncd.store.clocks import ClockKeeper
from syncd.sync import PassStats, StoreError, SyncPass
from syncd.sync import Progress as PassProgress
from syncd.sync.discovery import discover
from syncd.sync.tracked import TrackedPass
from syncd.wiring import open_connector, tracking_schedule


class RateColumn(ProgressColumn):
    """Items per second, as complaints are counted."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f}/s" if speed else "", style="progress.data.speed")


def run_passes(
    engine: Engine,
    sources: Sequence[SourceConfig],
    *,
    full: bool,
    console: Console,
    clocks: ClockKeeper | None = None,
) -> list[PassStats]:
    """Syncs each source once: its listing (when it has one), then its tracked ids due
    now (every one with ``full``). A StoreError stops everything, a source error only
    its pass."""
    results = []
    for source in sources:
        with open_connector(source) as connector:
            mode = discover(connector, source.discovery, source.name)
            if mode == "listing":
                results.append(
                    sync_with_progress(engine, connector, source.name, full, console, clocks)
                )
            tracked = TrackedPass(
                engine,
                connector,
                source.name,
                schedule=tracking_schedule(source),
                clocks=clocks,
                concurrency=source.max_concurrency,
                sync_institutions=mode != "listing",
            )
            if mode != "listing" or full or tracked.due_now():
                results.append(check_with_progress(tracked, full, console))
    return results


def _columns() -> tuple[ProgressColumn, ...]:
    """What both kinds of pass show of their progress (new ones per bar: a column
    may cache what it drew for a task)."""
    return (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
    )


def check_with_progress(tracked: TrackedPass, full: bool, console: Console) -> PassStats:
    """The tracked checks due now (all, with ``full``), drawn as one bar."""
    with Progress(*_columns(), console=console) as bar:
        task = bar.add_task(f"{rich_markup(tracked.source)}: tracked checks", total=None)
        tracked.on_checked = lambda n: bar.advance(task, n)
        stats = tracked.run(everything=full)
        bar.update(task, total=bar.tasks[task].completed)
    return stats


def sync_with_progress(
    engine: Engine,
    connector: Connector,
    source: str,
    full: bool,
    console: Console,
    clocks: ClockKeeper | None = None,
) -> PassStats:
    """One pass, drawn as two bars: complaints listed, and details fetched."""
    with Progress(*_columns(), TimeRemainingColumn(), console=console) as bar:
        listing = bar.add_task(f"{rich_markup(source)}: listing", total=None)
        details = bar.add_task(f"{rich_markup(source)}: details", total=None)
        hooks = _hooks(bar, listing, details)
        syncer = SyncPass(engine, connector, source, progress=hooks, clocks=clocks)
        stats = syncer.run(full=full)
        for task in (listing, details):
            bar.update(task, total=bar.tasks[task].completed)
    return stats


def _hooks(bar: Progress, listing: TaskID, details: TaskID) -> PassProgress:
    def listing_total(total: int) -> None:
        bar.update(listing, total=total)

    def listed(n: int) -> None:
        bar.advance(listing, n)

    def to_fetch(n: int) -> None:
        bar.update(details, total=(bar.tasks[details].total or 0) + n)

    def fetched(n: int) -> None:
        bar.advance(details, n)

    return PassProgress(
        listing_total=listing_total, listed=listed, to_fetch=to_fetch, fetched=fetched
    )


def summary(results: Sequence[PassStats]) -> Table:
    counts = ("listed", "unchanged", "fetched", "written", "quarantined", "vanished", "time")
    table = wrapping_table("sync", "source", *counts, "result", right=counts)
    for s in results:
        result = (
            rich_text("ok", "green")
            if s.ok
            else rich_text(s.error.kind if s.error else "error", "red")
        )
        table.add_row(
            rich_text(
                s.source + (" (tracked)" if s.tracked else "") + (" (full)" if s.full else "")
            ),
            f"{s.listed:,}",
            f"{s.unchanged:,}",
            f"{s.fetched:,}",
            f"{s.written:,}",
            f"{s.quarantined:,}",
            f"{s.vanished:,}",
            f"{s.seconds:.1f}s",
            result,
        )
    return table


def pass_document(s: PassStats) -> dict[str, Any]:
    """One pass as ``syncd sync --json`` prints it."""
    counts = ("listed", "unchanged", "fetched", "written", "quarantined", "vanished", "pages")
    error = None if s.error is None else {"kind": s.error.kind, "message": str(s.error)}
    return {
        "source": s.source,
        "tracked": s.tracked,
        "full": s.full,
        **{name: getattr(s, name) for name in counts},
        "seconds": round(s.seconds, 3),
        "result": s.result.value,
        "error": error,
    }


__all__ = ["StoreError", "pass_document", "run_passes", "summary"]
