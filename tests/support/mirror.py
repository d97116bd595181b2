"""A mirror with alerts wired as the service wires them, driven by an injected clock."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from alerts.service import AlertService
from syncd.config import Config
from syncd.store.runs import RunOutcome, close_run, open_run
from syncd.store.tables import OUTBOX
from syncd.store.write import Batch, write_batch
from syncd.vocabulary import RunResult
from syncd.wiring import alert_service, clock_keeper
from tests.support.histories import JAYAPURA, SEKADAU, History, wib

TO = "penghubung@sekadau.go.id"
BOSS = "asisten3@sekadau.go.id"
PAPUA = "penghubung@jayapura.go.id"


def make_config(port: int, *, digest: bool = False, **alerts: Any) -> Config:
    """Followup alerts only (completion off), so each scenario's mail is easy to count."""
    return Config.model_validate(
        {
            "database": {"url": "sqlite:////nonexistent/unused.db"},
            "sources": [{"name": "lapor", "kind": "simulator"}],
            "agencies": [
                {
                    "id": SEKADAU,
                    "name": "Pemerintah Kabupaten Sekadau",
                    "timezone": "Asia/Pontianak",
                },
                {"id": JAYAPURA, "name": "Pemerintah Kota Jayapura", "timezone": "Asia/Jayapura"},
            ],
            "clocks": {"completion": {"alert": False}},
            "alerts": {
                "smtp": {"host": "127.0.0.1", "port": port, "security": "none", "timeout": "5s"},
                "routes": [
                    {"agency": SEKADAU, "to": [TO], "escalate_to": [BOSS], "digest": digest},
                    {"agency": "*", "to": [PAPUA], "digest": digest},
                ],
                **alerts,
            },
        }
    )


@dataclass
class Now:
    at: datetime

    def __call__(self) -> datetime:
        return self.at

    def set(self, wall: str) -> None:
        """Wall time in WIB, as ``tests.histories.wib`` reads it."""
        self.at = wib(wall)


def write(
    engine: Engine,
    config: Config,
    histories: Iterable[History],
    now: datetime,
    *,
    record_pass: bool = True,
) -> None:
    """What a sync does with these complaints: mirror them, keep their clocks, and
    (``record_pass``) record the pass: the day's digest and summary wait for one."""
    with engine.begin() as connection:
        batch = Batch(details=[history.detail() for history in histories])
        write_batch(connection, "lapor", batch, now, clock_keeper(config))
    if record_pass:
        synced(engine, now)


def synced(engine: Engine, at: datetime, source: str = "lapor") -> None:
    """Records a finished pass of ``source`` at ``at``, as a sync that found nothing new."""
    with engine.begin() as connection:
        run = open_run(connection, source, full=False, now=at)
        close_run(connection, run, RunOutcome(RunResult.OK, 0, 0, 0, 0, 0, None, None), at)


def service(engine: Engine, config: Config, now: Now, **options: Any) -> AlertService:
    return alert_service(config, engine, now=now, **options)


def outbox(engine: Engine) -> list[tuple[str, str, str]]:
    """(key, recipient, status) of every outbox row, sorted."""
    with engine.connect() as connection:
        rows = connection.execute(select(OUTBOX.c.key, OUTBOX.c.recipient, OUTBOX.c.status))
        return sorted((k, r, s) for k, r, s in rows)


def followup_case(**options: Any) -> History:
    """Disposed to Sekadau on Monday 2026-03-02 10:00: followup due Monday 9 March.

    warn-2 Thursday 5 March 08:00, warn-0 Monday 9 March 08:00, breach Tuesday
    10 March 08:00, escalate Thursday 12 March 08:00 (all WIB, Asia/Pontianak).
    """
    from connectors.records import CanonicalStatus

    options.setdefault("id", 501)
    options.setdefault("tracking_id", "LAP20260302501")
    options.setdefault("title", "Jalan rusak di Sekadau Hilir")
    return (
        History("2026-03-02 09:00", **options)
        .status("2026-03-02 09:30", CanonicalStatus.VERIFIED)
        .dispose("2026-03-02 10:00", SEKADAU)
    )


def key(
    threshold: str, upstream_id: int = 501, agency: int = SEKADAU, clock: str = "followup"
) -> str:
    return f"lapor:{upstream_id}/{agency}/{clock}/1/{threshold}"


def write_config(path: Path, database: Path, port: int) -> None:
    path.write_text(
        f"""
[database]
url = "sqlite:///{database}"

[[sources]]
name = "lapor"
kind = "simulator"

[clocks.completion]
alert = false

[alerts.smtp]
host = "127.0.0.1"
port = {port}
security = "none"
timeout = "10s"

[[alerts.routes]]
agency = {SEKADAU}
to = ["{TO}"]
escalate_to = ["{BOSS}"]
digest = false
""",
        encoding="utf-8",
    )
