"""The monthly summary: last month's figures, mailed to each route's ``escalate_to``.

Opt-in (``[reports] monthly_email``). On the first working day of a month, from
``send_at`` in the platform's time (WIB), one row per recipient is recorded under
the key ``report/<recipient>/<YYYY-MM>`` (the month reported on): the unique key
makes it once per month, and a daemon that was down on that day records it on the
next working day it runs. The figures are built when the mail is composed, from
``syncd report``'s own code; confidential titles never appear.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from email.message import Message
from typing import Any

from sqlalchemy import Connection

from alerts.compose import Composer
from alerts.facts import MonthlyFacts
from alerts.routing import RecipientScope
from syncd.clock.calendar import WorkingCalendar
from syncd.clock.policy import zone
from syncd.report.figures import ReportSettings, build_report
from syncd.report.period import Period
from syncd.report.render import agency_entry
from syncd.store.tables import OUTBOX
from syncd.store.tally import NO_AGENCY
from syncd.store.upsert import insert as dialect_insert
from syncd.vocabulary import AlertKind, OutboxStatus


def monthly_key(recipient: str, month: str) -> str:
    return f"report/{recipient}/{month}"


def previous_month(day: date) -> str:
    last = day.replace(day=1) - timedelta(days=1)
    return f"{last:%Y-%m}"


def enqueue_monthly(
    connection: Connection,
    scopes: Sequence[RecipientScope],
    calendar: WorkingCalendar,
    *,
    zone_name: str,
    send_at: time,
    closes: time,
    now: datetime,
    any_hour: bool = False,
) -> int:
    """Records last month's summary for each recipient, on a working day in office
    hours; returns how many rows were considered (repeats are no-ops)."""
    local = now.astimezone(zone(zone_name))
    if not scopes or (
        not any_hour
        and not (calendar.is_working_day(local.date()) and send_at <= local.time() < closes)
    ):
        return 0
    month = previous_month(local.date())
    rows = [
        {
            "key": monthly_key(scope.recipient, month),
            "recipient": scope.recipient,
            "kind": AlertKind.REPORT.value,
            "zone": zone_name,
            "status": OutboxStatus.PENDING,
            "created_at": now,
            "next_attempt_at": now,
            "attempts": 0,
        }
        for scope in scopes
    ]
    connection.execute(
        dialect_insert(connection, OUTBOX).on_conflict_do_nothing(
            index_elements=["key", "recipient"]
        ),
        rows,
    )
    return len(rows)


@dataclass(frozen=True)
class MonthlyReports:
    scopes: Mapping[str, RecipientScope]
    settings: ReportSettings

    def compose(
        self, connection: Connection, row: Mapping[str, Any], composer: Composer, at: datetime
    ) -> Message | None:
        """The summary mail for this outbox row; None when it has nothing to say."""
        scope = self.scopes.get(row["recipient"])
        if scope is None:
            return None
        month = str(row["key"]).rsplit("/", 1)[1]
        period = Period.month(month)
        report = build_report(connection, period, at, self.settings)
        mine = [
            agency_entry(agency, report)
            for agency in report.agencies
            if agency.agency != NO_AGENCY and scope.covers(int(agency.agency))
        ]
        if not mine:
            return None
        facts = MonthlyFacts(
            row["key"], row["recipient"], month, period, mine, self.settings.bands.floors
        )
        return composer.monthly(facts, at)
