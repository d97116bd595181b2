"""The configuration file's sections (CONTRACT.md section 3), each with its defaults.

Every key has a default except what only the operator can know: each source's
``name`` and ``kind``, and the ids of ``[[agencies]]`` and ``[[alerts.routes]]``. So
an empty file plus one ``[[sources]]`` table is a whole configuration. Unknown keys
are errors at every level. Sources are in ``syncd.config.sources``.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import date, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)

from syncd.clock.compliance import DEFAULT_GRADE_BANDS
from syncd.config.durations import PositiveDuration
from syncd.config.errors import raise_problems
from syncd.config.sources import AgencyId, SourceConfig
from syncd.config.values import (
    DEFAULT_TIMEZONE,
    DatabaseUrl,
    EmailAddress,
    Listen,
    Mailbox,
    Port,
    SecretUrl,
    TimeOfDay,
    Timezone,
    UrlTemplate,
    WorkingDays,
    is_loopback,
    split_host_port,
)

Classification = Literal["Pengaduan", "Aspirasi", "Permintaan Informasi"]
DEFAULT_BY_CLASSIFICATION: Mapping[Classification, int] = {"Permintaan Informasi": 5}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseConfig(_Section):
    """``[database]``. The URL may carry a password: ``repr`` and ``str`` show it
    hidden, dumps to JSON not at all."""

    url_secret: DatabaseUrl = Field(
        default=SecretUrl("sqlite:////var/lib/syncd/syncd.db"), alias="url", repr=False
    )

    @property
    def url(self) -> str:
        return self.url_secret.get_secret_value()

    def __repr_args__(self) -> Iterator[tuple[str, Any]]:
        yield "url", self.url_secret


class CalendarConfig(_Section):
    country: Literal["ID"] = "ID"
    joint_holidays: bool = True
    """Count cuti bersama as holidays."""
    extra_holidays: list[date] = Field(default_factory=list)
    extra_working_days: list[date] = Field(default_factory=list)

    @model_validator(mode="after")
    def _disjoint(self) -> CalendarConfig:
        both = sorted(set(self.extra_holidays) & set(self.extra_working_days))
        if both:
            raise ValueError(
                f"{both[0].isoformat()} is in both extra_holidays and extra_working_days"
            )
        return self


class AgencyConfig(_Section):
    id: AgencyId
    name: str = Field(min_length=1)
    timezone: Timezone = DEFAULT_TIMEZONE


class ClockConfig(_Section):
    working_days: WorkingDays
    alert: bool


class VerificationClockConfig(ClockConfig):
    working_days: WorkingDays = 3
    alert: bool = False


class FollowupClockConfig(ClockConfig):
    working_days: WorkingDays = 5
    alert: bool = True
    restart_on_reporter_reply: bool = True
    """A reporter's reply while the agency holds the complaint starts the agency's next
    followup clock (a local default, not a regulation)."""


class CompletionClockConfig(ClockConfig):
    working_days: WorkingDays = 14
    alert: bool = True
    by_classification: dict[Classification, WorkingDays] = Field(
        default_factory=lambda: dict(DEFAULT_BY_CLASSIFICATION)
    )
    """Working days by classification; what is given is merged over the default."""
    field_examination_categories: list[str] = Field(default_factory=list)
    field_examination_working_days: WorkingDays = 60

    @field_validator("by_classification", mode="after")
    @classmethod
    def _over_default(cls, value: Mapping[Classification, int]) -> dict[Classification, int]:
        return {**DEFAULT_BY_CLASSIFICATION, **value}


class ReporterReplyClockConfig(_Section):
    """The reporter's window: it measures the citizen, so it never breaches or alerts
    (no ``alert`` key) and ends ``lapsed`` when it runs out."""

    working_days: WorkingDays = 10


class ClocksConfig(_Section):
    verification: VerificationClockConfig = Field(default_factory=VerificationClockConfig)
    followup: FollowupClockConfig = Field(default_factory=FollowupClockConfig)
    completion: CompletionClockConfig = Field(default_factory=CompletionClockConfig)
    reporter_reply: ReporterReplyClockConfig = Field(default_factory=ReporterReplyClockConfig)


class SmtpConfig(_Section):
    """``alerts.smtp``. ``password`` never shows in ``repr``."""

    host: str = Field(default="127.0.0.1", min_length=1)
    port: Port = 587
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str = ""
    """Empty: no SMTP authentication."""
    password_secret: SecretStr | None = Field(default=None, alias="password", repr=False)
    timeout: PositiveDuration = timedelta(seconds=30)
    ca_file: str = ""
    """A PEM bundle of the CAs to trust instead of the system's (an internal CA);
    certificates and host names are verified either way. An absolute path."""

    @field_validator("ca_file", mode="after")
    @classmethod
    def _readable(cls, value: str) -> str:
        if value and not (Path(value).is_absolute() and Path(value).is_file()):
            raise ValueError(f"{value!r} is not an absolute path to a readable PEM file")
        return value

    @property
    def password(self) -> str | None:
        return self.password_secret.get_secret_value() if self.password_secret else None

    @model_validator(mode="after")
    def _no_clear_text_login(self) -> SmtpConfig:
        login = bool(self.username) or self.password_secret is not None
        if self.security == "none" and login and not is_loopback(self.host):
            problem = (
                f'"none" would send the SMTP login in clear text to {self.host}, which is '
                'not loopback: use "starttls" or "tls" (or a relay on loopback)'
            )
            raise_problems(type(self).__name__, None, [("security", problem)])
        return self


def _route_agency(value: object) -> int | str:
    if value == "*":
        return "*"
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    raise ValueError('expected an agency id (a positive integer) or "*" for all agencies')


class RouteConfig(_Section):
    """``[[alerts.routes]]``: who hears about one agency (or every agency, ``"*"``)."""

    agency: Annotated[int | Literal["*"], BeforeValidator(_route_agency)]
    to: list[EmailAddress] = Field(min_length=1)
    escalate_to: list[EmailAddress] = Field(default_factory=list)
    digest: bool = True


class AlertsConfig(_Section):
    model_config = ConfigDict(populate_by_name=True)

    enabled: bool = True
    from_: Mailbox = Field(default="SP4N Monitor <sp4n-monitor@example.go.id>", alias="from")
    language: Literal["id", "en"] = "id"
    send_at: TimeOfDay = time(8, 0)
    """Agency local time; also the start of the office hours mail is sent in."""
    office_hours_end: TimeOfDay = time(16, 0)
    warn_working_days_before: list[Annotated[int, Field(ge=0, le=366)]] = Field(
        default_factory=lambda: [2, 0]
    )
    """0 = the morning of the due day."""
    escalate_after_working_days: WorkingDays = 3
    digest_at: TimeOfDay = time(7, 30)
    complaint_url_template: UrlTemplate = ""
    """E.g. ``https://…/{tracking_id}``; empty: no link."""
    max_mails_per_recipient_per_day: Annotated[int, Field(ge=1, le=10_000)] = 20
    """Alerts sent alone to one recipient a day; the rest go out in one summary mail."""
    smtp: SmtpConfig = Field(default_factory=SmtpConfig)
    routes: list[RouteConfig] = Field(default_factory=list)

    @field_validator("warn_working_days_before", mode="after")
    @classmethod
    def _distinct(cls, value: list[int]) -> list[int]:
        twice = sorted(day for day, count in Counter(value).items() if count > 1)
        if twice:
            raise ValueError(f"{twice[0]} is listed twice")
        return value

    @model_validator(mode="after")
    def _office_hours(self) -> AlertsConfig:
        if self.office_hours_end <= self.send_at:
            raise ValueError(
                f"office_hours_end ({self.office_hours_end:%H:%M}) must be after "
                f"send_at ({self.send_at:%H:%M})"
            )
        return self


