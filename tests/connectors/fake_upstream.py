"""A tiny in-memory SP4N-LAPOR! listing for respx, whose data tests can move mid-listing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from connectors.sp4n_lapor import LaporConnector, LaporSettings
from tests.support.clocks import FakeClock

BASE = "https://lapor.test/lapor/3.0.0"


def envelope(results: Any) -> dict[str, Any]:
    return {"success": True, "message": "OK", "results": results}


def summary(
    complaint_id: int, updated_at: str = "2025-03-27 10:00:00", **over: Any
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": complaint_id,
        "tracking_id": f"T{complaint_id}",
        "title": f"Keluhan {complaint_id}",
        "status_code": 2,
        "status_name": "Terdisposisi",
        "classification": "Pengaduan",
        "category_name": "Infrastruktur",
        "disposition_id": 4251,
        "disposition_name": "Pemerintah Kabupaten Sekadau",
        "is_secret": False,
        "is_anonymous": False,
        "created_at": "2025-03-20 08:00:00",
        "updated_at": updated_at,
    }
    record.update(over)
    return record


@dataclass
class FakeListing:
    """``GET /complaints`` over ``records``, sorted by (updated_at, id) on every call.

    ``before_each`` runs before a request is answered, with the request number
    (from 0), so a test can change the data between two pages.
    """

    records: list[dict[str, Any]]
    before_each: Callable[[int, FakeListing], None] | None = None
    requests: list[dict[str, str]] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        if self.before_each is not None:
            self.before_each(len(self.requests), self)
        self.requests.append(params)
        rows = sorted(self.records, key=lambda r: (r["updated_at"], r["id"]))
        if "updated_from" in params:
            rows = [r for r in rows if r["updated_at"] >= params["updated_from"]]
        page, size = int(params.get("page", 1)), int(params.get("page_size", 100))
        chunk = rows[(page - 1) * size : page * size]
        more = page * size < len(rows)
        next_url = f"{BASE}/complaints?page={page + 1}" if more else None
        return httpx.Response(
            200,
            json=envelope(
                {
                    "data": chunk,
                    "current_page": page,
                    "per_page": size,
                    "total": len(rows),
                    "last_page": max(1, -(-len(rows) // size)),
                    "next_page_url": next_url,
                }
            ),
        )

    def touch(self, complaint_id: int, updated_at: str) -> None:
        for record in self.records:
            if record["id"] == complaint_id:
                record["updated_at"] = updated_at


def fake_connector(clock: FakeClock, **settings: object) -> LaporConnector:
    """A connector to ``BASE`` (which respx answers), sleeping on ``clock``."""
    merged: dict[str, object] = {"base_url": BASE, "api_key": "k", "token": "t"}
    merged.update(settings)
    return LaporConnector(
        LaporSettings(**merged),  # type: ignore[arg-type]
        httpx.Client(base_url=BASE),
        sleep=clock.sleep,
        clock=clock,
    )
