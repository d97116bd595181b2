"""How the simulated platform writes its records on the wire (CONTRACT.md section 1).

Deliberately independent of the connector's parsing: the simulator writes naive
local wall times, ``{code, name}`` status objects and a reporter block, exactly as
the upstream does, and breaks the records the world marks as malformed.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from connectors.simulator import vocabulary as v
from connectors.simulator.complaint import SimComplaint, SimFollowup, SimLog

_NAMES = {i: name for i, name, _ in v.INSTITUTIONS}


class Renderer:
    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone

    def wall(self, t: int) -> str:
        return datetime.fromtimestamp(t, self.zone).strftime("%Y-%m-%d %H:%M:%S")

    def summary(self, c: SimComplaint, now: int) -> dict[str, Any]:
        status = c.status(now)
        holder = c.holder(now)
        record: dict[str, Any] = {
            "id": c.id,
            "tracking_id": c.tracking_id,
            "title": c.title,
            "status_code": status,
            "status_name": v.STATUS_NAMES[status],
            "classification": c.classification,
            "category_name": c.category,
            "disposition_id": holder,
            "disposition_name": _NAMES[holder] if holder is not None else None,
            "is_secret": c.is_secret,
            "is_anonymous": c.is_anonymous,
            "created_at": self.wall(c.created_at),
            "updated_at": self.wall(c.updated_at),
            "user_id": 90_000_000 + c.id,
        }
        return _break(record, c.malformed)

    def detail(self, c: SimComplaint, now: int) -> dict[str, Any]:
        data = self.summary(c, now)
        data["content"] = c.content
        data["location_name"] = c.location
        data["date_of_incident"] = c.incident_date
        if not c.is_anonymous:
            data["reporter"] = {
                "name": f"Pelapor {c.id % 9973}",
                "nik": f"6109{c.id:012d}",
                "phone": f"0812{c.id % 10**8:08d}",
                "email": f"pelapor{c.id}@example.id",
            }
        return {"data": data, "data_logs": [self._log(log) for log in c.visible_logs(now)]}

    def _log(self, log: SimLog) -> dict[str, Any]:
        return {
            "id": log.id,
            "created_at": self.wall(log.at),
            "status_old": _code(log.status_old),
            "status_new": _code(log.status_new),
            "institution_from": _inst(log.inst_from),
            "institution_to": _inst(log.inst_to),
            "content": log.content,
        }

    def followups(self, c: SimComplaint, now: int) -> list[dict[str, Any]]:
        rendered = [self._followup(f) for f in c.visible_followups(now)]
        if c.malformed == "bad_followup" and rendered:
            rendered[0]["created_at"] = "2025-13-45 99:99:99"
        return rendered

    def _followup(self, f: SimFollowup) -> dict[str, Any]:
        return {
            "id": f.id,
            "created_at": self.wall(f.at),
            "institution_from_id": f.inst_from,
            "institution_from_name": _NAMES[f.inst_from] if f.inst_from is not None else None,
            "is_reporter": f.is_reporter,
            "content": f.content,
        }


def _break(record: dict[str, Any], how: str | None) -> dict[str, Any]:
    if how == "missing_field":
        del record["tracking_id"]
    elif how == "impossible_date":
        record["created_at"] = record["created_at"][:5] + "02-30" + record["created_at"][10:]
    elif how == "wrong_type":
        record["is_secret"] = "maybe"  # noqa: S105 (a flag, not a password)
    return record


def _code(code: int | None) -> dict[str, Any] | None:
    return {"code": code, "name": v.STATUS_NAMES[code]} if code is not None else None


def _inst(inst: int | None) -> dict[str, Any] | None:
    return {"id": inst, "name": _NAMES[inst]} if inst is not None else None