class ComplianceConfig(_Section):
    grade_bands: list[float] = Field(default_factory=lambda: list(DEFAULT_GRADE_BANDS))
    """The lowest on-time ratio for grades 5, 4, 3 and 2; below the last, grade 1.
    A local default, not a regulation (DOMAIN.md: no public mapping was found)."""

    @field_validator("grade_bands", mode="after")
    @classmethod
    def _bands(cls, value: list[float]) -> list[float]:
        if len(value) != 4:
            raise ValueError(f"give 4 floors (for grades 5, 4, 3 and 2), not {len(value)}")
        if any(not 0 < floor <= 1 for floor in value):
            raise ValueError("each floor is a ratio above 0 and at most 1")
        if any(a <= b for a, b in itertools.pairwise(value)):
            raise ValueError("the floors must fall from grade 5 to grade 2")
        return value


class ReportsConfig(_Section):
    monthly_email: bool = False
    """Mail last month's figures to every route's ``escalate_to`` on the first working
    day of each month at ``alerts.send_at`` (or the first day after, if syncd was down)."""
    language: Literal["id", "en"] = "id"
    """The language of ``syncd report``'s HTML page, Markdown and table (JSON and CSV
    keep their keys): Indonesian by default, or English."""


class MetricsConfig(_Section):
    listen: Listen = "127.0.0.1:9477"

    @property
    def host(self) -> str:
        return split_host_port(self.listen)[0]

    @property
    def port(self) -> int:
        return split_host_port(self.listen)[1]


class HaConfig(_Section):
    """High availability, PostgreSQL only (CONTRACT.md section 8)."""

    lease_ttl: Annotated[
        PositiveDuration, Field(ge=timedelta(seconds=3), le=timedelta(hours=1))
    ] = timedelta(seconds=30)
    """A leader silent this long is replaced; it renews every third of it."""


class Config(_Section):
    """A whole configuration file."""

    database: DatabaseConfig = Field(default_factory=DatabaseConfig)
    sources: list[SourceConfig] = Field(default_factory=list, validate_default=True)
    calendar: CalendarConfig = Field(default_factory=CalendarConfig)
    agencies: list[AgencyConfig] = Field(default_factory=list)
    clocks: ClocksConfig = Field(default_factory=ClocksConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    compliance: ComplianceConfig = Field(default_factory=ComplianceConfig)
    reports: ReportsConfig = Field(default_factory=ReportsConfig)
    metrics: MetricsConfig = Field(default_factory=MetricsConfig)
    ha: HaConfig = Field(default_factory=HaConfig)

    @field_validator("sources", mode="after")
    @classmethod
    def _sources(cls, value: list[SourceConfig]) -> list[SourceConfig]:
        if not value:
            raise ValueError("at least one [[sources]] table is required")
        _unique("source name", [source.name for source in value])
        return value

    @field_validator("agencies", mode="after")
    @classmethod
    def _agencies(cls, value: list[AgencyConfig]) -> list[AgencyConfig]:
        _unique("agency id", [agency.id for agency in value])
        return value

    def source(self, name: str) -> SourceConfig:
        """The source called ``name``; ``KeyError`` if there is none."""
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(name)

    def agency_timezone(self, agency_id: int) -> str:
        """The configured time zone of an agency, ``Asia/Jakarta`` if not configured."""
        for agency in self.agencies:
            if agency.id == agency_id:
                return agency.timezone
        return DEFAULT_TIMEZONE


def _unique(what: str, values: list[Any]) -> None:
    seen: dict[Any, int] = {}
    for index, value in enumerate(values):
        if value in seen:
            raise ValueError(f"{what} {value!r} appears twice ([{seen[value]}] and [{index}])")
        seen[value] = index
