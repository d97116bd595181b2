"""``syncd alerts send`` killed with SIGKILL between batches, then restarted, delivers
every (key, recipient) exactly once. The killed one's batch stays claimed until its
lease runs out (a live claim may be another dispatcher's): here it runs out at once."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update

from syncd.config import load_config
from syncd.store import make_engine, upgrade
from syncd.store.tables import OUTBOX
from syncd.store.write import Batch, write_batch
from syncd.wiring import clock_keeper
from tests.support.histories import SEKADAU
from tests.support.mirror import BOSS, TO, followup_case, write_config
from tests.support.processes import SYNCD
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.integration

COMPLAINTS = 12  # each long overdue: an escalation to TO and BOSS, 24 mails
BATCH = 5


def send(config: Path, *, stderr: int = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
    syncd = SYNCD
    return subprocess.Popen(
        [str(syncd), "alerts", "send", "-c", str(config), "--any-hour", f"--batch-size={BATCH}"],
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )


def lease_runs_out(engine: Engine) -> int:
    """What ten minutes would do to the claims a killed dispatcher left."""
    o = OUTBOX.c
    expired = datetime.now(UTC) - timedelta(seconds=1)
    with engine.begin() as connection:
        result = connection.execute(
            update(OUTBOX).where(o.claim_token.is_not(None)).values(claimed_until=expired)
        )
    return result.rowcount or 0


def test_killed_between_batches_and_restarted_sends_each_mail_once(
    tmp_path: Path, smtp: SmtpServer
) -> None:
    database = tmp_path / "syncd.db"
    config_path = tmp_path / "syncd.toml"
    write_config(config_path, database, smtp.port)
    config = load_config(config_path)
    engine = make_engine(config.database.url)
    upgrade(engine)
    histories = [
        followup_case(id=1000 + n, tracking_id=f"LAP{1000 + n}") for n in range(COMPLAINTS)
    ]
    with engine.begin() as connection:
        batch = Batch(details=[h.detail() for h in histories])
        write_batch(connection, "lapor", batch, datetime.now(UTC), clock_keeper(config))

    handler = smtp.handler
    for kill_at in (BATCH + 1, 3 * BATCH + 1):  # the first message of a batch, twice
        handler.hold_at = kill_at
        handler.holding.clear()
        handler.release.clear()
        proc = send(config_path)
        assert handler.holding.wait(60), "the dispatcher never reached the held message"
        proc.kill()
        proc.wait(30)
        handler.release.set()
        assert len(handler.received) == kill_at - 1  # every batch before it, whole
        assert lease_runs_out(engine) == BATCH  # the batch in flight, still claimed

    handler.hold_at = None
    proc = send(config_path, stderr=subprocess.PIPE)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr.decode()

    delivered = sorted((mail.key, rcpt) for mail in handler.received for rcpt in mail.rcpt_tos)
    with engine.connect() as connection:
        rows = connection.execute(select(OUTBOX.c.key, OUTBOX.c.recipient, OUTBOX.c.status))
        sent = sorted((k, r) for k, r, status in rows if status == "sent")
    engine.dispose()
    expected = sorted(
        (f"lapor:{1000 + n}/{SEKADAU}/followup/1/escalate", who)
        for n in range(COMPLAINTS)
        for who in (TO, BOSS)
    )
    assert delivered == expected  # each exactly once: a duplicate would show twice
    assert sent == expected
