"""The ``syncd`` command line (CONTRACT.md section 4).

Commands appear here as they are built; none pretends to work before it does.
Exit codes: 0 ok, 1 failure, 2 usage, 78 configuration error.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from syncd import __version__
from syncd.cli_support import (
    EXIT_CONFIG,
    ConfigOption,
    clock_keeper,
    console,
    load_or_exit,
    open_engine,
    parse_wall_time,
)

if TYPE_CHECKING:
    pass

app = typer.Typer(
    name="syncd",
    help="Mirrors SP4N-LAPOR! complaints and keeps their legal response clocks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"syncd {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
    log_level: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
) -> None:
    level = logging.getLevelName(log_level.upper())
    if not isinstance(level, int):
        raise typer.BadParameter(f"unknown log level {log_level!r}", param_hint="--log-level")
    # Under systemd (JOURNAL_STREAM set) the journal stamps each line itself.
    stamp = "" if os.environ.get("JOURNAL_STREAM") else "%(asctime)s "
    logging.basicConfig(
        level=level,
        format=stamp + "level=%(levelname)s logger=%(name)s %(message)s",
    )
    if level > logging.DEBUG:
        # One line per HTTP request, migration step or job run is noise below debug;
        # the connector logs every retry and failure itself, the daemon every job
        # that fails or is missed.
        for chatty in ("httpx", "httpcore", "alembic", "apscheduler"):
            logging.getLogger(chatty).setLevel(logging.WARNING)
        # The daemon logs a failing job in one line; the traceback goes to debug.
        logging.getLogger("apscheduler.executors").setLevel(logging.CRITICAL)


def _secret(file: Path | None, env: str) -> str | None:
    """A secret from a file (systemd credentials) or the environment, never argv."""
    if file is not None:
        try:
            return file.read_text().strip()
        except OSError as exc:
            console.print(f"[red]cannot read {file}: {exc.strerror}[/red]")
            raise typer.Exit(EXIT_CONFIG) from exc
    return os.environ.get(env) or None


def _host_port(listen: str) -> tuple[str, int]:
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise typer.BadParameter(f"expected HOST:PORT, got {listen!r}", param_hint="--listen")
    return host.strip("[]"), int(port)


@app.command()
def simulate(
    listen: Annotated[str, typer.Option(help="HOST:PORT to serve on.")] = "127.0.0.1:8081",
    complaints: Annotated[int, typer.Option(min=0, help="Complaints on the platform now.")] = 1000,
    seed: Annotated[int, typer.Option(help="Same seed, same world.")] = 1,
    error_rate: Annotated[float, typer.Option(min=0, max=1, help="5xx answers.")] = 0.0,
    rate_limit_rate: Annotated[float, typer.Option(min=0, max=1, help="429 bursts.")] = 0.0,
    latency: Annotated[float, typer.Option(min=0, help="Up to this many seconds' delay.")] = 0.0,
    truncate_rate: Annotated[float, typer.Option(min=0, max=1, help="Bodies cut short.")] = 0.0,
    malformed_rate: Annotated[
        float, typer.Option(min=0, max=1, help="Complaints served malformed.")
    ] = 0.0,
    duplicate_rate: Annotated[
        float, typer.Option(min=0, max=1, help="Listing pages with a complaint twice.")
    ] = 0.0,
    mutate_rate: Annotated[
        float, typer.Option(min=0, max=1, help="Listing requests that update complaints first.")
    ] = 0.0,
    late_write_rate: Annotated[
        float, typer.Option(min=0, max=1, help="Listing requests that write minutes late.")
    ] = 0.0,
    vanish_rate: Annotated[
        float, typer.Option(min=0, max=1, help="Complaints removed upstream.")
    ] = 0.0,
    same_second: Annotated[
        int, typer.Option(min=0, help="Complaints sharing one updated_at second.")
    ] = 0,
    history_days: Annotated[
        float, typer.Option(min=0.01, help="Days over which --complaints arrived.")
    ] = 120.0,
    frozen: Annotated[
        bool, typer.Option(help="Stop the world's clock at start: nothing changes by itself.")
    ] = False,
    api_key_file: Annotated[
        Path | None,
        typer.Option(help="Require this API key (else $SYNCD_SIMULATOR_API_KEY, if set)."),
    ] = None,
    token_file: Annotated[
        Path | None, typer.Option(help="Require this token (else $SYNCD_SIMULATOR_TOKEN, if set).")
    ] = None,
) -> None:
    """Serve the built-in SP4N-LAPOR! simulator until interrupted."""
    from connectors.simulator import Faults, Simulator, World, WorldSettings

    host, port = _host_port(listen)
    faults = Faults(
        error_rate=error_rate,
        rate_limit_rate=rate_limit_rate,
        latency=latency,
        truncate_rate=truncate_rate,
        duplicate_rate=duplicate_rate,
        mutate_rate=mutate_rate,
        late_write_rate=late_write_rate,
        api_key=_secret(api_key_file, "SYNCD_SIMULATOR_API_KEY"),
        token=_secret(token_file, "SYNCD_SIMULATOR_TOKEN"),
    )
    started = time.perf_counter()
    started_at = time.time()
    with console.status(f"generating {complaints:,} complaints (seed {seed})…"):
        world = World.generate(
            WorldSettings(
                complaints=complaints,
                seed=seed,
                malformed_rate=malformed_rate,
                vanish_rate=vanish_rate,
                same_second=same_second,
                history_days=history_days,
            ),
            clock=(lambda: started_at) if frozen else time.time,
        )
    try:
        sim = Simulator(world, faults, host=host, port=port, seed=seed)
    except OSError as exc:
        console.print(f"[red]cannot listen on {listen}: {exc.strerror}[/red]")
        raise typer.Exit(1) from exc
    url = sim.base_url
    arriving = len(world.complaints) - complaints
    console.print(
        f"SP4N-LAPOR! simulator on [bold]{url}[/bold]: {world.listed_count():,} complaints "
        f"now, {arriving:,} more arriving over {world.settings.future_days} days "
        f"(seed {seed}, ready in {time.perf_counter() - started:.1f}s); "
        f"faults: {faults.describe()}\n"
        f"  curl '{url}/complaints?page=1&page_size=5'\n"
        f"  curl '{url}/complaints/{{id}}/complaint'\n"
        "Ctrl-C stops it."
    )

    def _stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        sim.serve_forever()
    except KeyboardInterrupt:
        console.print("simulator stopped")
    finally:
        sim.close()


@app.command("check-config")
def check_config(config: ConfigOption = None) -> None:
    """Validate the configuration: exit 0, or list every problem and exit 78."""
    from syncd.config import ConfigError, load_config, resolve_path

    path = resolve_path(config)
    try:
        loaded = load_config(path)
    except ConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_CONFIG) from exc
    count = len(loaded.sources)
    typer.echo(f"config OK: {path} ({count} source{'s' if count != 1 else ''})")


@app.command()
def sync(
    config: ConfigOption = None,
    source: Annotated[
        str | None, typer.Option(help="Only this source (default: every source).")
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Re-list everything and mark what vanished.")
    ] = False,
) -> None:
    """One sync pass per source with a progress bar, then a summary; exit 0 or 1."""
    from syncd.sync import StoreError
    from syncd.sync.console import run_passes, summary
    from syncd.sync.sources import SourceUnusable

    loaded = load_or_exit(config)
    sources = list(loaded.sources)
    if source is not None:
        sources = [s for s in sources if s.name == source]
        if not sources:
            names = ", ".join(s.name for s in loaded.sources)
            raise typer.BadParameter(f"no source {source!r}; configured: {names}")
    engine = open_engine(loaded)
    try:
        results = run_passes(
            engine, sources, full=full, console=console, clocks=clock_keeper(loaded)
        )
    except SourceUnusable as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(EXIT_CONFIG) from exc
    except StoreError as exc:  # the run record itself could not be written
        console.print(f"[red]{exc}[/red] ({exc.kind})")
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    console.print(summary(results))
    for stats in results:
        if stats.error is not None:
            console.print(f"[red]{stats.source}: {stats.error.kind}: {stats.error}[/red]")
    raise typer.Exit(0 if all(s.ok for s in results) else 1)


@app.command()
def deadline(
    start: Annotated[
        str, typer.Option(help='Wall time in --tz the clock started: "YYYY-MM-DD HH:MM".')
    ],
    working_days: Annotated[int, typer.Option(min=0, help="The clock's working days.")],
    tz: Annotated[str, typer.Option(help="The agency's time zone.")] = "Asia/Jakarta",
    config: ConfigOption = None,
) -> None:
    """Print the due instant of a clock; its ISO 8601 form is the last line of stdout.

    With -c, the configuration's calendar applies (extra holidays and working days,
    joint_holidays); without it, the national calendar alone.
    """
    from datetime import timedelta
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from syncd.clock import WorkingCalendar, zone_abbreviation

    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise typer.BadParameter(
            f"{tz!r} is not an IANA time zone (e.g. Asia/Jakarta, Asia/Makassar, Asia/Jayapura)",
            param_hint="--tz",
        ) from exc
    wall = parse_wall_time(start, "--start")
    calendar = (
        WorkingCalendar()
        if config is None
        else WorkingCalendar.from_config(load_or_exit(config).calendar)
    )
    started = wall.replace(tzinfo=zone)
    try:
        due = calendar.due_instant(started, working_days, zone)
    except OverflowError as exc:
        raise typer.BadParameter(f"{exc}", param_hint="--working-days") from exc

    first, last = started.date(), due.date()
    abbreviation = zone_abbreviation(zone, started)
    typer.echo(
        f"start:    {started:%a %Y-%m-%d %H:%M} {abbreviation} ({tz}); "
        "the start date does not count"
    )
    days_off = calendar.holidays_between(first, last)
    for index, day_off in enumerate(days_off):
        flags = (
            ("cuti bersama", day_off.joint),
            ("weekend", day_off.day.weekday() >= 5),
            ("perkiraan / estimated", day_off.estimated),
        )
        notes = [note for note, on in flags if on]
        label = "holidays:" if index == 0 else ""
        suffix = f" ({', '.join(notes)})" if notes else ""
        typer.echo(f"{label:<9} {day_off.day:%a %Y-%m-%d} {day_off.name}{suffix}")
    holiday_days = {day_off.day for day_off in days_off}
    span = (last - first).days
    weekend_days = sum(
        1
        for offset in range(1, span + 1)
        if (day := first + timedelta(days=offset)).weekday() >= 5
        and day not in holiday_days
        and not calendar.is_working_day(day)
    )
    typer.echo(f"weekends: {weekend_days} day{'s' if weekend_days != 1 else ''} skipped")
    if any(day_off.estimated for day_off in days_off):
        typer.echo("note:     estimated dates may still move when the government decrees them")
    typer.echo(
        f"due:      working day {working_days} after {first:%Y-%m-%d} is "
        f"{due:%a %Y-%m-%d}, at {due:%H:%M:%S} {zone_abbreviation(zone, due)}"
    )
    typer.echo(due.isoformat())


db_app = typer.Typer(help="The mirror's database.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None) -> None:
    """Apply schema migrations up to the newest."""
    from syncd.store import make_engine, upgrade
    from syncd.store.migrate import current_revision, head_revision

    engine = make_engine(load_or_exit(config).database.url)
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    engine.dispose()
    if before == after:
        typer.echo(f"schema already at {after}")
    else:
        typer.echo(
            f"schema upgraded: {before or 'empty'} -> {after} (head {head_revision(engine)})"
        )


clocks_app = typer.Typer(help="Response clocks.", no_args_is_help=True)
app.add_typer(clocks_app, name="clocks")


@clocks_app.command("show")
def clocks_show(
    tracking_id: Annotated[str, typer.Argument(help="The complaint's tracking id.")],
    config: ConfigOption = None,
) -> None:
    """A complaint's clocks, their state now, and its history."""
    from datetime import UTC, datetime

    from syncd.clock.console import clocks_table, find_complaint, history_table

    loaded = load_or_exit(config)
    engine = open_engine(loaded)
    found = find_complaint(engine, tracking_id)
    if found is None:
        console.print(f"[red]no complaint {tracking_id!r} in the mirror[/red]")
        raise typer.Exit(1)
    row_id, detail = found
    keeper = clock_keeper(loaded)
    out = Console()
    out.print(clocks_table(engine, row_id, detail, keeper, datetime.now(UTC)))
    holder = detail.summary.disposition
    out.print(history_table(detail, keeper.policy.zone_name(holder.id if holder else None)))
    engine.dispose()


