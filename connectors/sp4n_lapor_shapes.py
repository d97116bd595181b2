"""The shapes real SP4N-LAPOR! responses come in, read as one (CONTRACT.md section 1,
"Shapes seen in real responses").

Each function takes what the wire holds and returns the one shape the validated
models expect, or raises ``ValueError`` naming what it cannot read (the record is
then quarantined with that reason, the page goes on):

- timestamps as ``YYYY-MM-DD HH:MM:SS``, ``DD-MM-YYYY HH:MM:SS`` (followups), or ISO
  8601; without an offset they are wall time in the source's zone;
- a status as ``{code, name}``, ``{name}`` alone, or inside a JSON-encoded ``data``;
- a log's agencies as ``institution_to: {id, name}``, flat ``institution_to_id`` /
  ``institution_to_name``, or ``institution_to_id: {id, name}`` (and ``from`` alike);
- a log's text as a template with ``{{institution_from}}``, ``{{institution_to}}``,
  ``{{status_old}}``, ``{{status_new}}``, rendered with the log's own values;
- followups that are platform entries (``template_code``), and a followup without
  ``is_reporter`` (then one with no agency is the reporter's).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

_PLACEHOLDER = re.compile(r"\{\{\s*(institution_from|institution_to|status_old|status_new)\s*\}\}")


PLAUSIBLE_YEARS = range(1970, 2201)
"""Years a platform timestamp can be in. Year 1 or 9999 is no complaint's date, and
either would overflow when turned into an instant: refused with a reason instead."""


def shown(value: Any, limit: int = 40) -> str:
    """A value as a reason quotes it: short, since a reason is logged and stored."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def platform_timestamp(value: Any) -> datetime:
    """A naive wall time, or an aware instant where the platform gave an offset."""
    if not isinstance(value, str):
        raise ValueError(f"a timestamp must be a string, not {type(value).__name__}")
    parsed: datetime | None = None
    try:
        if len(value) == 19 and value[4] == "-" and value[10] == " " and value[13] == ":":
            parsed = datetime.fromisoformat(value)  # the usual form, and the fast path
        elif len(value) == 19 and value[2] == "-" and value[5] == "-" and value[10] == " ":
            parsed = datetime.strptime(value, "%d-%m-%Y %H:%M:%S")
        elif 19 <= len(value) <= 40 and value[4] == "-" and value[10] in "T ":
            parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"impossible timestamp {shown(value)}: {exc}") from None
    if parsed is None:
        raise ValueError(
            "not a timestamp ('YYYY-MM-DD HH:MM:SS', 'DD-MM-YYYY HH:MM:SS' or ISO 8601): "
            f"{shown(value)}"
        )
    if parsed.year not in PLAUSIBLE_YEARS:
        raise ValueError(
            f"timestamp {shown(value)} is in year {parsed.year}, outside "
            f"{PLAUSIBLE_YEARS.start}-{PLAUSIBLE_YEARS.stop - 1}"
        )
    return parsed


def status_of(value: Any) -> dict[str, Any] | None:
    """A status as ``{code, name}`` (either may be None), from any of its shapes."""
    if value is None:
        return None
    if isinstance(value, dict):
        code, name = value.get("code"), value.get("name")
        if code is None and name is None:
            raise ValueError("a status needs a code or a name")
        return {"code": code, "name": name}
    if isinstance(value, str):
        return {"code": None, "name": value}
    if isinstance(value, int) and not isinstance(value, bool):
        return {"code": value, "name": None}
    raise ValueError(f"a status must be an object, not {type(value).__name__}")


def normalized_log(payload: Any) -> Any:
    """A log entry with its statuses and agencies in the models' one shape."""
    if not isinstance(payload, dict):
        return payload
    log = dict(payload)
    encoded = log.get("data")
    if isinstance(encoded, str):
        try:
            inner = json.loads(encoded)
        except ValueError:
            inner = None
        if isinstance(inner, dict):
            for key in ("status_old", "status_new"):
                if log.get(key) is None and key in inner:
                    log[key] = inner[key]
    for side in ("from", "to"):
        log[f"institution_{side}"] = _agency(log, side)
        log.pop(f"institution_{side}_id", None)
        log.pop(f"institution_{side}_name", None)
    return log


def _agency(log: dict[str, Any], side: str) -> Any:
    nested = log.get(f"institution_{side}")
    if nested is not None:
        return nested
    flat_id = log.get(f"institution_{side}_id")
    if isinstance(flat_id, dict):
        return flat_id
    if flat_id is None:
        return None
    return {"id": flat_id, "name": log.get(f"institution_{side}_name") or ""}


def rendered(template: str, values: dict[str, str]) -> str:
    """A log text with its placeholders filled in with the log's own values."""
    if "{{" not in template:
        return template
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), ""), template)


def is_platform_entry(payload: Any) -> bool:
    """A followup the platform wrote itself (a disposition notice, say): not an answer."""
    return isinstance(payload, dict) and bool(payload.get("template_code"))


def normalized_followup(payload: Any) -> Any:
    """A followup whose ``is_reporter`` is given: when absent, a followup with neither
    an agency id nor an agency name is the reporter's."""
    if not isinstance(payload, dict) or "is_reporter" in payload:
        return payload
    anonymous = payload.get("institution_from_id") is None and not payload.get(
        "institution_from_name"
    )
    return {**payload, "is_reporter": anonymous}
