"""``syncd alerts``: preview, the outbox, and one pass of the alert job."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from syncd.cli.common import (
    ConfigOption,
    JsonOption,
    console,
    load_or_exit,
    open_engine,
    parse_wall_time,
    print_json,
    stdout_console,
)
from syncd.cli.tables import wrapping_table
from syncd.report.escape import rich_markup, rich_text

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from syncd.config import Config

alerts_app = typer.Typer(help="Alert emails.", no_args_is_help=True)


def _local(at: datetime | None, zone_name: str) -> str:
    from syncd.clock.calendar import zone_abbreviation
    from syncd.clock.policy import zone

    if at is None:
        return ""
    tz = zone(zone_name)
    return f"{at.astimezone(tz):%Y-%m-%d %H:%M} {zone_abbreviation(tz, at)}"


@alerts_app.command("preview")
def preview(
    config: ConfigOption = None,
    at: Annotated[
        str | None,
        typer.Option(help='The moment, "YYYY-MM-DD HH:MM" wall time in --tz (default: now).'),
    ] = None,
    tz: Annotated[str, typer.Option(help="The zone --at is read in.")] = "Asia/Jakarta",
    as_json: JsonOption = False,
) -> None:
    """Print what would be sent at that moment, without sending or recording anything."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from alerts.preview import preview as build_preview
    from syncd.wiring import alert_service

    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise typer.BadParameter(f"{tz!r} is not an IANA time zone", param_hint="--tz") from exc
    moment = datetime.now(UTC)
    if at is not None:
        moment = parse_wall_time(at, "--at").replace(tzinfo=zone)
    loaded = load_or_exit(config)
    if not loaded.alerts.enabled:
        if as_json:
            print_json({"at": moment, "enabled": False, "mails": []})
        console.print("alerts are disabled ([alerts] enabled = false): nothing would be sent")
        raise typer.Exit(0)
    engine = open_engine(loaded)
    service = alert_service(loaded, engine)
    mails = build_preview(service, moment)
    engine.dispose()
    if as_json:
        fields = ("sends_at", "kind", "tracking_id", "due_at", "recipient", "key", "zone")
        shown = [{**{name: getattr(m, name) for name in fields}, "from": m.origin} for m in mails]
        print_json({"at": moment, "enabled": True, "mails": shown})
        return
    table = wrapping_table(
        f"would be sent at {_local(moment, tz)} ({len(mails)} mails)",
        *("sends at", "kind", "tracking id", "due", "recipient", "key", "from"),
        times=("sends at", "due"),
    )
    for mail in mails:
        table.add_row(
            _local(mail.sends_at, mail.zone),
            mail.kind,
            rich_text(mail.tracking_id or ""),
            _local(mail.due_at, mail.zone),
            rich_text(mail.recipient),
            rich_text(mail.key),
            mail.origin,
        )
    stdout_console().print(table)
    later = sum(1 for mail in mails if mail.sends_at > moment)
    if later:
        console.print(
            f"{later} of them wait for their delivery window (office hours, working days)"
        )


