"""A guided look at what exists so far: the connector reading a faulty simulator.

Run by ``make demo`` until the daemon's own ``syncd demo`` exists. It starts the
simulator on loopback with every fault switched on, lists and fetches everything
through the real connector, then shows what came through and what it survived.
"""

from __future__ import annotations

import logging
import time
from collections import Counter

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from connectors.records import ComplaintDetail, QuarantineItem, Vanished
from connectors.retry import RetryPolicy
from connectors.simulator import Faults, Simulator, World, WorldSettings
from connectors.sp4n_lapor import LaporConnector, LaporSettings, build_client

COMPLAINTS = 3000


def main() -> None:
    console = Console()
    logging.basicConfig(level=logging.ERROR)
    world = World.generate(
        WorldSettings(complaints=COMPLAINTS, seed=42, malformed_rate=0.01, vanish_rate=0.02),
        clock=time.time,
    )
    # Rate limits are rarer here than in the tests: each one costs a real second.
    faults = Faults(
        error_rate=0.02,
        rate_limit_rate=0.002,
        truncate_rate=0.01,
        duplicate_rate=0.1,
        mutate_rate=0.1,
        late_write_rate=0.1,
    )
    with Simulator(world, faults, seed=42) as sim:
        console.print(
            f"Simulator on [bold]{sim.base_url}[/bold] with {world.listed_count():,} complaints;"
            f" faults: {faults.describe()}"
        )
        settings = LaporSettings(
            base_url=sim.base_url,
            api_key="demo",
            token="demo",  # noqa: S106 (the simulator's, asked for by nothing)
            retry=RetryPolicy(initial_backoff=0.05, max_backoff=1.0),
        )
        connector = LaporConnector(settings, build_client(settings))
        details: dict[int, ComplaintDetail] = {}
        quarantined: list[QuarantineItem] = []
        vanished = 0
        started = time.perf_counter()
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
        ) as progress:
            listing = progress.add_task("listing changes", total=world.listed_count())
            ids: list[int] = []
            for page in connector.list_changes(None):
                ids.extend(s.id for s in page.summaries)
                quarantined.extend(page.quarantined)
                progress.advance(listing, len(page.summaries) + len(page.quarantined))
            fetching = progress.add_task("fetching details", total=len(ids))
            for result in connector.fetch_details(dict.fromkeys(ids)):
                if isinstance(result, ComplaintDetail):
                    details[result.id] = result
                elif isinstance(result, QuarantineItem):
                    quarantined.append(result)
                elif isinstance(result, Vanished):
                    vanished += 1
                progress.advance(fetching)
        elapsed = time.perf_counter() - started
        connector.close()

    table = Table(title=f"Mirrored {len(details):,} complaints in {elapsed:.1f}s")
    table.add_column("status")
    table.add_column("complaints", justify="right")
    by_status = Counter(d.summary.status.name for d in details.values())
    for name, count in by_status.most_common():
        table.add_row(name, f"{count:,}")
    console.print(table)
    answers = Counter(sim.requests.counts)
    console.print(
        f"Survived {sum(v for k, v in answers.items() if k != '200'):,} faulty answers "
        f"of {sum(answers.values()):,} ({dict(answers)}); quarantined {len(quarantined)} "
        f"malformed record(s), {vanished} complaint(s) vanished while reading."
    )
    same = world.truth() == details
    console.print(
        "Mirror equals the simulator's truth: "
        + ("[green]yes[/green]" if same else "[yellow]not yet (the world moved on)[/yellow]")
    )


if __name__ == "__main__":
    main()
