"""What the alert job would send at a given moment, without sending or recording.

``syncd alerts preview``: the alerts the planner would decide at that moment (from
the clocks as mirrored), the outbox rows already waiting, and the digests due,
each with when its delivery window lets it go.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select

from alerts.digest import digest_key, scope_zone
from alerts.planner import AlertPlanner, clock_key, existing_rows
from alerts.service import AlertService
from syncd.clock.policy import zone
from syncd.clock.values import KeptClock
from syncd.store.chunks import CHUNK
from syncd.store.clocks import clock_from_row
from syncd.store.tables import CLOCKS, COMPLAINTS, OUTBOX
from syncd.vocabulary import AlertKind, OutboxStatus


@dataclass(frozen=True)
class PreviewMail:
    sends_at: datetime
    """When its delivery window lets it go (the moment itself if open)."""
    kind: str
    key: str
    recipient: str
    tracking_id: str | None
    due_at: datetime | None
    zone: str
    origin: str
    """``new``: the planner would decide it; ``outbox``: already waiting."""


def preview(service: AlertService, at: datetime) -> list[PreviewMail]:
    planner = service.keeper.watcher
    if not isinstance(planner, AlertPlanner):
        return []  # alerts are disabled
    engine = service.engine
    dispatcher = service.dispatcher
    mails: list[PreviewMail] = []
    for complaints, kept in _running_clocks(engine, planner):
        keyed = {clock_key(k.source, complaints[k.complaint_id][0], k.clock): k for k in kept}
        with engine.connect() as connection:
            existing = existing_rows(connection, list(keyed), ())
        intents, _, _ = planner.decide(keyed, existing, at, complete=False)
        for intent in intents:
            if intent.status != OutboxStatus.PENDING:
                continue
            clock = intent.kept.clock
            window = dispatcher.alert_window
            mails.append(
                PreviewMail(
                    window.next_open(at, clock.zone),
                    intent.threshold.kind.value,
                    intent.key,
                    intent.recipient,
                    complaints[intent.kept.complaint_id][1],
                    clock.due_at,
                    clock.zone,
                    "new",
                )
            )
    mails.extend(_waiting(service, at))
    mails.extend(_digests(service, at))
    return sorted(mails, key=lambda m: (m.sends_at, m.key, m.recipient))


def _running_clocks(
    engine: Engine, planner: AlertPlanner
) -> Iterator[tuple[dict[int, tuple[int, str]], list[KeptClock]]]:
    """Running, unpaused clocks of alerting kinds, chunk by chunk, with each
    complaint's (upstream id, tracking id)."""
    c = CLOCKS.c
    kinds = [k.value for k in planner.schedule.settings.alerting]
    last = 0
    while True:
        with engine.connect() as connection:
            rows = list(
                connection.execute(
                    select(CLOCKS)
                    .where(
                        c.id > last,
                        c.outcome.is_(None),
                        c.paused_at.is_(None),
                        c.kind.in_(kinds),
                    )
                    .order_by(c.id)
                    .limit(CHUNK)
                ).mappings()
            )
            if not rows:
                return
            ids = sorted({row["complaint_id"] for row in rows})
            complaints = {
                row_id: (upstream, tracking)
                for row_id, upstream, tracking in connection.execute(
                    select(
                        COMPLAINTS.c.id, COMPLAINTS.c.upstream_id, COMPLAINTS.c.tracking_id
                    ).where(COMPLAINTS.c.id.in_(ids))
                )
            }
        last = rows[-1]["id"]
        yield (
            complaints,
            [KeptClock(row["complaint_id"], row["source"], clock_from_row(row)) for row in rows],
        )


def _waiting(service: AlertService, at: datetime) -> Iterator[PreviewMail]:
    o = OUTBOX.c
    dispatcher = service.dispatcher
    with service.engine.connect() as connection:
        rows = connection.execute(
            select(OUTBOX, COMPLAINTS.c.tracking_id)
            .outerjoin(COMPLAINTS, COMPLAINTS.c.id == o.complaint_id)
            .where(o.status == OutboxStatus.PENDING, o.next_attempt_at <= at)
        ).mappings()
        for row in rows:
            digest = row["kind"] == AlertKind.DIGEST
            window = dispatcher.digest_window if digest else dispatcher.alert_window
            yield PreviewMail(
                window.next_open(max(at, row["next_attempt_at"]), row["zone"]),
                row["kind"],
                row["key"],
                row["recipient"],
                row["tracking_id"],
                row["due_at"],
                row["zone"],
                "outbox",
            )


def _digests(service: AlertService, at: datetime) -> Iterator[PreviewMail]:
    """Today's digests whose time has come at ``at`` and that are not recorded yet."""
    settings = service.settings
    if not settings.enabled:
        return
    calendar = service.keeper.calendar
    due: list[PreviewMail] = []
    for scope in service.routes.digests():
        zone_name = scope_zone(scope, service.keeper.policy)
        local = at.astimezone(zone(zone_name))
        if service.any_hour or (
            calendar.is_working_day(local.date())
            and settings.digest_at <= local.time() < settings.office_hours_end
        ):
            key = digest_key(scope.recipient, local.date().isoformat())
            due.append(
                PreviewMail(
                    at, AlertKind.DIGEST.value, key, scope.recipient, None, None, zone_name, "new"
                )
            )
    if not due:
        return
    with service.engine.connect() as connection:
        recorded = set(
            connection.execute(
                select(OUTBOX.c.key).where(OUTBOX.c.key.in_([mail.key for mail in due]))
            ).scalars()
        )
    yield from (mail for mail in due if mail.key not in recorded)