@alerts_app.command("outbox")
def outbox(
    config: ConfigOption = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Also sent, skipped and cancelled mail.")
    ] = False,
    limit: Annotated[int, typer.Option(min=1, help="At most this many rows.")] = 200,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object (counts and rows), for scripts.")
    ] = False,
) -> None:
    """List pending, held and failed mail (with --all: every row), oldest first."""
    import json

    from sqlalchemy import func, select

    from syncd.store.tables import COMPLAINTS, OUTBOX
    from syncd.vocabulary import UNSENT, OutboxStatus

    loaded = load_or_exit(config)
    engine = open_engine(loaded)
    o = OUTBOX.c
    query = select(OUTBOX, COMPLAINTS.c.tracking_id).outerjoin(
        COMPLAINTS, COMPLAINTS.c.id == o.complaint_id
    )
    if not everything:
        query = query.where(o.status.in_(UNSENT))
    with engine.connect() as connection:
        counts: dict[str, int] = {
            status: n
            for status, n in connection.execute(select(o.status, func.count()).group_by(o.status))
        }
        rows = list(connection.execute(query.order_by(o.created_at, o.id).limit(limit)).mappings())
    engine.dispose()
    if as_json:
        fields = ("status", "kind", "tracking_id", "recipient", "attempts", "next_attempt_at",
                  "reason", "key", "created_at", "sent_at")  # fmt: skip
        shown = [{name: row.get(name) for name in fields} for row in rows]
        document = {"counts": counts, "rows": shown}
        typer.echo(json.dumps(document, indent=2, default=lambda v: v.isoformat()))
        return
    table = wrapping_table(
        "alert outbox",
        *("status", "kind", "tracking id", "recipient", "attempts", "next", "reason", "key"),
        times=("next",),
        right=("attempts",),
    )
    for row in rows:
        table.add_row(
            row["status"],
            row["kind"],
            rich_text(row["tracking_id"] or ""),
            rich_text(row["recipient"]),
            str(row["attempts"]),
            _local(row["next_attempt_at"], row["zone"])
            if row["status"] == OutboxStatus.PENDING
            else "",
            rich_text(row["reason"] or ""),
            rich_text(row["key"]),
        )
    stdout_console().print(table)
    summary = ", ".join(f"{n:,} {status}" for status, n in sorted(counts.items())) or "empty"
    console.print(f"outbox: {summary}")


@alerts_app.command("send")
def send(
    config: ConfigOption = None,
    to_files: Annotated[
        Path | None,
        typer.Option(help="Write .eml files into this directory instead of using SMTP."),
    ] = None,
    any_hour: Annotated[
        bool, typer.Option("--any-hour", help="Ignore office hours and working days.")
    ] = False,
    batch_size: Annotated[int, typer.Option(min=1, help="Mails per SMTP connection.")] = 100,
    as_json: JsonOption = False,
) -> None:
    """One pass of the alert job: tick the clocks, record digests, send the outbox.

    Run by the daemon on its schedule; by hand, as the only dispatcher. Exit 1 when
    some mail could not be delivered (it stays in the outbox).
    """
    from syncd.wiring import alert_service

    loaded = load_or_exit(config)
    if not loaded.alerts.enabled:
        if as_json:
            print_json({"enabled": False})
        console.print("alerts are disabled ([alerts] enabled = false): nothing to send")
        raise typer.Exit(0)
    engine = open_engine(loaded)
    leading = _leader_alive(loaded, engine)
    if leading is not None:
        engine.dispose()
        console.print(
            f"{rich_markup(leading)} leads this database and sends its mail: a second "
            "dispatcher beside it could send a mail twice (its takeover frees every "
            "claim). Nothing was sent.",
            style="red",
        )
        raise typer.Exit(1)
    service = alert_service(
        loaded, engine, mail_dir=to_files, any_hour=any_hour, batch_size=batch_size
    )
    released = service.dispatcher.release_claims()
    if released:
        console.print(f"released {released} claims left by an earlier dispatcher")
    result = service.run_once()
    engine.dispose()
    sent = result.dispatched
    failed = bool(sent.temporary or sent.permanent)
    if as_json:
        print_json(
            {
                "enabled": True,
                "released_claims": released,
                "clocks_evaluated": result.clocks_evaluated,
                "digests_recorded": result.digests,
                "sent": dict(sorted(sent.sent.items())),
                "deferred": sent.deferred,
                "temporary_failures": sent.temporary,
                "permanent_failures": sent.permanent,
            }
        )
        raise typer.Exit(1 if failed else 0)
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(sent.sent.items())) or "nothing"
    console.print(
        f"clocks evaluated: {result.clocks_evaluated:,}; digests recorded: {result.digests}; "
        f"sent: {kinds}; deferred to their window: {sent.deferred}; "
        f"temporary failures: {sent.temporary}; permanent failures: {sent.permanent}"
    )
    raise typer.Exit(1 if failed else 0)


def _leader_alive(config: Config, engine: Engine) -> str | None:
    """On PostgreSQL: the ``syncd run`` whose lease is alive, named; else None."""
    if engine.dialect.name != "postgresql":
        return None
    from syncd.store.lease import Lease

    seen = Lease(engine, config.ha.lease_ttl).leader()
    if seen is None or seen.expires_in <= 0:
        return None
    return f"syncd run pid {seen.pid} on {seen.host} (fencing {seen.fencing})"
