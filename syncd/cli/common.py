"""What every command shares: the ``-c`` option, the console, loading the
configuration (exit 78 on a bad file), secrets given to a command, wall times typed
by hand, and opening the database at the newest schema.

Text from upstream reaches a console only through ``syncd.report.escape``
(``rich_text`` for a table cell, ``rich_markup`` inside markup); the consoles read
no emoji codes, so a name with ``:warning:`` in it prints as written."""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from syncd.config import Config

EXIT_CONFIG = 78

console = Console(stderr=True, emoji=False)
"""Messages and progress, on stderr."""


def stdout_console() -> Console:
    """Where a command's tables go: stdout as it is when the command runs."""
    return Console(emoji=False)


ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="Configuration file (else $SYNCD_CONFIG, else /etc/syncd/syncd.toml).",
    ),
]


JsonOption = Annotated[
    bool,
    typer.Option(
        "--json", help="One JSON document on stdout, for scripts (CONTRACT.md section 4)."
    ),
]


def _json_value(value: object) -> str:
    if isinstance(value, date):  # datetime too: ISO 8601, with its offset
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def print_json(document: Any) -> None:
    """``document`` as indented JSON on stdout, dates and instants in ISO 8601.

    Text stays as it came; control characters are written as ``\\u`` escapes, so
    none reaches a terminal."""
    typer.echo(json.dumps(document, indent=2, default=_json_value))


WALL_TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


def parse_wall_time(text: str, param_hint: str) -> datetime:
    """``"YYYY-MM-DD HH:MM"`` (seconds and a ``T`` allowed) as a naive wall time;
    a usage error (exit 2) naming ``param_hint`` otherwise."""
    for layout in WALL_TIME_FORMATS:
        try:
            return datetime.strptime(text.strip(), layout)
        except ValueError:
            continue
    raise typer.BadParameter(f'expected "YYYY-MM-DD HH:MM", got {text!r}', param_hint=param_hint)


def secret_option(file: Path | None, env: str) -> str | None:
    """A secret a command takes: from a file (systemd credentials), else from the
    environment variable ``env``; never from argv. An unreadable file exits 78."""
    from syncd.config.secrets import read_secret_file
    from syncd.report.escape import rich_markup

    if file is None:
        return os.environ.get(env) or None
    value, problem = read_secret_file(file)
    if problem is not None:
        console.print(f"[red]{rich_markup(problem)}[/red]")
        raise typer.Exit(EXIT_CONFIG)
    return value


def load_or_exit(config: Path | None) -> Config:
    """The configuration, or exit 78 with every problem."""
    from syncd.config import ConfigError, load_config, resolve_path

    try:
        return load_config(resolve_path(config))
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_CONFIG) from exc


def open_engine(config: Config) -> Engine:
    """The database engine, its schema upgraded to the newest first."""
    from syncd.store import make_engine, upgrade
    from syncd.store.migrate import current_revision, head_revision

    engine = make_engine(config.database.url)
    if current_revision(engine) != head_revision(engine):
        console.print("upgrading the database schema…")
        upgrade(engine)
    return engine
