"""What a perfect mirror holds: a simulated complaint as the connector's records, as it
stands at a given moment (the simulator's truth, which the tests compare against)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from connectors.records import (
    CONFIDENTIAL,
    CanonicalStatus,
    ComplaintDetail,
    ComplaintSummary,
    Followup,
    InstitutionRef,
    Status,
    StatusLogEntry,
)
from connectors.simulator import vocabulary as v
from connectors.simulator.complaint import SimComplaint

_INSTITUTION_NAMES = {i: name for i, name, _ in v.INSTITUTIONS}
_CANONICAL = {  # the contract's default mapping, spelled out again on purpose
    0: CanonicalStatus.SUBMITTED,
    1: CanonicalStatus.VERIFIED,
    2: CanonicalStatus.DISPOSITIONED,
    3: CanonicalStatus.FOLLOWED_UP,
    4: CanonicalStatus.COMPLETED,
    5: CanonicalStatus.ARCHIVED,
    6: CanonicalStatus.REJECTED,
    7: CanonicalStatus.POSTPONED,
}


def _utc(t: int) -> datetime:
    return datetime.fromtimestamp(t, UTC)


def _status(code: int) -> Status:
    return Status(code, v.STATUS_NAMES[code], _CANONICAL[code])


def _ref(inst: int | None) -> InstitutionRef | None:
    return InstitutionRef(inst, _INSTITUTION_NAMES[inst]) if inst is not None else None


def expected_detail(c: SimComplaint, now: int) -> ComplaintDetail:
    """The record a correct connector makes of this complaint as it stands at ``now``."""
    logs = c.visible_logs(now)
    status = c.status(now)
    holder = c.holder(now)
    summary = ComplaintSummary(
        id=c.id,
        tracking_id=c.tracking_id,
        title=CONFIDENTIAL if c.is_secret else c.title,
        status=_status(status),
        classification=c.classification,
        category_name=c.category,
        disposition=_ref(holder),
        is_secret=c.is_secret,
        is_anonymous=c.is_anonymous,
        created_at=_utc(c.created_at),
        updated_at=_utc(c.updated_at),
    )
    return ComplaintDetail(
        summary=summary,
        content=CONFIDENTIAL if c.is_secret else c.content,
        location_name=CONFIDENTIAL if c.is_secret and c.location else c.location,
        date_of_incident=date.fromisoformat(c.incident_date),
        logs=tuple(
            StatusLogEntry(
                id=log.id,
                created_at=_utc(log.at),
                status_old=_status(log.status_old) if log.status_old is not None else None,
                status_new=_status(log.status_new),
                institution_from=_ref(log.inst_from),
                institution_to=_ref(log.inst_to),
                content=CONFIDENTIAL if c.is_secret else log.content,
            )
            for log in logs
        ),
        followups=tuple(
            Followup(
                id=f.id,
                created_at=_utc(f.at),
                institution_from_id=f.inst_from,
                institution_from_name=_INSTITUTION_NAMES[f.inst_from] if f.inst_from else "",
                is_reporter=f.is_reporter,
                content=CONFIDENTIAL if c.is_secret else f.content,
            )
            for f in c.visible_followups(now)
        ),
    )
