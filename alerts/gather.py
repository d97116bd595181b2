"""Reads, at send time, what each outbox row's mail will say.

Alerts are rendered when they are sent, not when they are decided, so "working days
left" is true on the day the official reads it. A row whose clock no longer exists
(its complaint was re-derived without it) has nothing true left to say: it is
cancelled rather than sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, select

from alerts.facts import AgencyDigest, AlertFacts, ClockFacts, DigestFacts
from alerts.routing import RecipientScope
from syncd.clock.calendar import WorkingCalendar
from syncd.clock.policy import ClockKind, zone
from syncd.store.chunks import chunks
from syncd.store.tables import CLOCKS, COMPLAINTS, INSTITUTIONS
from syncd.vocabulary import AlertKind

CHUNK = 500
EXCERPT_CHARS = 400
DIGEST_HORIZON_WORKING_DAYS = 3


@dataclass(frozen=True)
class FactFinder:
    calendar: WorkingCalendar
    agency_names: Mapping[int, str]
    """From ``[[agencies]]``: these names win over the platform's."""
    url_template: str = ""

    def clock_facts(
        self,
        complaint: Mapping[Any, Any],
        clock: Mapping[Any, Any],
        agency_name: str,
        now: datetime,
    ) -> ClockFacts:
        tz = zone(clock["zone"])
        today = now.astimezone(tz).date()
        due_day = clock["due_at"].astimezone(tz).date()
        overdue = now > clock["due_at"]
        if overdue:
            left = -max(1, self.calendar.working_days_between(due_day, today))
        else:
            left = self.calendar.working_days_between(today, due_day)
        secret = bool(complaint["is_secret"])
        link = None
        if self.url_template:
            link = self.url_template.format(
                tracking_id=complaint["tracking_id"], id=complaint["upstream_id"]
            )
        return ClockFacts(
            tracking_id=complaint["tracking_id"],
            title=None if secret else complaint["title"],
            excerpt=None if secret else _excerpt(complaint["content"]),
            confidential=secret,
            agency_id=clock["agency_id"],
            agency_name=agency_name,
            clock=clock["kind"],
            cycle=clock["cycle"],
            started_at=clock["started_at"],
            due_at=clock["due_at"],
            zone=clock["zone"],
            status_name=complaint["status_name"],
            working_days_left=left,
            overdue=overdue,
            link=link,
        )

    def agency_name(
        self, names: Mapping[tuple[str, int], str], source: str, agency_id: int | None
    ) -> str:
        if agency_id is None:
            return "Admin SP4N-LAPOR!"
        return (
            self.agency_names.get(agency_id)
            or names.get((source, agency_id))
            or f"Instansi {agency_id}"
        )

    def alerts(
        self, connection: Connection, rows: Sequence[Mapping[Any, Any]], now: datetime
    ) -> dict[int, AlertFacts | None]:
        """Facts for outbox rows of alerts, by outbox id; None where the clock is gone."""
        complaints = _by_id(connection, {r["complaint_id"] for r in rows})
        clocks = _clocks_of(connection, set(complaints))
        names = _institution_names(connection, complaints.values())
        found: dict[int, AlertFacts | None] = {}
        for row in rows:
            complaint = complaints.get(row["complaint_id"])
            clock = clocks.get(
                (row["complaint_id"], row["clock_kind"], row["agency_id"], row["cycle"])
            )
            if complaint is None or clock is None:
                found[row["id"]] = None
                continue
            name = self.agency_name(names, complaint["source"], clock["agency_id"])
            found[row["id"]] = AlertFacts(
                key=row["key"],
                kind=AlertKind(row["kind"]),
                threshold=row["threshold"],
                recipient=row["recipient"],
                clock=self.clock_facts(complaint, clock, name, now),
            )
        return found

    def digest(
        self,
        connection: Connection,
        row: Mapping[Any, Any],
        scope: RecipientScope,
        alerting: frozenset[ClockKind],
        now: datetime,
    ) -> DigestFacts:
        """The running clocks in ``scope`` that are breached or due within 3 working
        days, grouped by agency, as of ``now``."""
        tz = zone(row["zone"])
        today = now.astimezone(tz).date()
        horizon = self.calendar.add_working_days(today, DIGEST_HORIZON_WORKING_DAYS)
        # A day's margin covers agencies in other zones; each is checked exactly below.
        cutoff = datetime.combine(horizon + timedelta(days=1), time(23, 59, 59), tz)
        c = CLOCKS.c
        query = select(CLOCKS).where(
            c.outcome.is_(None),
            c.paused_at.is_(None),
            c.kind.in_([k.value for k in alerting]),
            c.due_at <= cutoff.astimezone(UTC),
        )
        if not scope.every_agency:
            query = query.where(c.agency_id.in_(sorted(scope.agencies)))
        clocks = [
            clock
            for clock in connection.execute(query).mappings()
            if scope.covers(clock["agency_id"])
            and clock["due_at"].astimezone(zone(clock["zone"])).date() <= horizon
        ]
        complaints = _by_id(connection, {clock["complaint_id"] for clock in clocks})
        names = _institution_names(connection, complaints.values())
        groups: dict[int | None, AgencyDigest] = {}
        for clock in sorted(clocks, key=lambda k: (k["due_at"], k["id"])):
            complaint = complaints[clock["complaint_id"]]
            name = self.agency_name(names, complaint["source"], clock["agency_id"])
            group = groups.setdefault(
                clock["agency_id"], AgencyDigest(clock["agency_id"], name, [], [])
            )
            facts = self.clock_facts(complaint, clock, name, now)
            (group.breached if facts.overdue else group.due_soon).append(facts)
        agencies = sorted(groups.values(), key=lambda g: g.agency_name)
        return DigestFacts(row["key"], row["recipient"], today, row["zone"], agencies)


