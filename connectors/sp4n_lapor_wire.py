"""The SP4N-LAPOR! V3 wire format, validated, and turned into syncd's records.

Validation is per record so that one malformed record is quarantined with its reason
while the rest of the page goes on. Reporter identity is never read from the wire and
is scrubbed from any raw payload kept for quarantine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from connectors.identity import scrub_identity
from connectors.quarantine import describe, quarantine
from connectors.records import (
    CONFIDENTIAL,
    CanonicalStatus,
    ComplaintDetail,
    ComplaintSummary,
    Followup,
    Institution,
    InstitutionRef,
    QuarantineItem,
    Status,
    StatusLogEntry,
)
from connectors.sp4n_lapor_shapes import (
    is_platform_entry,
    normalized_followup,
    normalized_log,
    platform_timestamp,
    rendered,
    shown,
    status_of,
)

R = TypeVar("R")

CACHE_LIMIT = 10_000
"""Entries in each of the translator's caches of repeating values (statuses,
institutions, categories): real platforms have tens; past this, a cache starts over."""

DEFAULT_STATUS_NAMES: Mapping[str, CanonicalStatus] = {
    "belum terverifikasi": CanonicalStatus.SUBMITTED,
    "terverifikasi": CanonicalStatus.VERIFIED,
    "terdisposisi": CanonicalStatus.DISPOSITIONED,
    "dalam proses": CanonicalStatus.DISPOSITIONED,
    "ditindaklanjuti": CanonicalStatus.FOLLOWED_UP,
    "selesai": CanonicalStatus.COMPLETED,
    "diarsipkan": CanonicalStatus.ARCHIVED,
    "ditolak": CanonicalStatus.REJECTED,
    "tertunda": CanonicalStatus.POSTPONED,
}
"""Status names matched first (CONTRACT.md section 1), as ``status_key`` writes them."""
DEFAULT_STATUS_MAP: Mapping[int, CanonicalStatus] = {
    0: CanonicalStatus.SUBMITTED,
    1: CanonicalStatus.VERIFIED,
    2: CanonicalStatus.DISPOSITIONED,
    3: CanonicalStatus.FOLLOWED_UP,
    4: CanonicalStatus.COMPLETED,
    5: CanonicalStatus.ARCHIVED,
    6: CanonicalStatus.REJECTED,
    7: CanonicalStatus.POSTPONED,
}


def _naive_date(value: Any) -> date:
    if not isinstance(value, str):
        raise ValueError(f"a date must be a string, not {type(value).__name__}")
    try:
        return date.fromisoformat(value[:10])
    except ValueError as exc:
        raise ValueError(f"impossible date {shown(value)}: {exc}") from None


Timestamp = Annotated[datetime, BeforeValidator(platform_timestamp)]


def _not_a_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("an id must be a number, not true or false")  # True would be id 1
    return value


UpstreamId = Annotated[int, BeforeValidator(_not_a_bool), Field(ge=0, lt=2**63)]
"""The platform's ids are positive and fit 63 bits, as every store holds them."""
StatusValue = Annotated["WireStatus", BeforeValidator(status_of)]
OptionalDate = Annotated[date, BeforeValidator(_naive_date)] | None


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


def status_key(name: str) -> str:
    """A status name as matched: case and spacing ignored."""
    return " ".join(name.casefold().split())


class WireSummary(_Wire):
    id: UpstreamId
    tracking_id: str
    title: str
    status_code: int | None = None
    status_name: str | None = None
    classification: str
    category_name: str | None = None
    disposition_id: UpstreamId | None = None
    disposition_name: str | None = None
    is_secret: bool
    is_anonymous: bool
    created_at: Timestamp
    updated_at: Timestamp

    @model_validator(mode="after")
    def _some_status(self) -> WireSummary:
        if self.status_code is None and not self.status_name:
            raise ValueError("the record has neither status_code nor status_name")
        return self


class WireDetailData(WireSummary):
    content: str
    location_name: str | None = None
    date_of_incident: OptionalDate = None


class WireStatus(_Wire):
    code: int | None = None
    name: str | None = None


class WireInstitutionRef(_Wire):
    id: UpstreamId
    name: str


class WireLog(_Wire):
    id: UpstreamId
    created_at: Timestamp
    status_old: StatusValue | None = None
    status_new: StatusValue
    institution_from: WireInstitutionRef | None = None
    institution_to: WireInstitutionRef | None = None
    content: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _one_shape(cls, data: Any) -> Any:
        return normalized_log(data)


