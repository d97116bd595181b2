"""``syncd alerts preview``, ``outbox`` and ``send`` on a mirror."""

from __future__ import annotations

import email
import json
from email.policy import default
from pathlib import Path

import pytest
import time_machine
from typer.testing import CliRunner

from syncd.cli import app
from syncd.config import load_config
from syncd.store import make_engine, upgrade
from tests.support.histories import wib
from tests.support.mirror import BOSS, TO, followup_case, key, write, write_config

pytestmark = pytest.mark.integration
WIDE = {"COLUMNS": "250"}


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / "syncd.toml"
    write_config(path, tmp_path / "syncd.db", 2525)
    config = load_config(path)
    engine = make_engine(config.database.url)
    upgrade(engine)
    write(engine, config, [followup_case()], wib("2026-03-02 10:30"))
    engine.dispose()
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env=WIDE)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_preview_shows_what_would_go_out_then_and_sends_nothing(config_path: Path) -> None:
    code, out = run("alerts", "preview", "-c", str(config_path), "--at", "2026-03-05 08:30")
    assert code == 0, out
    assert key("warn-2") in out and TO in out
    assert "2026-03-05 08:30 WIB" in out
    code, out = run("alerts", "preview", "-c", str(config_path), "--at", "2026-03-13 09:00")
    assert key("escalate") in out and key("warn-2") not in out  # only the most severe
    code, out = run("alerts", "outbox", "-c", str(config_path), "--all")
    assert "outbox: empty" in out  # previewing recorded nothing


def test_preview_on_a_saturday_says_when_the_window_opens(config_path: Path) -> None:
    code, out = run("alerts", "preview", "-c", str(config_path), "--at", "2026-03-07 10:00")
    assert code == 0, out
    assert "2026-03-09 08:00 WIB" in out  # Monday's office hours
    assert "wait for their delivery window" in out


def test_a_bad_at_is_a_usage_error(config_path: Path) -> None:
    code, out = run("alerts", "preview", "-c", str(config_path), "--at", "next tuesday")
    assert code == 2
    assert "YYYY-MM-DD HH:MM" in out


# `alerts send` reads the wall clock, and mail goes out only in office hours: without
# a fixed present this test passed only between 08:00 and 16:00 WIB on working days.
SENT_AT = wib("2026-07-07 09:00")  # a Tuesday, long after the complaint's deadlines


def test_send_to_files_then_the_outbox_lists_nothing_pending(
    config_path: Path, tmp_path: Path
) -> None:
    mail_dir = tmp_path / "mail"
    with time_machine.travel(SENT_AT, tick=False):
        code, out = run("alerts", "send", "-c", str(config_path), "--to-files", str(mail_dir))
    assert code == 0, out
    files = sorted(mail_dir.glob("*.eml"))
    assert len(files) == 2  # long overdue by now: an escalation to TO and BOSS
    message = email.message_from_bytes(files[0].read_bytes(), policy=default)
    assert message["X-SP4N-Alert-Key"] == key("escalate")
    code, out = run("alerts", "outbox", "-c", str(config_path))
    assert code == 0
    assert key("escalate") not in out
    assert "2 sent" in out and "3 skipped" in out


def test_the_outbox_as_json_for_scripts(config_path: Path, tmp_path: Path) -> None:
    with time_machine.travel(SENT_AT, tick=False):
        code, out = run("alerts", "send", "-c", str(config_path), "--to-files", str(tmp_path))
    assert code == 0, out
    result = CliRunner().invoke(app, ["alerts", "outbox", "-c", str(config_path), "--all",
                                      "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["counts"] == {"sent": 2, "skipped": 3}
    sent = [row for row in document["rows"] if row["status"] == "sent"]
    assert sorted(row["recipient"] for row in sent) == sorted([TO, BOSS])
    assert all(row["key"] == key("escalate") and row["sent_at"] for row in sent)
