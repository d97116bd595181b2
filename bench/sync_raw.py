"""The raw ceiling for a backfill: plain httpx and plain sqlite3, nothing in between.

The same requests syncd makes (listing pages of 500 from page 1 to the last, then
each complaint's detail and every page of its followups, eight complaints at once on
keep-alive connections), and the same rows written into the same schema (created by
syncd's ``upgrade()``), with ``executemany`` and one commit per listing page. The
only work between the wire and the database is ``json.loads``, the platform's wall
time turned into UTC text, and tuple building: no validation, no upsert guard (the
database is empty), no run record, checkpoint or institutions. What syncd may spend
beyond this is its own.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from connectors.sp4n_lapor_wire import DEFAULT_STATUS_MAP

SOURCE = "lapor"
CANONICAL = {code: str(status) for code, status in DEFAULT_STATUS_MAP.items()}

COMPLAINT_SQL = (
    "INSERT INTO complaints (source, upstream_id, tracking_id, title, content, classification,"
    " category_name, status_code, status_name, status, agency_id, agency_name, is_secret,"
    " is_anonymous, location_name, date_of_incident, created_at, updated_at, synced_at,"
    " vanished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)"
)
LOG_SQL = (
    "INSERT INTO status_log_entries (complaint_id, upstream_id, created_at, status_old_code,"
    " status_old_name, status_old, status_new_code, status_new_name, status_new,"
    " institution_from_id, institution_from_name, institution_to_id, institution_to_name,"
    " content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
FOLLOWUP_SQL = (
    "INSERT INTO followups (complaint_id, upstream_id, created_at, institution_from_id,"
    " institution_from_name, is_reporter, content) VALUES (?, ?, ?, ?, ?, ?, ?)"
)


class Wall:
    """The platform's naive wall times as the UTC text SQLAlchemy stores on SQLite."""

    def __init__(self, zone: str) -> None:
        self._zone = ZoneInfo(zone)
        self._offsets: dict[str, timedelta] = {}

    def utc(self, text: str) -> str:
        naive = datetime.fromisoformat(text)
        hour = text[:13]
        offset = self._offsets.get(hour)
        if offset is None:
            offset = self._offsets[hour] = self._zone.utcoffset(naive) or timedelta(0)
        return f"{naive - offset}.000000"


def _fetch_one(client: httpx.Client, complaint_id: int) -> tuple[dict[str, Any], list[Any]]:
    """One complaint's detail ``results`` and all its followups."""
    detail = json.loads(client.get(f"/complaints/{complaint_id}/complaint").read())["results"]
    followups: list[Any] = []
    page = 1
    while True:
        url = f"/complaints/{complaint_id}/followups?page={page}"
        results = json.loads(client.get(url).read())["results"]
        followups.extend(results["data"])
        if results["next_page_url"] is None:
            return detail, followups
        page += 1


def _pages(
    client: httpx.Client, pool: ThreadPoolExecutor, page_size: int
) -> Iterator[list[dict[str, Any]]]:
    """Listing pages 1..last, the next one already asked for while this one is used."""

    def get(page: int) -> dict[str, Any]:
        url = f"/complaints?page={page}&page_size={page_size}"
        results: dict[str, Any] = json.loads(client.get(url).read())["results"]
        return results

    page = 1
    ahead: Future[dict[str, Any]] = pool.submit(get, page)
    while True:
        results = ahead.result()
        if results["next_page_url"] is not None:
            page += 1
            ahead = pool.submit(get, page)
        yield results["data"]
        if results["next_page_url"] is None:
            return


def _complaint_row(wall: Wall, detail: dict[str, Any], now: str) -> tuple[Any, ...]:
    """As syncd writes it: from the detail, which repeats the summary's fields."""
    data = detail["data"]
    disposition = data.get("disposition_id")
    code = data["status_code"]
    incident = data.get("date_of_incident")
    return (
        SOURCE,
        data["id"],
        data["tracking_id"],
        data["title"],
        data["content"],
        data["classification"],
        data.get("category_name") or "",
        code,
        data["status_name"],
        CANONICAL.get(code),
        disposition,
        (data.get("disposition_name") or "") if disposition is not None else None,
        data["is_secret"],
        data["is_anonymous"],
        data.get("location_name") or "",
        incident[:10] if incident else None,
        wall.utc(data["created_at"]),
        wall.utc(data["updated_at"]),
        now,
    )


def _log_rows(wall: Wall, row_id: int, logs: list[dict[str, Any]]) -> Iterator[tuple[Any, ...]]:
    for log in logs:
        old, new = log.get("status_old"), log["status_new"]
        src, dst = log.get("institution_from"), log.get("institution_to")
        yield (
            row_id,
            log["id"],
            wall.utc(log["created_at"]),
            old["code"] if old else None,
            old["name"] if old else None,
            CANONICAL.get(old["code"]) if old else None,
            new["code"],
            new["name"],
            CANONICAL.get(new["code"]),
            src["id"] if src else None,
            src["name"] if src else None,
            dst["id"] if dst else None,
            dst["name"] if dst else None,
            log.get("content") or "",
        )


def _followup_rows(
    wall: Wall, row_id: int, followups: list[dict[str, Any]]
) -> Iterator[tuple[Any, ...]]:
    for f in followups:
        yield (
            row_id,
            f["id"],
            wall.utc(f["created_at"]),
            f.get("institution_from_id"),
            f.get("institution_from_name") or "",
            f["is_reporter"],
            f.get("content") or "",
        )


def backfill(
    base_url: str, db_path: str, *, page_size: int, concurrency: int, zone: str
) -> dict[str, Any]:
    """Mirrors every listed complaint into the (upgraded, empty) SQLite file at ``db_path``."""
    wall = Wall(zone)
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")
    limits = httpx.Limits(
        max_connections=concurrency + 2, max_keepalive_connections=concurrency + 2
    )
    complaints = pages = 0
    started = time.perf_counter()
    with (
        httpx.Client(base_url=base_url, timeout=30, limits=limits) as client,
        ThreadPoolExecutor(max_workers=concurrency) as pool,
        ThreadPoolExecutor(max_workers=1) as lister,
    ):
        for summaries in _pages(client, lister, page_size):
            ids = [s["id"] for s in summaries]
            fetched = list(pool.map(lambda i: _fetch_one(client, i), ids))
            now = str(datetime.now(UTC).replace(tzinfo=None))
            rows = [_complaint_row(wall, detail, now) for detail, _ in fetched]
            with db:  # one transaction a page
                db.executemany(COMPLAINT_SQL, rows)
                marks = ",".join("?" * len(ids))
                row_ids = dict(
                    db.execute(
                        "SELECT upstream_id, id FROM complaints"  # noqa: S608 (only ? marks)
                        f" WHERE source = ? AND upstream_id IN ({marks})",
                        [SOURCE, *ids],
                    )
                )
                logs: list[tuple[Any, ...]] = []
                followups: list[tuple[Any, ...]] = []
                for upstream_id, (detail, page_followups) in zip(ids, fetched, strict=True):
                    row_id = row_ids[upstream_id]
                    logs.extend(_log_rows(wall, row_id, detail["data_logs"]))
                    followups.extend(_followup_rows(wall, row_id, page_followups))
                db.executemany(LOG_SQL, logs)
                db.executemany(FOLLOWUP_SQL, followups)
            complaints += len(ids)
            pages += 1
    seconds = time.perf_counter() - started
    db.close()
    return {"seconds": seconds, "complaints": complaints, "pages": pages}
