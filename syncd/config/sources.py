"""``[[sources]]``: where complaints come from, one table per upstream credential.

``kind = "sp4n-lapor"`` reads the real platform at ``base_url`` with ``api_key`` and
``token``; ``kind = "simulator"`` runs the built-in simulator in-process, with
``complaints`` and ``seed``. The keys one kind needs and the other does not use are
checked together with the rest, so a bad table lists every problem at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from connectors.http import DEFAULT_MAX_RESPONSE_BYTES
from connectors.records import CanonicalStatus
from connectors.sp4n_lapor_wire import DEFAULT_STATUS_MAP
from syncd.config.durations import Duration, PositiveDuration
from syncd.config.errors import raise_problems
from syncd.config.secrets import env_name
from syncd.config.values import DEFAULT_TIMEZONE, HeaderName, HttpUrl, Timezone

SourceKind = Literal["sp4n-lapor", "simulator"]
Discovery = Literal["auto", "listing", "tracked"]
GATEWAY_REQUESTS_PER_SECOND = 2.0
"""The budget of a real gateway's source unless configured (CONTRACT.md section 3)."""

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_LAPOR_ONLY = ("base_url", "api_key", "token")
_SIMULATOR_ONLY = ("complaints", "seed", "profile")


def _source_name(value: str) -> str:
    if not _NAME.fullmatch(value):
        raise ValueError(
            "a source name is 1 to 64 letters, digits, '_', '.' or '-', starting with a "
            "letter or digit (it appears in metrics, alert keys and environment variables)"
        )
    return value


SourceName = Annotated[str, AfterValidator(_source_name)]
AgencyId = Annotated[int, Field(ge=1)]
StatusCode = Annotated[int, Field(ge=0)]


