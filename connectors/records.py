"""The normalized records every connector hands to syncd.

They are immutable, carry instants in UTC only, and hold no reporter identity:
whatever a platform says about the person who complained stays at the connector.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any


class CanonicalStatus(StrEnum):
    """A complaint's status in syncd's own words, whatever the platform calls it."""

    SUBMITTED = "submitted"
    VERIFIED = "verified"
    DISPOSITIONED = "dispositioned"
    FOLLOWED_UP = "followed_up"
    COMPLETED = "completed"
    ARCHIVED = "archived"
    REJECTED = "rejected"
    POSTPONED = "postponed"


@dataclass(frozen=True, slots=True)
class Status:
    """An upstream status code, its upstream name, and its canonical meaning.

    ``canonical`` is None for a code the status mapping does not know: the record is
    kept and the unknown code counted, never a crash.
    """

    code: int | None
    """None where the platform gave the status by its name alone."""
    name: str
    canonical: CanonicalStatus | None


@dataclass(frozen=True, slots=True)
class InstitutionRef:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class ComplaintSummary:
    """One row of the change listing: enough to know what changed and when."""

    id: int
    tracking_id: str
    title: str
    status: Status
    classification: str
    category_name: str
    disposition: InstitutionRef | None
    is_secret: bool
    is_anonymous: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class StatusLogEntry:
    """A status transition, a disposition, or both.

    A disposition to agency A is an entry whose ``institution_to`` is A; an entry with
    no ``institution_to`` only changes the status and leaves the holder as it was.
    """

    id: int
    created_at: datetime
    status_old: Status | None
    status_new: Status
    institution_from: InstitutionRef | None
    institution_to: InstitutionRef | None
    content: str


@dataclass(frozen=True, slots=True)
class Followup:
    id: int
    created_at: datetime
    institution_from_id: int | None
    institution_from_name: str
    is_reporter: bool
    content: str


@dataclass(frozen=True, slots=True)
class ComplaintDetail:
    """A complaint as fully as the platform shows it, logs and followups oldest first."""

    summary: ComplaintSummary
    content: str
    location_name: str
    date_of_incident: date | None
    logs: tuple[StatusLogEntry, ...]
    followups: tuple[Followup, ...]

    @property
    def id(self) -> int:
        return self.summary.id


@dataclass(frozen=True, slots=True)
class Institution:
    id: int
    name: str
    parent_id: int | None


@dataclass(frozen=True, slots=True)
class Vanished:
    """The platform no longer has this complaint (its detail answers 404)."""

    id: int


@dataclass(frozen=True, slots=True)
class QuarantineItem:
    """An upstream record that failed validation, kept with its raw payload.

    ``kind`` says where it came from (``summary``, ``detail``, ``followup``,
    ``institution``); ``upstream_id`` is the record's id when it could be read.
    The payload has reporter identity removed before it gets here.
    """

    kind: str
    upstream_id: int | None
    reason: str
    payload: dict[str, Any] | list[Any] | str = field(repr=False)


CONFIDENTIAL = "[rahasia]"
"""What stands for a confidential complaint's title and content in every record a
connector hands on: nothing downstream may show them (mail, logs, metrics, reports,
quarantine), so the mirror does not hold them either."""

PRESENT_SKEW = timedelta(minutes=5)
"""How far past our own present an upstream instant may be and still be believed:
the platform's clock may run a little ahead of ours. Anything later is no real
change (a record dated 2062 would drag every cursor past the present and hide all
later changes): it is quarantined, and no cursor ever passes ``now + PRESENT_SKEW``."""


def confidential_copy(detail: ComplaintDetail) -> ComplaintDetail:
    """The complaint as a confidential one is kept: flagged, its free texts hidden."""
    hidden = CONFIDENTIAL
    return replace(
        detail,
        summary=replace(detail.summary, title=hidden, is_secret=True),
        content=hidden,
        location_name=hidden if detail.location_name else "",
        logs=tuple(replace(log, content=hidden) for log in detail.logs),
        followups=tuple(replace(f, content=hidden) for f in detail.followups),
    )
