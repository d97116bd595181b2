"""``syncd alerts send`` on a PostgreSQL database a ``syncd run`` leads sends nothing:
a takeover frees every claim, so a second dispatcher beside the leader could send a
mail twice. Once the lease has expired, it sends."""

from __future__ import annotations

from pathlib import Path

import pytest
import time_machine
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from syncd.cli import app
from syncd.config import load_config
from tests.support.database import database_url
from tests.support.histories import wib
from tests.support.mirror import followup_case, write, write_config

pytestmark = pytest.mark.integration


def test_it_sends_nothing_while_a_leader_holds_the_lease(
    postgresql_engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "syncd.toml"
    write_config(path, tmp_path / "unused.db", 2525)
    url = database_url(postgresql_engine)
    path.write_text(path.read_text().replace(f"sqlite:///{tmp_path / 'unused.db'}", url))
    write(postgresql_engine, load_config(path), [followup_case()], wib("2026-03-02 10:30"))
    with postgresql_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO ha_members (id, host, pid, role, fencing, started_at, seen_at) "
                "VALUES ('m1', 'host-a', 4242, 'leader', 7, now(), now())"
            )
        )
        connection.execute(
            text(
                "UPDATE ha_lease SET holder = 'm1', fencing = 7, "
                "expires_at = now() + interval '1 minute'"
            )
        )
    mail = tmp_path / "mail"
    with time_machine.travel(wib("2026-03-10 09:00"), tick=False):
        refused = CliRunner().invoke(
            app, ["alerts", "send", "-c", str(path), "--to-files", str(mail)]
        )
    assert refused.exit_code == 1, refused.output
    assert "syncd run pid 4242 on host-a (fencing 7) leads this database" in refused.output
    assert not mail.exists() or list(mail.iterdir()) == []
    with postgresql_engine.begin() as connection:
        connection.execute(text("UPDATE ha_lease SET expires_at = now()"))
    with time_machine.travel(wib("2026-03-10 09:00"), tick=False):
        sent = CliRunner().invoke(app, ["alerts", "send", "-c", str(path), "--to-files", str(mail)])
    assert sent.exit_code == 0, sent.output
    assert len(list(mail.glob("*.eml"))) >= 1
