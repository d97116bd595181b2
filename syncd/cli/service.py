"""``syncd run`` (the daemon in the foreground, until SIGTERM or SIGINT), ``syncd status``
and ``syncd demo``."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from syncd.cli.common import ConfigOption, console, load_or_exit, open_engine, stdout_console
from syncd.report.escape import rich_markup, rich_text


def run(config: ConfigOption = None) -> None:
    """Run the service: sync every source, keep the clocks, send the mail, serve metrics.

    Speaks systemd's notification protocol when run as a Type=notify service.
    """
    from syncd.cli.check_config import load_and_warn
    from syncd.cli.common import EXIT_CONFIG
    from syncd.daemon.foreground import Foreground
    from syncd.daemon.notify import Notifier
    from syncd.store.holder import DatabaseInUse
    from syncd.wiring import SourceUnusable

    loaded = load_and_warn(config)  # each weak setting logged at WARNING
    engine = open_engine(loaded)
    try:
        code = Foreground(loaded, engine, Notifier()).run()
    except DatabaseInUse as exc:
        console.print(str(exc), style="red", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from exc
    except SourceUnusable as exc:
        console.print(f"[red]{rich_markup(str(exc))}[/red]")
        raise typer.Exit(EXIT_CONFIG) from exc
    except OSError as exc:
        problem = rich_markup(f"cannot serve metrics on {loaded.metrics.listen}: {exc}")
        console.print(f"[red]{problem}[/red]")
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    raise typer.Exit(code)


def status(
    config: ConfigOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object, for scripts.")] = False,
) -> None:
    """Sources and their freshness, complaints by status, running clocks, the outbox;
    on PostgreSQL the processes sharing the database and which one leads.

    Exits 1 when a source has not synced successfully within 3 poll intervals."""
    import json
    from datetime import UTC, datetime

    from syncd.cli.tables import wrapping_table
    from syncd.daemon.status import database_now, read_status

    loaded = load_or_exit(config)
    engine = open_engine(loaded)
    try:
        with engine.connect() as connection:
            at = database_now(connection)
            report = read_status(connection, loaded, datetime.now(UTC), at)
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps(report, indent=2))
    else:
        sources = wrapping_table(
            "sources", "source", "fresh", "last success", "last run", "error",
            times=("last success",),
        )  # fmt: skip
        for s in report["sources"]:
            run = s["last_run"] or {}
            sources.add_row(
                rich_text(s["name"]),
                "[green]yes[/green]" if s["fresh"] else "[red]no[/red]",
                s["last_success"] or "never",
                rich_text(run.get("result", "-")),
                rich_text(run.get("error") or ""),
            )
        out = stdout_console()  # the data: stdout (CONTRACT.md section 4)
        out.print(sources)
        complaints = report["complaints"]
        out.print(
            f"complaints: {complaints['total']:,} ("
            + ", ".join(f"{rich_markup(k)} {v:,}" for k, v in complaints["by_status"].items())
            + ")"
        )
        clocks = report["clocks_running"]
        out.print("running clocks: " + ", ".join(f"{k} {v:,}" for k, v in clocks.items()))
        if report["breached_by_agency"]:
            out.print(
                "most overdue agencies: "
                + ", ".join(
                    f"{rich_markup(a)} ({n})" for a, n in report["breached_by_agency"].items()
                )
            )
        outbox = report["outbox"]
        out.print(
            f"outbox: {outbox['pending']} pending, {outbox['held']} held, "
            f"{outbox['failed']} failed"
            + (
                f"; oldest pending since {outbox['oldest_pending']}"
                if outbox["oldest_pending"]
                else ""
            )
        )
        _print_processes(out, report)
    raise typer.Exit(0 if all(s["fresh"] for s in report["sources"]) else 1)


def _print_processes(out: Console, report: dict[str, Any]) -> None:
    """The processes sharing the database and the lease (CONTRACT.md section 8):
    nothing at all on SQLite, or before any process has led."""
    from syncd.cli.tables import wrapping_table

    if report["processes"]:
        processes = wrapping_table(
            "processes", "host", "pid", "role", "since", "last seen",
            times=("since",), right=("pid",),
        )  # fmt: skip
        for p in report["processes"]:
            role = rich_text(p["role"])
            if p["leads"]:
                role = Text.assemble(role, f" ({p['fencing']})", style="bold")
            processes.add_row(
                rich_text(p["host"]),
                str(p["pid"]),
                role,
                _utc_minute(p["started_at"]),
                f"{_seconds(p['seen_seconds_ago'])} ago",
            )
        out.print(processes)
    leader = report["leader"]
    if leader is None:
        return
    who = rich_text(f"{leader['host']} pid {leader['pid']}" if leader["host"] else leader["id"])
    left = leader["expires_in_seconds"]
    if leader["expired"]:
        out.print(
            Text.assemble(
                ("no leader", "red"),
                ": the lease of ",
                who,
                f" (fencing {leader['fencing']}) expired {_seconds(-left)} ago",
            )
        )
    else:
        out.print(
            Text.assemble(
                "leader: ",
                who,
                f" (fencing {leader['fencing']}), lease expires in {_seconds(left)}",
            )
        )


def _utc_minute(iso: str) -> str:
    from datetime import datetime

    return f"{datetime.fromisoformat(iso):%Y-%m-%d %H:%M} UTC"


def _seconds(amount: float) -> str:
    from datetime import timedelta

    from syncd.config import format_duration

    return format_duration(timedelta(seconds=round(amount)))


def demo(
    duration: Annotated[
        str | None,
        typer.Option(help='Stop by itself after this long, e.g. "90s" or "5m" (default: Ctrl-C).'),
    ] = None,
    listen: Annotated[str, typer.Option(help="Where the metrics are served.")] = "127.0.0.1:9477",
    complaints: Annotated[
        int, typer.Option(min=1, help="Complaints on the simulated platform at start.")
    ] = 3000,
) -> None:
    """Everything on embedded defaults: the built-in simulator, SQLite in ./syncd-demo/,
    mail as .eml files in ./syncd-demo/mail/ (at any hour), metrics on 127.0.0.1:9477."""
    import logging

    from syncd.config import parse_duration
    from syncd.daemon.demo import run_demo

    # The demo's screen is for a person: its status lines, and warnings only.
    root = logging.getLogger()
    root.setLevel(max(root.level, logging.WARNING))

    try:
        stop_after = parse_duration(duration) if duration else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--duration") from exc
    try:
        code = run_demo(console, duration=stop_after, listen=listen, complaints=complaints)
    except OSError as exc:
        problem = rich_markup(f"cannot serve metrics on {listen}: {exc}")
        console.print(f"[red]{problem}[/red] (try --listen)")
        raise typer.Exit(1) from exc
    raise typer.Exit(code)
