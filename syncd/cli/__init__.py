"""The ``syncd`` command line (CONTRACT.md section 4): one module per command group.

Each module defines its commands; this one names them. Commands import what they
need when they run, so that ``syncd --help`` starts fast.
Exit codes: 0 ok, 1 failure, 2 usage, 78 configuration error.
"""

from __future__ import annotations

from typing import Annotated

import typer

from syncd.cli import (
    alerts,
    check_config,
    clocks,
    db,
    deadline,
    report,
    service,
    simulate,
    sync,
    track,
)
from syncd.cli.group import LogLevelAnywhere
from syncd.cli.logs import configure_logging, parse_level

app = typer.Typer(
    name="syncd",
    cls=LogLevelAnywhere,  # ``syncd sync -c F --log-level debug`` too
    help="Mirrors SP4N-LAPOR! complaints and keeps their legal response clocks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from syncd.cli.version import version_line

        typer.echo(version_line())
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help="Print the version (with the git revision when known).",
        ),
    ] = False,
    log_level: Annotated[
        str,
        typer.Option(
            help="debug, info, warning or error; also after the command's name.",
            envvar="SYNCD_LOG_LEVEL",
        ),
    ] = "info",
) -> None:
    try:
        level = parse_level(log_level)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--log-level") from exc
    configure_logging(level)


# In the order ``syncd --help`` has always listed them.
app.command()(simulate.simulate)
app.command("check-config")(check_config.check_config)
app.command()(sync.sync)
app.command()(deadline.deadline)
app.add_typer(db.db_app, name="db")
app.add_typer(clocks.clocks_app, name="clocks")
app.add_typer(alerts.alerts_app, name="alerts")
app.add_typer(track.track_app, name="track")
app.command(name="run")(service.run)
app.command(name="status")(service.status)
app.command(name="demo")(service.demo)
app.command(name="report")(report.report)


def main() -> None:
    app()
