"""Every table the command line prints fits 80 columns, on stdout, with long names
wrapped onto more lines and none cut short (CONTRACT.md section 4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import (
    LONG_BOSS,
    LONG_SOURCE,
    LONG_TO,
    LONG_UNIT,
    assert_fits,
    column_text,
    invoke,
    squeezed,
)

pytestmark = pytest.mark.integration


def test_clocks_show_wraps_a_long_institution_name(long_names: Path) -> None:
    shown = invoke("clocks", "show", "LAP4", "-c", str(long_names))

    assert shown.exit_code == 0, shown.output
    assert_fits(shown.stdout)
    assert squeezed(f"dispositioned → {LONG_UNIT} (4252)") in column_text(shown.stdout, "what")
    for kind in ("verification", "completion", "followup", "reporter_reply"):
        assert kind in column_text(shown.stdout, "clock")
    # A time wraps into its date and its time, never into pieces of a date.
    assert "2026-10-06" in shown.stdout.replace("│", " ").split()


def test_clocks_recompute_fits(long_names: Path) -> None:
    long_names.write_text(long_names.read_text() + "[clocks.followup]\nworking_days = 6\n")

    dry = invoke("clocks", "recompute", "--dry-run", "-c", str(long_names))

    assert dry.exit_code == 0, dry.output
    assert "due dates that move" in dry.stdout
    assert_fits(dry.stdout)


def test_alerts_preview_folds_long_addresses(long_names: Path) -> None:
    preview = invoke("alerts", "preview", "-c", str(long_names), "--at", "2026-11-02 09:00")

    assert preview.exit_code == 0, preview.output
    assert_fits(preview.stdout)
    recipients = column_text(preview.stdout, "sends at", index=4)  # its header wraps
    # The digest and four escalations to the liaison, the four to the superior.
    assert recipients.count(LONG_TO) == 5, recipients
    assert recipients.count(LONG_BOSS) == 4, recipients
    assert "lapor:3/4251/completion/1/escalate" in column_text(preview.stdout, "key")


def test_alerts_outbox_fits_with_long_addresses(long_names: Path, tmp_path: Path) -> None:
    sent = invoke(
        "alerts", "send", "-c", str(long_names), "--to-files", str(tmp_path / "mail"), "--any-hour"
    )
    assert sent.exit_code == 0, sent.output

    shown = invoke("alerts", "outbox", "--all", "-c", str(long_names))

    assert shown.exit_code == 0, shown.output
    assert_fits(shown.stdout)
    assert "sent" in column_text(shown.stdout, "status")


def test_status_wraps_a_long_source_name(long_names: Path) -> None:
    long_names.write_text(
        long_names.read_text().replace('name = "lapor"', f'name = "{LONG_SOURCE}"')
    )

    status = invoke("status", "-c", str(long_names))

    assert status.exit_code == 1, status.output  # that source never synced
    assert_fits(status.stdout)
    assert LONG_SOURCE in column_text(status.stdout, "source")


def test_track_list_wraps_a_long_source_and_file_name(long_names: Path, tmp_path: Path) -> None:
    long_names.write_text(
        long_names.read_text().replace('name = "lapor"', f'name = "{LONG_SOURCE}"')
    )
    recap = tmp_path / "rekap-pengaduan-dinas-penanaman-modal-ptsp-sekadau-2026-oktober.csv"
    recap.write_text("ID Laporan\n1000001\n1000002\n", "utf-8")
    assert invoke("track", "import", "-c", str(long_names), str(recap)).exit_code == 0

    listed = invoke("track", "list", "-c", str(long_names))

    assert listed.exit_code == 0, listed.output
    assert_fits(listed.stdout)
    assert squeezed(LONG_SOURCE * 2) == column_text(listed.stdout, "source")
    assert f"{recap.name}:2" in column_text(listed.stdout, "from")


def test_sync_prints_its_summary_on_stdout_within_80_columns(tmp_path: Path) -> None:
    config = tmp_path / "syncd.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "m.db"}"\n'
        f'[[sources]]\nname = "{LONG_SOURCE}"\nkind = "simulator"\ncomplaints = 20\n'
    )

    synced = invoke("sync", "-c", str(config))

    assert synced.exit_code == 0, synced.output
    assert "sync" in synced.stdout and "listed" in synced.stdout
    assert_fits(synced.stdout)
    assert LONG_SOURCE in column_text(synced.stdout, "source")
