"""How real gateways are seen to write the same records (the ``v3-observed`` profile,
CONTRACT.md section 1, "Shapes seen in real responses").

The records say what the contract profile's say; only their shapes vary, by record,
so that one complaint shows several at once: statuses inside a JSON-encoded ``data``
field, agencies as flat fields or nested under their id field, log text as a
template, followup dates day first, followups without ``is_reporter``, a platform
entry among the followups, and the institutions in one call without parents. A
connector that reads every shape makes the same mirror from either profile.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from connectors.simulator import vocabulary as v
from connectors.simulator.complaint import SimComplaint, SimFollowup, SimLog
from connectors.simulator.render import Renderer

_NAMES = {i: name for i, name, _ in v.INSTITUTIONS}
PLATFORM_ENTRY_ID = 900_000_000


class ObservedRenderer(Renderer):
    def _log(self, log: SimLog) -> dict[str, Any]:
        record = super()._log(log)
        shape = log.id % 4
        if shape == 1:
            statuses = {
                "status_old": record.pop("status_old"),
                "status_new": record.pop("status_new"),
            }
            record["data"] = json.dumps(statuses, ensure_ascii=False)
        for side in ("from", "to"):
            ref = record.pop(f"institution_{side}")
            if shape == 2:
                record[f"institution_{side}_id"] = ref["id"] if ref else None
                record[f"institution_{side}_name"] = ref["name"] if ref else None
            elif shape == 3:
                record[f"institution_{side}_id"] = ref
            else:
                record[f"institution_{side}"] = ref
        target = _NAMES.get(log.inst_to) if log.inst_to is not None else None
        if target and target in record["content"]:
            record["content"] = record["content"].replace(target, "{{institution_to}}", 1)
        return record

    def followups(self, c: SimComplaint, now: int) -> list[dict[str, Any]]:
        rendered = super().followups(c, now)
        holder = c.holder(now)
        if holder is not None and rendered:
            # The platform's own note of the disposition, among the agency's answers.
            rendered.insert(
                0,
                {
                    "id": PLATFORM_ENTRY_ID + c.id,
                    "created_at": rendered[0]["created_at"],
                    "template_code": "disposition",
                    "institution_from_id": holder,
                    "institution_from_name": _NAMES[holder],
                    "content": f"Laporan didisposisikan ke {_NAMES[holder]}.",
                },
            )
        return rendered

    def _followup(self, f: SimFollowup) -> dict[str, Any]:
        record = super()._followup(f)
        record["created_at"] = self.day_first(f.at)
        if f.id % 2 == 0:
            del record["is_reporter"]  # told by whether an agency wrote it
        return record

    def day_first(self, t: int) -> str:
        return datetime.fromtimestamp(t, self.zone).strftime("%d-%m-%Y %H:%M:%S")

    def institutions(self) -> list[dict[str, Any]]:
        return [{"id": i, "name": name} for i, name, _ in v.INSTITUTIONS]