def _excerpt(content: str) -> str:
    text = " ".join(content.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def _by_id(connection: Connection, row_ids: set[int]) -> dict[int, Mapping[Any, Any]]:
    ids = sorted(row_ids)
    found: dict[int, Mapping[Any, Any]] = {}
    for chunk in chunks(ids, CHUNK):
        rows = connection.execute(select(COMPLAINTS).where(COMPLAINTS.c.id.in_(chunk))).mappings()
        found.update((row["id"], row) for row in rows)
    return found


def _clocks_of(
    connection: Connection, complaint_ids: set[int]
) -> dict[tuple[int, str, int | None, int], Mapping[Any, Any]]:
    ids = sorted(complaint_ids)
    found: dict[tuple[int, str, int | None, int], Mapping[Any, Any]] = {}
    for chunk in chunks(ids, CHUNK):
        rows = connection.execute(select(CLOCKS).where(CLOCKS.c.complaint_id.in_(chunk))).mappings()
        found.update(((r["complaint_id"], r["kind"], r["agency_id"], r["cycle"]), r) for r in rows)
    return found


def _institution_names(
    connection: Connection, complaints: Iterable[Mapping[Any, Any]]
) -> dict[tuple[str, int], str]:
    """Platform names of the agencies holding these complaints, by (source, id): the
    institutions list where it has them, else the name on the complaint."""
    names: dict[tuple[str, int], str] = {}
    for complaint in complaints:
        if complaint["agency_id"] is not None and complaint["agency_name"]:
            names[(complaint["source"], complaint["agency_id"])] = complaint["agency_name"]
    if not names:
        return names
    wanted = sorted({agency for _, agency in names})
    i = INSTITUTIONS.c
    rows = connection.execute(
        select(i.source, i.upstream_id, i.name).where(i.upstream_id.in_(wanted))
    )
    names.update(((source, upstream), name) for source, upstream, name in rows)
    return names