class TrackingConfig(BaseModel):
    """``[sources.tracking]``: how often each tracked complaint is checked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    urgent_every: PositiveDuration = timedelta(minutes=15)
    """A running clock due within one working day, or breached."""
    active_every: PositiveDuration = timedelta(hours=2)
    closed_every: PositiveDuration = timedelta(days=1)
    closed_for: PositiveDuration = timedelta(days=30)
    """Then dormant: checked no more, until imported again."""
    import_dir: str = ""
    """A folder whose dropped CSV/XLSX files the daemon imports, then moves to done/
    (or rejected/); empty: none. An absolute path."""

    @field_validator("import_dir", mode="after")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if value and not Path(value).is_absolute():
            raise ValueError(f"{value!r} is not an absolute path")
        return value


class SourceConfig(BaseModel):
    """One ``[[sources]]`` table. ``api_key`` and ``token`` never show in ``repr``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: SourceName
    kind: SourceKind
    base_url: HttpUrl | None = None
    api_key_secret: SecretStr | None = Field(default=None, alias="api_key", repr=False)
    token_secret: SecretStr | None = Field(default=None, alias="token", repr=False)
    auth_header: HeaderName = "Authorization"
    timezone: Timezone = DEFAULT_TIMEZONE
    poll_interval: PositiveDuration = timedelta(minutes=2)
    page_size: int = Field(default=500, ge=1, le=1000)
    agencies: list[AgencyId] = Field(default_factory=list)
    """Agency ids to mirror; empty: all the credentials see."""
    discovery: Discovery = "auto"
    """auto: probe the listing once per start (404/405: tracked); listing; tracked."""
    max_requests_per_second: float | None = Field(default=None, gt=0, le=10_000)
    """The whole source's budget toward the gateway: 2.0 unless set for kind
    "sp4n-lapor"; no limit for the in-process simulator unless set."""
    max_concurrency: int = Field(default=4, ge=1, le=64)
    """Requests in flight at once toward a real gateway (kind "sp4n-lapor")."""
    max_response_bytes: int = Field(
        default=DEFAULT_MAX_RESPONSE_BYTES, ge=64 * 1024, le=1024 * 1024 * 1024
    )
    """The most of one response body read, after decompression: a longer body (an
    endless stream, a compression bomb) is a bad response, retried; then a listing
    page fails the pass and a complaint's detail is quarantined. It never grows the
    process beyond this."""
    tracking: TrackingConfig = Field(default_factory=TrackingConfig)
    # syncd extensions to CONTRACT.md section 3
    lookback: Duration = timedelta(minutes=10)
    concurrency: int = Field(default=8, ge=1, le=64)
    verify_tls: bool = True
    status_names: dict[str, CanonicalStatus] = Field(default_factory=dict)
    """Extra status name (e.g. "Dalam Proses") or status code (e.g. "8") to canonical
    status, merged over the contract's table: names are matched first (case and
    spacing ignored), then codes."""
    complaints: int = Field(default=1000, ge=0)
    """Simulator only: complaints on the simulated platform at start."""
    seed: int = 1
    """Simulator only: same seed, same world."""
    profile: Literal["contract", "v3-observed"] = "contract"
    """Simulator only: "v3-observed" serves no listing, as real gateways."""

    @property
    def api_key(self) -> str | None:
        return self.api_key_secret.get_secret_value() if self.api_key_secret else None

    @property
    def token(self) -> str | None:
        return self.token_secret.get_secret_value() if self.token_secret else None

    @property
    def request_budget(self) -> tuple[float | None, int | None]:
        """(requests per second, in flight): a real gateway's source is held to its
        budget; the in-process simulator only when one is configured."""
        if self.kind == "simulator":
            return self.max_requests_per_second, None
        return self.max_requests_per_second or GATEWAY_REQUESTS_PER_SECOND, self.max_concurrency

    @field_validator("status_names", mode="after")
    @classmethod
    def _names_or_codes(cls, value: Mapping[str, CanonicalStatus]) -> dict[str, CanonicalStatus]:
        for key in value:
            if not key.strip():
                raise ValueError("a status name must not be empty")
            if key.strip().isdigit() and int(key) > 2**31:
                raise ValueError(f"status code {key} is out of range")
        return dict(value)

    @property
    def status_codes(self) -> dict[int, CanonicalStatus]:
        """Status code to canonical: the contract's table with the configured codes."""
        given = {int(k): v for k, v in self.status_names.items() if k.strip().isdigit()}
        return {**DEFAULT_STATUS_MAP, **given}

    @property
    def status_aliases(self) -> dict[str, CanonicalStatus]:
        """The configured status names (the contract's names are always known)."""
        return {k: v for k, v in self.status_names.items() if not k.strip().isdigit()}

    @model_validator(mode="wrap")
    @classmethod
    def _kind_rules(cls, data: Any, handler: ModelWrapValidatorHandler[SourceConfig]) -> Any:
        problems = _kind_problems(data) if isinstance(data, dict) else []
        try:
            source = handler(data)
        except ValidationError as exc:
            raise_problems(cls.__name__, exc, problems)
        if problems:
            raise_problems(cls.__name__, None, problems)
        return source


def _kind_problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    kind = data.get("kind")
    given = {key for key, value in data.items() if value not in (None, "")}
    problems: list[tuple[str, str]] = []
    if kind == "sp4n-lapor":
        for key in _LAPOR_ONLY:
            if key not in given:
                problems.append((key, f'required for kind "sp4n-lapor"{_hint(key, data)}'))
        for key in _SIMULATOR_ONLY:
            if key in given:
                problems.append((key, 'only for kind "simulator"'))
    elif kind == "simulator" and "base_url" in given:
        problems.append(
            (
                "base_url",
                'not used by kind "simulator", which runs in-process; to read a simulator '
                'served by "syncd simulate", use kind "sp4n-lapor"',
            )
        )
    return problems


def _hint(key: str, data: dict[str, Any]) -> str:
    if key == "base_url":
        return ""
    name = data.get("name")
    env = env_name("sources", name if isinstance(name, str) else "<name>", key)
    return f"; set {key}, {key}_file or ${env}"
