"""``syncd report``: compliance figures per agency and clock for a period."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from syncd.cli.common import ConfigOption, console, load_or_exit, open_engine, stdout_console
from syncd.report.escape import rich_markup
from syncd.report.period import Period

if TYPE_CHECKING:
    from syncd.config import Config
    from syncd.report.figures import Report
    from syncd.report.wording import Wording


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    MD = "md"
    HTML = "html"


def report(
    config: ConfigOption = None,
    year: Annotated[
        int | None, typer.Option(help="A calendar year (the default: this one).")
    ] = None,
    month: Annotated[str | None, typer.Option(help="A month: YYYY-MM.")] = None,
    from_: Annotated[
        str | None, typer.Option("--from", help="First day, YYYY-MM-DD (with --to).")
    ] = None,
    to: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD, inclusive.")] = None,
    agency: Annotated[
        int | None, typer.Option(help="Only this agency, with its sub-units.")
    ] = None,
    format_: Annotated[Format, typer.Option("--format", help="How to print it.")] = Format.TABLE,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write here instead of stdout (html: a file name is chosen)."
        ),
    ] = None,
) -> None:
    """Per agency and clock: received, met, late, open, transferred, cancelled; ratios,
    grade, response times in working days; the complaints not followed up.

    Clocks count by the date they started. The grade bands are a local default, not a
    regulation ([compliance] grade_bands). The reporter's window is the citizen's: it is
    shown apart, never graded. In Indonesian, or English ([reports] language); JSON and
    CSV keep their keys."""
    from syncd.clock.compliance import GradeBands
    from syncd.report.figures import ReportSettings, build_report
    from syncd.report.render import to_table
    from syncd.report.wording import wording
    from syncd.wiring import working_calendar

    try:
        period = _period(year, month, from_, to)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    loaded = load_or_exit(config)
    engine = open_engine(loaded)
    settings = ReportSettings(
        calendar=working_calendar(loaded.calendar),
        bands=GradeBands(tuple(loaded.compliance.grade_bands)),
        names={a.id: a.name for a in loaded.agencies},
        agency=agency,
        zone=_reader_zone(loaded, agency),
        zones={a.timezone for a in loaded.agencies} | {s.timezone for s in loaded.sources},
    )
    words = wording(loaded.reports.language)
    try:
        with engine.connect() as connection:
            built = build_report(connection, period, datetime.now(UTC), settings)
    finally:
        engine.dispose()
    if not built.agencies:
        scope = f" for agency {agency} (or its sub-units)" if agency is not None else ""
        console.print(
            f"[yellow]no clock started between {period.start} and {period.end}{scope}[/yellow]"
        )
    if format_ is Format.TABLE and output is None:
        if built.agencies:
            stdout_console().print(to_table(built, words))
        return
    text = _rendered(built, format_, words)
    if format_ is Format.HTML and output is None:
        output = Path(f"syncd-report-{period.start}_{period.end}.html")
    if output is None:
        typer.echo(text, nl=False)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            problem = rich_markup(f"cannot write {output}: {exc.strerror or exc}")
            console.print(f"[red]{problem}[/red]")
            raise typer.Exit(1) from exc
        console.print(f"written: {rich_markup(str(output))}")


def _rendered(built: Report, format_: Format, words: Wording) -> str:
    import json

    from syncd.report.html import to_html
    from syncd.report.render import to_csv, to_json, to_markdown

    if format_ is Format.CSV:
        return to_csv(built)
    if format_ is Format.JSON:
        return json.dumps(to_json(built), indent=2, ensure_ascii=False) + "\n"
    if format_ is Format.HTML:
        return to_html(built, words)
    return to_markdown(built, words)


def _reader_zone(loaded: Config, agency: int | None) -> str:
    """Where the report's own instants are shown: the agency's zone for one agency,
    else the platform's (the first source's, WIB by default)."""
    if agency is not None and any(a.id == agency for a in loaded.agencies):
        return loaded.agency_timezone(agency)
    return loaded.sources[0].timezone if loaded.sources else "Asia/Jakarta"


def _period(year: int | None, month: str | None, start: str | None, end: str | None) -> Period:
    given = [
        name
        for name, v in (("--year", year), ("--month", month), ("--from/--to", start or end))
        if v
    ]
    if len(given) > 1:
        raise ValueError(f"give one of --year, --month or --from/--to, not {' and '.join(given)}")
    if month:
        return Period.month(month)
    if start or end:
        if not (start and end):
            raise ValueError("--from and --to go together")
        try:
            return Period(date.fromisoformat(start), date.fromisoformat(end))
        except ValueError as exc:
            raise ValueError(f"{exc} (write dates as YYYY-MM-DD)") from exc
    return Period.year(year or datetime.now(ZoneInfo("Asia/Jakarta")).year)
