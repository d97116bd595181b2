"""``--json`` on every command that shows data: one document on stdout, the same
data as the human output (CONTRACT.md section 4)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import LONG_TO, LONG_UNIT, invoke

pytestmark = pytest.mark.integration


def document(*args: str) -> Any:
    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_deadline_json_has_the_due_instant_and_the_days_skipped() -> None:
    args = ("deadline", "--start", "2026-03-16 10:00", "--working-days", "5")

    found = document(*args)
    printed = invoke(*args)

    assert found["due"] == printed.stdout.splitlines()[-1]  # the plain mode's last line
    assert datetime.fromisoformat(found["due"]).utcoffset() is not None
    assert found["start"] == "2026-03-16T10:00:00+07:00"
    assert found["tz"] == "Asia/Jakarta"
    assert found["working_days"] == 5
    assert found["weekend_days"] == 2
    days = [holiday["date"] for holiday in found["holidays"]]
    assert days and all(day[:4] == "2026" for day in days)
    lines = printed.stdout.splitlines()
    holiday_lines = lines[
        1 : next(i for i, line in enumerate(lines) if line.startswith("weekends:"))
    ]
    assert len(found["holidays"]) == len(holiday_lines)
    for holiday, line in zip(found["holidays"], holiday_lines, strict=True):
        assert f"{holiday['date']} {holiday['name']}" in line
    assert set(found["holidays"][0]) == {"date", "name", "joint", "weekend", "estimated"}


def test_clocks_show_json_has_the_clocks_and_the_history(long_names: Path) -> None:
    found = document("clocks", "show", "LAP4", "-c", str(long_names))

    assert found["tracking_id"] == "LAP4"
    assert found["secret"] is False
    kinds = [(clock["kind"], clock["agency"], clock["state"]) for clock in found["clocks"]]
    assert ("followup", 4252, "met") in kinds
    assert ("followup", 4251, "transferred") in kinds
    followup = next(c for c in found["clocks"] if c["kind"] == "followup" and c["agency"] == 4252)
    assert followup["due_at"] == "2026-10-14T16:59:59+00:00"
    assert followup["working_days"] == 5
    to_unit = [
        event for event in found["history"] if event.get("to") == {"id": 4252, "name": LONG_UNIT}
    ]
    assert [event["event"] for event in to_unit] == ["status"]
    assert found["history"][-1]["event"] == "followup"


def test_clocks_show_json_hides_a_confidential_title(long_names: Path) -> None:
    found = document("clocks", "show", "LAP3", "-c", str(long_names))

    assert found["secret"] is True
    assert found["title"] is None
    assert "Rahasia" not in json.dumps(found)


def test_clocks_recompute_dry_run_json_counts_the_moves(long_names: Path) -> None:
    long_names.write_text(long_names.read_text() + "[clocks.followup]\nworking_days = 6\n")

    found = document("clocks", "recompute", "--dry-run", "-c", str(long_names))
    again = document("clocks", "recompute", "--dry-run", "-c", str(long_names))

    assert found["dry_run"] is True
    assert found["moved"] == len(found["moves"]) > 0
    assert "followup" in {move["kind"] for move in found["moves"]}
    assert again == found  # a dry run changed nothing


def test_alerts_preview_json_lists_the_mails(long_names: Path) -> None:
    found = document("alerts", "preview", "-c", str(long_names), "--at", "2026-11-02 09:00")

    assert found["at"] == "2026-11-02T09:00:00+07:00"
    # The digest, and the escalations of the two complaints never answered (3 and 8)
    # to both addresses; the answered ones' completion waits for their reporters.
    assert len(found["mails"]) == 9
    digest = next(mail for mail in found["mails"] if mail["kind"] == "digest")
    assert digest["recipient"] == LONG_TO
    assert digest["from"] == "new"
    assert set(digest) == {
        "sends_at", "kind", "tracking_id", "due_at", "recipient", "key", "zone", "from",
    }  # fmt: skip


def test_alerts_send_json_counts_what_went(long_names: Path, tmp_path: Path) -> None:
    mail = tmp_path / "mail"
    found = document("alerts", "send", "-c", str(long_names), "--to-files", str(mail), "--any-hour")

    assert found["sent"]["escalation"] == 5  # (a digest too, on a working day's morning)
    assert found["temporary_failures"] == found["permanent_failures"] == 0
    assert len(list(mail.glob("*.eml"))) == sum(found["sent"].values())


def test_track_add_remove_and_import_json(tmp_path: Path) -> None:
    config = tmp_path / "syncd.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "m.db"}"\n'
        '[[sources]]\nname = "lapor"\nkind = "simulator"\n'
    )
    c = str(config)

    assert document("track", "add", "-c", c, "1000001", "#1000002") == {
        "source": "lapor", "added": [1000001, 1000002], "already_tracked": [],
    }  # fmt: skip
    recap = tmp_path / "rekap.csv"
    recap.write_text("No;ID Laporan\n1;#1000001\n2;1000003\n3;LAP9\n", "utf-8")
    imported = document("track", "import", "-c", c, str(recap))
    rejected = imported.pop("rejected")
    assert imported == {
        "source": "lapor",
        "file": "rekap.csv",
        "column": "ID Laporan",
        "added": [1000003],
        "already_tracked": [1000001],
    }
    assert [row["row"] for row in rejected] == [4]
    assert "'LAP9' is not a complaint id" in rejected[0]["reason"]
    assert document("track", "remove", "-c", c, "1000002", "999") == {
        "source": "lapor", "removed": [1000002], "not_tracked": [999],
    }  # fmt: skip


def test_sync_json_has_a_pass_per_source(tmp_path: Path) -> None:
    config = tmp_path / "syncd.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "m.db"}"\n'
        '[[sources]]\nname = "sim"\nkind = "simulator"\ncomplaints = 20\n'
    )

    found = document("sync", "-c", str(config))

    assert found["ok"] is True
    (one,) = found["passes"]
    assert one["source"] == "sim"
    assert one["result"] == "ok"
    assert one["error"] is None
    assert one["listed"] == one["written"] == 20


def test_db_upgrade_json_names_the_revisions(tmp_path: Path) -> None:
    config = tmp_path / "syncd.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "m.db"}"\n'
        '[[sources]]\nname = "sim"\nkind = "simulator"\n'
    )

    first = document("db", "upgrade", "-c", str(config))
    second = document("db", "upgrade", "-c", str(config))

    assert first["before"] is None
    assert first["after"] == first["head"] == second["before"] == second["after"]
