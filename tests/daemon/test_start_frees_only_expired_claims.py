"""At start the daemon frees the outbox claims whose lease has run out (a dead
process's), never a live one: that may be another dispatcher's, sending right now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine, insert, select

from syncd.config import Config
from syncd.daemon import Daemon
from syncd.store.tables import OUTBOX
from syncd.wiring import metrics as wiring_metrics
from tests.support.smtp import SmtpServer
from tests.support.waiting import wait_for

pytestmark = pytest.mark.integration


def claimed_row(key: str, token: str, claimed_until: datetime, now: datetime) -> dict[str, Any]:
    """A breach about a complaint the mirror does not hold: once claimed by a pass,
    it is cancelled (its clock is gone), so what a pass touched shows."""
    return {
        "key": key,
        "recipient": "penghubung@example.go.id",
        "kind": "breach",
        "clock_key": key.rsplit("/", 1)[0],
        "threshold": "breach",
        "complaint_id": None,
        "clock_kind": "followup",
        "agency_id": 4251,
        "cycle": 1,
        "zone": "Asia/Pontianak",
        "status": "pending",
        "created_at": now - timedelta(hours=1),
        "next_attempt_at": now - timedelta(hours=1),
        "attempts": 0,
        "claim_token": token,
        "claimed_until": claimed_until,
    }


def test_start_frees_expired_claims_and_leaves_live_ones(engine: Engine, smtp: SmtpServer) -> None:
    config = Config.model_validate(
        {
            "database": {"url": "sqlite:////nonexistent/unused.db"},
            "sources": [{"name": "sim", "kind": "simulator", "complaints": 5}],
            "alerts": {
                "smtp": {"host": "127.0.0.1", "port": smtp.port, "security": "none"},
                "routes": [{"agency": "*", "to": ["penghubung@example.go.id"]}],
            },
        }
    )
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            insert(OUTBOX),
            [
                # Another dispatcher's batch, its lease running for 10 more minutes.
                claimed_row(
                    "lapor:1/4251/followup/1/breach", "live", now + timedelta(minutes=10), now
                ),
                # A dispatcher killed an hour ago: its lease ran out 50 minutes ago.
                claimed_row(
                    "lapor:2/4251/followup/1/breach", "dead", now - timedelta(minutes=50), now
                ),
            ],
        )
    daemon = Daemon(
        config, engine, wiring_metrics(config, engine, CollectorRegistry()), any_hour=True
    )
    daemon.start()
    try:
        wait_for("the first alert pass", lambda: daemon.last_alert_pass is not None, 60)
    finally:
        assert daemon.stop()
    o = OUTBOX.c
    with engine.connect() as connection:
        rows = connection.execute(
            select(o.key, o.status, o.claim_token).where(o.key.like("lapor:_/4251/%"))
        ).all()
    assert sorted(tuple(row) for row in rows) == [
        ("lapor:1/4251/followup/1/breach", "pending", "live"),  # untouched, still claimed
        ("lapor:2/4251/followup/1/breach", "cancelled", None),  # freed, then handled
    ]
