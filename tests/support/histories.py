"""Complaint histories written the way the platform logs them, for clock and alert tests."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from connectors.records import (
    CanonicalStatus,
    ComplaintDetail,
    ComplaintSummary,
    Followup,
    InstitutionRef,
    Status,
    StatusLogEntry,
)
from syncd.clock.calendar import WorkingCalendar
from syncd.clock.derive import Clock, derive_clocks
from syncd.clock.policy import ClockPolicy

WIB = ZoneInfo("Asia/Jakarta")
WIT = ZoneInfo("Asia/Jayapura")
CAL = WorkingCalendar()
POLICY = ClockPolicy(agency_zones={9471: "Asia/Jayapura"})
SEKADAU, DINKES, JAYAPURA, ADMIN = 4251, 4252, 9471, 1
CODES = {s: n for n, s in enumerate(CanonicalStatus)}


def wib(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=WIB)


def status(canonical: CanonicalStatus) -> Status:
    return Status(CODES[canonical], canonical.value, canonical)


class History:
    """Writes a complaint's life the way the platform logs it."""

    def __init__(
        self,
        created: str,
        classification: str = "Pengaduan",
        category: str = "Umum",
        *,
        id: int = 1,
        tracking_id: str = "LAP1",
        title: str = "t",
        content: str = "",
        secret: bool = False,
    ):
        self.created = wib(created)
        self.id = id
        self.tracking_id = tracking_id
        self.title = title
        self.content = content
        self.secret = secret
        self.classification = classification
        self.category = category
        self.logs: list[StatusLogEntry] = []
        self.followups: list[Followup] = []
        self.state = CanonicalStatus.SUBMITTED

    def status(self, at: str, new: CanonicalStatus, to: int | None = None) -> History:
        self.logs.append(
            StatusLogEntry(
                id=len(self.logs) + 1,
                created_at=wib(at),
                status_old=status(self.state),
                status_new=status(new),
                institution_from=InstitutionRef(ADMIN, "Admin"),
                institution_to=InstitutionRef(to, f"Instansi {to}") if to else None,
                content="",
            )
        )
        self.state = new
        return self

    def dispose(self, at: str, to: int) -> History:
        return self.status(at, CanonicalStatus.DISPOSITIONED, to)

    def followup(self, at: str, by: int | None) -> History:
        self.followups.append(
            Followup(
                id=100 + len(self.followups),
                created_at=wib(at),
                institution_from_id=by,
                institution_from_name="" if by is None else f"Instansi {by}",
                is_reporter=by is None,
                content="",
            )
        )
        return self

    def detail(self) -> ComplaintDetail:
        holder = next(
            (log.institution_to for log in reversed(self.logs) if log.institution_to), None
        )
        instants = [self.created, *(log.created_at for log in self.logs)]
        instants += [followup.created_at for followup in self.followups]
        summary = ComplaintSummary(
            id=self.id,
            tracking_id=self.tracking_id,
            title=self.title,
            status=status(self.state),
            classification=self.classification,
            category_name=self.category,
            disposition=holder,
            is_secret=self.secret,
            is_anonymous=False,
            created_at=self.created,
            updated_at=max(instants),
        )
        return ComplaintDetail(
            summary, self.content, "Sekadau", None, tuple(self.logs), tuple(self.followups)
        )

    def clocks(self, policy: ClockPolicy = POLICY) -> list[Clock]:
        return derive_clocks(self.detail(), policy, CAL)
