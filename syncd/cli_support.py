"""What every command shares: the ``-c`` option, the console, loading the
configuration (exit 78 on a bad file), and opening the database at the newest schema."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from syncd.clock.keeper import ClockKeeper
    from syncd.config import Config

EXIT_CONFIG = 78

console = Console(stderr=True)

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="Configuration file (else $SYNCD_CONFIG, else /etc/syncd/syncd.toml).",
    ),
]


def load_or_exit(config: Path | None) -> Config:
    """The configuration, or exit 78 with every problem."""
    from syncd.config import ConfigError, load_config, resolve_path

    try:
        return load_config(resolve_path(config))
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_CONFIG) from exc


def clock_keeper(config: Config) -> ClockKeeper:
    """The clock keeper, with the alert planner watching when alerts are enabled: every
    command that writes clocks records the alerts they call for in the same transaction."""
    from alerts.service import keeper_for

    return keeper_for(config)


def open_engine(config: Config) -> Engine:
    """The database engine, its schema upgraded to the newest first."""
    from syncd.store import make_engine, upgrade
    from syncd.store.migrate import current_revision, head_revision

    engine = make_engine(config.database.url)
    if current_revision(engine) != head_revision(engine):
        console.print("upgrading the database schema…")
        upgrade(engine)
    return engine
