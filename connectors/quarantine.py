"""What a connector keeps of a record it could not read: the payload, without anything
that could name the reporter, and the reason in one line naming each bad field."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from connectors.identity import scrub_identity
from connectors.records import CONFIDENTIAL, QuarantineItem

KEPT_KEYS = frozenset(
    {
        # the envelope and its pages
        "success", "message", "results", "data", "data_logs", "next_page_url",
        "prev_page_url", "total", "current_page", "per_page", "page", "last_page",
        # a complaint
        "id", "tracking_id", "title", "content", "status_code", "status_name",
        "classification", "category_id", "category_name", "disposition_id",
        "disposition_name", "is_secret", "is_anonymous", "created_at", "updated_at",
        "location_name", "date_of_incident",
        # a log entry, a followup, an institution
        "status_old", "status_new", "code", "name", "institution_from", "institution_to",
        "institution_from_id", "institution_from_name", "institution_to_id",
        "institution_to_name", "template_code", "is_reporter", "parent_id",
        # what the connector wraps around a broken followup
        "complaint", "followup",
    }
)  # fmt: skip
"""The keys a quarantined payload keeps: what the wire format is read for, at any
depth. Everything else is dropped, whatever it is called: the platform and its
integrators send the reporter under many names (``nama_pelapor``, ``nik_pelapor``,
``no_ktp``, ``pelapor: {…}``), and a list of names to drop would always miss one."""

SECRET_TEXT_KEYS = frozenset({"title", "content", "location_name"})
"""The texts of a confidential complaint, which quarantine does not keep."""
DROPPED = "_dropped_keys"


def scrub_reporter(payload: Any, *, secret: bool = False) -> Any:
    """The payload with only the keys of the wire format, at any depth, without the
    reporter's identity inside any of its texts, and without a confidential
    complaint's texts when ``secret``."""
    if isinstance(payload, dict):
        kept: dict[str, Any] = {}
        dropped = 0
        for key, value in payload.items():
            if key not in KEPT_KEYS:
                dropped += 1
            elif secret and key in SECRET_TEXT_KEYS and isinstance(value, str):
                kept[key] = CONFIDENTIAL
            else:
                kept[key] = scrub_reporter(value, secret=secret)
        if dropped:
            kept[DROPPED] = dropped
        return kept
    if isinstance(payload, list):
        return [scrub_reporter(v, secret=secret) for v in payload]
    if isinstance(payload, str):
        return scrub_identity(payload)
    return payload


def may_be_secret(payload: Any) -> bool:
    """Whether a complaint's payload could be confidential: unless every ``is_secret``
    in it is plainly false, it is treated as secret (a malformed flag, or none at all,
    must not put a confidential title into quarantine)."""
    flags: list[Any] = []

    def collect(value: Any) -> None:
        if isinstance(value, dict):
            if "is_secret" in value:
                flags.append(value["is_secret"])
            for inner in value.values():
                collect(inner)
        elif isinstance(value, list):
            for inner in value:
                collect(inner)

    collect(payload)
    return not flags or any(flag not in (False, 0, "0", "false") for flag in flags)


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
    secret = kind != "institution" and may_be_secret(payload)
    if secret:
        # A reason may quote the bad value, and a confidential complaint's title can
        # sit in any field of a malformed record.
        reason = _QUOTED.sub("'…'", reason)
    return QuarantineItem(
        kind=kind,
        upstream_id=upstream_id,
        reason=scrub_identity(reason),
        payload=scrub_reporter(payload, secret=secret),
    )


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