@clocks_app.command("recompute")
def clocks_recompute(
    config: ConfigOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show which due dates move; change nothing.")
    ] = False,
) -> None:
    """Derive every complaint's clocks again, after a policy or calendar change."""
    from datetime import UTC, datetime

    from rich.progress import Progress

    from syncd.clock.console import moves_table

    loaded = load_or_exit(config)
    engine = open_engine(loaded)
    keeper = clock_keeper(loaded)
    with engine.connect() as connection:
        from sqlalchemy import func, select

        from syncd.store.tables import COMPLAINTS

        total = connection.execute(select(func.count()).select_from(COMPLAINTS)).scalar_one()
    with Progress(console=console) as bar:
        task = bar.add_task("recomputing clocks", total=total)
        result = keeper.recompute(
            engine,
            datetime.now(UTC),
            apply=not dry_run,
            progress=lambda n: bar.advance(task, n),
        )
    engine.dispose()
    Console().print(moves_table(result.moves, result.moved, keeper.policy.platform_zone))
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


from syncd.cli_alerts import alerts_app  # noqa: E402  (registered after the other commands)
from syncd.cli_report import report  # noqa: E402
from syncd.cli_run import demo, run, status  # noqa: E402

app.add_typer(alerts_app, name="alerts")
app.command(name="run")(run)
app.command(name="status")(status)
app.command(name="demo")(demo)
app.command(name="report")(report)


def main() -> None:
    app()
