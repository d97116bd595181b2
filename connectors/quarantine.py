"""What a connector keeps of a record it could not read: the payload, without anything
that could name the reporter, and the reason in one line naming each bad field."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from connectors.identity import scrub_identity
from connectors.records import QuarantineItem

# Keys under which the platform may send who complained; none of it is kept.
REPORTER_KEYS = frozenset(
    {
        "reporter",
        "reporter_name",
        "reporter_nik",
        "reporter_phone",
        "reporter_email",
        "user",
        "user_id",
        "nik",
        "phone",
        "phone_number",
        "email",
        "address",
        "nama_pelapor",
        "nik_pelapor",
        "no_ktp",
        "telepon",
        "alamat",
        "no_hp",
    }
)


def scrub_reporter(payload: Any) -> Any:
    """The payload without any key that could name the reporter, at any depth, and
    without the reporter's identity inside any of its texts."""
    if isinstance(payload, dict):
        return {k: scrub_reporter(v) for k, v in payload.items() if k not in REPORTER_KEYS}
    if isinstance(payload, list):
        return [scrub_reporter(v) for v in payload]
    if isinstance(payload, str):
        return scrub_identity(payload)
    return payload


def describe(exc: ValidationError) -> str:
    """A validation failure as one line naming each bad field."""
    parts = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(p) for p in error["loc"]) or "record"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


def quarantine(
    kind: str, payload: Any, reason: str, *, upstream_id: int | None = None
) -> QuarantineItem:
    """A quarantine item; ``upstream_id`` defaults to the payload's own id if readable."""
    if upstream_id is None and isinstance(payload, dict):
        candidate = payload.get("id")
        if isinstance(candidate, int) and not isinstance(candidate, bool):
            upstream_id = candidate if 0 <= candidate < 2**63 else None
    return QuarantineItem(
        kind=kind,
        upstream_id=upstream_id,
        reason=reason,
        payload=scrub_reporter(payload),
    )
