"""``syncd deadline``: when a clock started at some instant falls due, and why."""

from __future__ import annotations

from typing import Annotated

import typer

from syncd.cli.common import ConfigOption, JsonOption, load_or_exit, parse_wall_time, print_json


def deadline(
    start: Annotated[
        str, typer.Option(help='Wall time in --tz the clock started: "YYYY-MM-DD HH:MM".')
    ],
    working_days: Annotated[int, typer.Option(min=0, help="The clock's working days.")],
    tz: Annotated[str, typer.Option(help="The agency's time zone.")] = "Asia/Jakarta",
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Print the due instant of a clock; its ISO 8601 form is the last line of stdout.

    With -c, the configuration's calendar applies (extra holidays and working days,
    joint_holidays); without it, the national calendar alone. With --json, one object
    instead: the start, the due instant, the days off and weekend days skipped.
    """
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
    if config is None:
        calendar = WorkingCalendar()
    else:
        from syncd.wiring import working_calendar

        calendar = working_calendar(load_or_exit(config).calendar)
    started = wall.replace(tzinfo=zone)
    try:
        due = calendar.due_instant(started, working_days, zone)
    except OverflowError as exc:
        raise typer.BadParameter(f"{exc}", param_hint="--working-days") from exc

    first, last = started.date(), due.date()
    days_off = calendar.holidays_between(first, last)
    weekend_days = calendar.weekend_days_between(first, last)
    if as_json:
        print_json(
            {
                "start": started,
                "tz": tz,
                "working_days": working_days,
                "due": due,
                "holidays": [
                    {
                        "date": day_off.day,
                        "name": day_off.name,
                        "joint": day_off.joint,
                        "weekend": day_off.day.weekday() >= 5,
                        "estimated": day_off.estimated,
                    }
                    for day_off in days_off
                ],
                "weekend_days": weekend_days,
            }
        )
        return
    abbreviation = zone_abbreviation(zone, started)
    typer.echo(
        f"start:    {started:%a %Y-%m-%d %H:%M} {abbreviation} ({tz}); "
        "the start date does not count"
    )
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
    typer.echo(f"weekends: {weekend_days} day{'s' if weekend_days != 1 else ''} skipped")
    if any(day_off.estimated for day_off in days_off):
        typer.echo("note:     estimated dates may still move when the government decrees them")
    typer.echo(
        f"due:      working day {working_days} after {first:%Y-%m-%d} is "
        f"{due:%a %Y-%m-%d}, at {due:%H:%M:%S} {zone_abbreviation(zone, due)}"
    )
    typer.echo(due.isoformat())