class WireDetail(_Wire):
    data: WireDetailData
    data_logs: list[WireLog]


class WireFollowup(_Wire):
    id: UpstreamId
    created_at: Timestamp
    institution_from_id: UpstreamId | None = None
    institution_from_name: str | None = None
    is_reporter: bool
    content: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _one_shape(cls, data: Any) -> Any:
        return normalized_followup(data)


class WireInstitution(_Wire):
    id: UpstreamId
    name: str
    parent_id: UpstreamId | None = None


_detail_adapter = TypeAdapter(WireDetail)
_summaries_adapter = TypeAdapter(list[WireSummary])


class WireTranslator:
    """Turns validated wire records into records: UTC instants, canonical statuses."""

    # Listing pages run through here a thousand records at a time, so the values
    # that repeat (UTC offsets per hour, statuses, institutions) are made once.

    def __init__(
        self,
        zone: tzinfo,
        status_map: Mapping[int, CanonicalStatus],
        status_names: Mapping[str, CanonicalStatus] | None = None,
    ) -> None:
        self._zone = zone
        self._status_map = dict(status_map)
        self._status_names = {
            **DEFAULT_STATUS_NAMES,
            **{status_key(k): v for k, v in (status_names or {}).items()},
        }
        self._offsets: dict[int, timedelta] = {}
        self._statuses: dict[tuple[int | None, str], Status] = {}
        self._refs: dict[tuple[int, str], InstitutionRef] = {}
        self._categories: dict[str, str] = {}
        self.unknown_status_codes: dict[int | None, int] = {}

    def instant(self, naive: datetime) -> datetime:
        """The instant of a platform timestamp: wall time in the source's zone, unless
        the platform gave its offset."""
        if naive.tzinfo is not None:
            return naive.astimezone(UTC)
        hour = naive.toordinal() * 24 + naive.hour
        offset = self._offsets.get(hour)
        if offset is None:
            offset = self._offsets[hour] = self._zone.utcoffset(naive) or timedelta(0)
        return (naive - offset).replace(tzinfo=UTC)

    def status(self, code: int | None, name: str | None) -> Status:
        """By name first (case and spacing ignored), then by code."""
        shown = name or ""
        status = self._statuses.get((code, shown))
        if status is None:
            canonical = self._status_names.get(status_key(shown)) if shown else None
            if canonical is None and code is not None:
                canonical = self._status_map.get(code)
            if len(self._statuses) > CACHE_LIMIT:
                self._statuses.clear()
            status = self._statuses[code, shown] = Status(code, scrub_identity(shown), canonical)
        if status.canonical is None:
            known = self.unknown_status_codes
            if code in known or len(known) < CACHE_LIMIT:
                known[code] = known.get(code, 0) + 1
        return status

    def ref(self, inst_id: int, name: str) -> InstitutionRef:
        ref = self._refs.get((inst_id, name))
        if ref is None:
            if len(self._refs) > CACHE_LIMIT:  # a hostile upstream's endless inventions
                self._refs.clear()
            ref = self._refs[inst_id, name] = InstitutionRef(inst_id, scrub_identity(name))
        return ref

    def _category(self, name: str) -> str:
        """A category name, scrubbed once: the platform's few categories repeat."""
        scrubbed = self._categories.get(name)
        if scrubbed is None:
            if len(self._categories) > CACHE_LIMIT:
                self._categories.clear()
            scrubbed = self._categories[name] = scrub_identity(name)
        return scrubbed

    def summary(self, payload: Any) -> ComplaintSummary | QuarantineItem:
        try:
            wire = WireSummary.model_validate(payload)
        except ValidationError as exc:
            return quarantine("summary", payload, describe(exc))
        return self._represented("summary", payload, lambda: self._summary(wire))

    def summaries(self, payloads: list[Any]) -> list[ComplaintSummary | QuarantineItem]:
        """A listing page's records: validated in one call, one by one only if needed."""
        try:
            wires = _summaries_adapter.validate_python(payloads)
        except ValidationError:
            return [self.summary(payload) for payload in payloads]
        try:
            return [self._summary(wire) for wire in wires]
        except (OverflowError, ValueError):
            return [self.summary(payload) for payload in payloads]

    def _represented(
        self, kind: str, payload: Any, build: Callable[[], R], *, upstream_id: int | None = None
    ) -> R | QuarantineItem:
        """What ``build`` makes of a validated record, or the record quarantined when
        one of its values passed validation but cannot be represented (an instant
        beyond the calendar's range, say): the page goes on either way."""
        try:
            return build()
        except (OverflowError, ValueError) as exc:
            reason = f"a value cannot be represented ({type(exc).__name__}: {shown(str(exc), 80)})"
            return quarantine(kind, payload, reason, upstream_id=upstream_id)

    def _summary(self, wire: WireSummary) -> ComplaintSummary:
        disposition = None
        if wire.disposition_id is not None:
            disposition = self.ref(wire.disposition_id, wire.disposition_name or "")
        return ComplaintSummary(
            id=wire.id,
            tracking_id=wire.tracking_id,
            title=CONFIDENTIAL if wire.is_secret else scrub_identity(wire.title),
            status=self.status(wire.status_code, wire.status_name),
            classification=wire.classification,
            category_name=self._category(wire.category_name or ""),
            disposition=disposition,
            is_secret=wire.is_secret,
            is_anonymous=wire.is_anonymous,
            created_at=self.instant(wire.created_at),
            updated_at=self.instant(wire.updated_at),
        )

    def detail(
        self, complaint_id: int, payload: Any, followups: list[Followup]
    ) -> ComplaintDetail | QuarantineItem:
        try:
            wire = _detail_adapter.validate_python(payload)
        except ValidationError as exc:
            return quarantine("detail", payload, describe(exc), upstream_id=complaint_id)
        return self._represented(
            "detail", payload, lambda: self._detail(wire, followups), upstream_id=complaint_id
        )

    def _detail(self, wire: WireDetail, followups: list[Followup]) -> ComplaintDetail:
        data = wire.data
        # One entry per id, the last one listed: a log twice would break the mirror's
        # unique key on every pass.
        logs = list({log.id: self._log(log) for log in wire.data_logs}.values())
        location = scrub_identity(data.location_name or "")
        if data.is_secret:
            # Every free text of a confidential complaint can tell what it is about.
            location = CONFIDENTIAL if location else ""
            logs = [replace(log, content=CONFIDENTIAL) for log in logs]
            followups = [replace(f, content=CONFIDENTIAL) for f in followups]
        return ComplaintDetail(
            summary=self._summary(data),
            content=CONFIDENTIAL if data.is_secret else scrub_identity(data.content),
            location_name=location,
            date_of_incident=data.date_of_incident,
            logs=tuple(logs),
            followups=tuple(followups),
        )

    def _log(self, wire: WireLog) -> StatusLogEntry:
        old = self.status(wire.status_old.code, wire.status_old.name) if wire.status_old else None
        new = self.status(wire.status_new.code, wire.status_new.name)
        source, target = wire.institution_from, wire.institution_to
        text = rendered(
            wire.content or "",
            {
                "institution_from": source.name if source else "",
                "institution_to": target.name if target else "",
                "status_old": old.name if old else "",
                "status_new": new.name,
            },
        )
        return StatusLogEntry(
            id=wire.id,
            created_at=self.instant(wire.created_at),
            status_old=old,
            status_new=new,
            institution_from=self.ref(source.id, source.name) if source else None,
            institution_to=self.ref(target.id, target.name) if target else None,
            content=scrub_identity(text),
        )

    def followup(self, payload: Any) -> Followup | QuarantineItem | None:
        """A followup; None for a platform entry (``template_code``), which is no
        agency's answer and duplicates the status log."""
        if is_platform_entry(payload):
            return None
        try:
            wire = WireFollowup.model_validate(payload)
        except ValidationError as exc:
            return quarantine("followup", payload, describe(exc))
        return self._represented(
            "followup",
            payload,
            lambda: Followup(
                id=wire.id,
                created_at=self.instant(wire.created_at),
                institution_from_id=wire.institution_from_id,
                institution_from_name=scrub_identity(wire.institution_from_name or ""),
                is_reporter=wire.is_reporter,
                content=scrub_identity(wire.content or ""),
            ),
        )

    def institution(self, payload: Any) -> Institution | QuarantineItem:
        try:
            wire = WireInstitution.model_validate(payload)
        except ValidationError as exc:
            return quarantine("institution", payload, describe(exc))
        return Institution(id=wire.id, name=wire.name, parent_id=wire.parent_id)
