"""An outbox row's mail, made at send time: its facts read from the mirror, then
composed. A batch's alerts have their facts read together; when one row spoils the
lot, each is read alone, so that the error stays with its row."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from email.message import Message
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import DBAPIError

from alerts.compose import Composer
from alerts.daily_cap import actionability
from alerts.facts import AlertFacts
from alerts.gather import FactFinder
from alerts.monthly import MonthlyReports
from alerts.routing import Reader, RecipientScope, Routes
from alerts.summary_mail import compose_summary, summary_item
from syncd.clock.policy import ClockKind
from syncd.store.tables import OUTBOX
from syncd.vocabulary import AlertKind, OutboxStatus


def is_summary(row: Mapping[Any, Any]) -> bool:
    """A digest, a day's summary of alerts over the cap, or a monthly summary: about
    many clocks, and skipped when it has nothing to say."""
    return row["kind"] in (AlertKind.DIGEST, AlertKind.SUMMARY, AlertKind.REPORT)


@dataclass(frozen=True)
class MailMaker:
    composer: Composer
    finder: FactFinder
    digest_scopes: Mapping[str, RecipientScope]
    alerting: frozenset[ClockKind]
    routes: Routes
    """Who each recipient is to the agency: the reader an alert is worded for."""
    monthly: MonthlyReports | None = None

    def gather(
        self, connection: Connection, rows: Sequence[Mapping[Any, Any]], at: datetime
    ) -> dict[int, AlertFacts | None]:
        """The facts of a batch's alerts, read together; none when one row spoils
        the lot (``make`` then reads each row's alone)."""
        alerts = [row for row in rows if not is_summary(row)]
        try:
            return self.finder.alerts(connection, alerts, at)
        except DBAPIError:
            raise
        except Exception:
            return {}

    def make(
        self,
        connection: Connection,
        row: Mapping[Any, Any],
        facts: Mapping[int, AlertFacts | None],
        at: datetime,
    ) -> Message | None:
        """The row's mail; None when a summary has nothing to say or an alert's clock
        is gone. Raises whatever its facts or its templates raise."""
        if is_summary(row):
            return self._summary(connection, row, at)
        if row["id"] in facts:
            found = facts[row["id"]]
        else:
            found = self.finder.alerts(connection, [row], at)[row["id"]]
        if found is None:
            return None
        reader = self.routes.reader(found.clock.agency_id, found.recipient, found.kind)
        return self.composer.alert(found, at, reader=reader)

    def _summary(
        self, connection: Connection, row: Mapping[Any, Any], at: datetime
    ) -> Message | None:
        if row["kind"] == AlertKind.SUMMARY:
            return self._day_summary(connection, row, at)
        if row["kind"] == AlertKind.REPORT:
            if self.monthly is None:  # switched off since it was recorded
                return None
            return self.monthly.compose(connection, row, self.composer, at)
        scope = self.digest_scopes.get(row["recipient"])
        if scope is None:
            return None
        facts = self.finder.digest(connection, row, scope, self.alerting, at)
        return None if facts.empty else self.composer.digest(facts, at)

    def _day_summary(
        self, connection: Connection, row: Mapping[Any, Any], at: datetime
    ) -> Message | None:
        """The alerts folded into this summary, the most actionable first; None when
        none of their clocks is left to speak of."""
        o = OUTBOX.c
        folded = list(
            connection.execute(
                select(OUTBOX).where(
                    o.summary_key == row["key"],
                    o.recipient == row["recipient"],
                    o.status == OutboxStatus.FOLDED,
                )
            ).mappings()
        )
        facts = self.finder.alerts(connection, folded, at)
        items = [
            summary_item(found, self.composer)
            for r in sorted(folded, key=actionability)
            if (found := facts.get(r["id"])) is not None
        ]
        if not items:
            return None
        readers = {
            self.routes.reader(r["agency_id"], r["recipient"], AlertKind(r["kind"])) for r in folded
        }
        role: Reader = "superior" if readers == {"superior"} else "liaison"
        day = date.fromisoformat(row["key"].rsplit("/", 1)[1])
        return compose_summary(
            self.composer, recipient=row["recipient"], role=role, day=day, items=items, now=at
        )
