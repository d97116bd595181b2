"""A guided look at what exists so far: a faulty simulator mirrored into SQLite, and
the alert mail its clocks call for, written as files.

Run by ``make demo`` until the daemon's own ``syncd demo`` exists. It starts the
simulator on loopback with every fault switched on, mirrors it through the real
connector and sync engine into ``./syncd-demo/syncd.db``, then shows what the mirror
holds, what was survived on the way, and whether it equals the simulator's truth.
Last, one pass of the alert job writes each mail as an ``.eml`` file under
``./syncd-demo/mail/``, ignoring office hours so that mail appears at any hour.
"""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, func, select

from alerts.service import AlertService, keeper_for
from connectors.retry import RetryPolicy
from connectors.simulator import Faults, Simulator, World, WorldSettings
from connectors.sp4n_lapor import LaporConnector, LaporSettings, build_client
from syncd.config import Config
from syncd.store import make_engine, upgrade
from syncd.store.read import mirrored_details
from syncd.store.tables import CLOCKS, COMPLAINTS, QUARANTINE
from syncd.sync.console import summary, sync_with_progress

COMPLAINTS_NOW = 3000
SOURCE = "demo"
DEMO = Path("syncd-demo")
DATABASE = DEMO / "syncd.db"
MAIL = DEMO / "mail"
# Embedded defaults, plus who hears about every agency.
CONFIG = Config.model_validate(
    {
        "database": {"url": f"sqlite:///{DATABASE}"},
        "sources": [{"name": SOURCE, "kind": "simulator"}],
        "alerts": {
            "routes": [
                {
                    "agency": "*",
                    "to": ["penghubung@demo.example.go.id"],
                    "escalate_to": ["asisten@demo.example.go.id"],
                }
            ]
        },
    }
)
LOOK_INSIDE = "select status_name, count(*) from complaints group by 1"


def main() -> None:
    console = Console()
    logging.basicConfig(level=logging.ERROR)
    world = World.generate(
        WorldSettings(complaints=COMPLAINTS_NOW, seed=42, malformed_rate=0.01, vanish_rate=0.02),
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
    DATABASE.unlink(missing_ok=True)
    shutil.rmtree(MAIL, ignore_errors=True)
    engine = make_engine(f"sqlite:///{DATABASE}")
    upgrade(engine)
    with Simulator(world, faults, seed=42) as sim:
        console.print(
            f"Simulator on [bold]{sim.base_url}[/bold] with {world.listed_count():,} complaints;"
            f" faults: {faults.describe()}\nMirroring into [bold]{DATABASE}[/bold]…"
        )
        settings = LaporSettings(
            base_url=sim.base_url,
            api_key="demo",
            token="demo",  # noqa: S106 (the simulator's, asked for by nothing)
            retry=RetryPolicy(initial_backoff=0.05, max_backoff=1.0),
        )
        connector = LaporConnector(settings, build_client(settings))
        clocks = keeper_for(CONFIG)
        stats = sync_with_progress(engine, connector, SOURCE, False, console, clocks)
        faults.quiet()
        again = sync_with_progress(engine, connector, SOURCE, False, console, clocks)
        connector.close()
        console.print(summary([stats, again]))
        show_mirror(engine, console)
        answers = sim.requests.counts
        console.print(
            f"Survived {sum(v for k, v in answers.items() if k != '200'):,} faulty answers of "
            f"{sum(answers.values()):,}: {dict(sorted(answers.items()))}"
        )
        with engine.connect() as connection:
            quarantined = set(
                connection.execute(
                    select(QUARANTINE.c.upstream_id).where(QUARANTINE.c.resolved_at.is_(None))
                ).scalars()
            )
            held = mirrored_details(connection, SOURCE)
        same = {k: v for k, v in held.items() if k not in quarantined} == world.truth()
    console.print(
        "Mirror equals the simulator's truth: "
        + ("[green]yes[/green]" if same else "[yellow]not yet (the world moved on)[/yellow]")
        + f"\nLook inside: sqlite3 {DATABASE} '{LOOK_INSIDE}'"
    )
    send_alerts(engine, console)
    engine.dispose()


def send_alerts(engine: Engine, console: Console) -> None:
    alerts = AlertService.from_config(CONFIG, engine, mail_dir=MAIL, any_hour=True)
    sent = alerts.run_once().dispatched.sent
    kinds = ", ".join(f"{n:,} {kind}" for kind, n in sorted(sent.items())) or "none"
    files = sorted(MAIL.glob("*.eml"))
    console.print(f"Alert mail written to [bold]{MAIL}/[/bold]: {kinds} ({len(files):,} files)")
    if files:
        console.print(
            f"Open one in a mail client, or read it: less {files[len(files) // 2]}\n"
            "(the demo ignores office hours; the service sends only in the agency's)"
        )


def show_mirror(engine: Engine, console: Console) -> None:
    c = COMPLAINTS.c
    with engine.connect() as connection:
        rows = connection.execute(
            select(c.status_name, func.count())
            .group_by(c.status_name)
            .order_by(func.count().desc())
        ).all()
    table = Table(title=f"The mirror ({DATABASE})")
    table.add_column("status")
    table.add_column("complaints", justify="right")
    for name, count in rows:
        table.add_row(name, f"{count:,}")
    console.print(table)
    k = CLOCKS.c
    with engine.connect() as connection:
        states = connection.execute(
            select(k.kind, k.state, func.count()).group_by(k.kind, k.state)
        ).all()
    kinds = sorted({kind for kind, _, _ in states})
    order = [
        "on_track",
        "due_soon",
        "breached",
        "paused",
        "met",
        "late",
        "transferred",
        "cancelled",
    ]
    clocks = Table(title="Response clocks by state")
    clocks.add_column("clock")
    for state in order:
        clocks.add_column(state, justify="right")
    counts = {(kind, state): n for kind, state, n in states}
    for kind in kinds:
        clocks.add_row(kind, *(f"{counts.get((kind, s), 0):,}" for s in order))
    console.print(clocks)


if __name__ == "__main__":
    main()
