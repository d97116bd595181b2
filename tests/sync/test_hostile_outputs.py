"""After a sync from a hostile upstream, as an operator runs it (real ``syncd``
processes, on SQLite and PostgreSQL): no confidential text and no reporter identity
in the debug log, the mail, any report format, the status, a complaint's clocks, the
outbox or the metrics."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import Engine

from syncd.config import load_config
from syncd.wiring import metrics
from tests.support.database import database_url
from tests.support.hostile import HostileUpstream
from tests.support.hostile_records import (
    all_records,
    assert_nothing_confidential_or_identifying,
    everything_stored,
)
from tests.support.processes import run_syncd

pytestmark = pytest.mark.integration


@pytest.fixture
def upstream() -> Iterator[HostileUpstream]:
    with HostileUpstream(all_records()) as server:
        yield server


def config_for(url: str, server: HostileUpstream, folder: Path) -> Path:
    for secret in ("key", "token"):
        (folder / secret).write_text(secret)
        (folder / secret).chmod(0o600)
    path = folder / "syncd.toml"
    path.write_text(
        f"""
[database]
url = "{url}"

[[sources]]
name = "lapor"
kind = "sp4n-lapor"
base_url = "{server.base_url}"
api_key_file = "{folder / "key"}"
token_file = "{folder / "token"}"
discovery = "listing"
max_requests_per_second = 1000

[alerts]
complaint_url_template = "https://lapor.example/{{tracking_id}}"

[alerts.smtp]
host = "127.0.0.1"
security = "none"

[[alerts.routes]]
agency = "*"
to = ["penghubung@example.go.id"]
escalate_to = ["asisten@example.go.id"]
"""
    )
    return path


def test_no_output_shows_a_confidential_text_or_the_reporter(
    engine: Engine, upstream: HostileUpstream, tmp_path: Path
) -> None:
    config = config_for(database_url(engine), upstream, tmp_path)
    c = ["-c", str(config)]
    env = {**os.environ, "COLUMNS": "200"}
    shown: list[str] = []

    synced = run_syncd("--log-level", "debug", "sync", *c, env=env)
    assert synced.returncode == 0, synced.stderr
    shown += [synced.stdout, synced.stderr]

    mail = tmp_path / "mail"
    sent = run_syncd("--log-level", "debug", "alerts", "send", *c, "--to-files", str(mail),
                     "--any-hour", env=env)  # fmt: skip
    assert sent.returncode == 0, sent.stderr
    mails = sorted(mail.glob("*.eml"))
    assert mails, "the clocks are breached: mail is written"
    shown += [sent.stdout, sent.stderr, *(m.read_text() for m in mails)]

    for fmt in ("table", "csv", "json", "md"):
        report = run_syncd("report", *c, "--year", "2025", "--format", fmt, env=env)
        assert report.returncode == 0, report.stderr
        shown.append(report.stdout)
    html = tmp_path / "report.html"
    report = run_syncd("report", *c, "--year", "2025", "--format", "html", "-o", str(html), env=env)
    assert report.returncode == 0, report.stderr
    shown.append(html.read_text())

    for command in (["status"], ["clocks", "show", "LAP3001"], ["clocks", "show", "LAP3002"],
                    ["alerts", "outbox", "--all"], ["alerts", "preview"]):  # fmt: skip
        result = run_syncd(*command, *c, env=env)
        assert result.returncode in (0, 1), result.stderr  # status: 1 while stale
        shown += [result.stdout, result.stderr]

    exposition = metrics(load_config(config), engine, CollectorRegistry())
    exposition.mirror.refresh()
    shown.append(exposition.mirror.rendered.decode())

    assert "LAP3002" in "\n".join(shown), "the confidential complaint is there, by its id"
    assert_nothing_confidential_or_identifying("\n".join(shown))
    assert_nothing_confidential_or_identifying(everything_stored(engine))
