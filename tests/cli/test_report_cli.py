"""``syncd report`` from the command line, in every format, on the hand-counted mirror."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from syncd.cli import app
from syncd.store import make_engine, upgrade
from tests.support.october import mirror, write_october_config

pytestmark = pytest.mark.integration

SECRET_TITLE = "Rahasia negara"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    database = tmp_path / "syncd.db"
    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    mirror(engine)
    engine.dispose()
    return write_october_config(tmp_path / "syncd.toml", database)


def report(config: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["report", "-c", str(config), "--month", "2026-10", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_json_keeps_the_contract_shape(config: Path) -> None:
    printed = json.loads(report(config, "--format", "json"))
    assert printed["period"] == {"from": "2026-10-01", "to": "2026-10-31"}
    assert printed["grade_bands"] == "local default, not a regulation"
    sekadau = next(a for a in printed["agencies"] if a["agency"] == "4251")
    assert sekadau["name"] == "Pemerintah Kabupaten Sekadau"
    assert set(sekadau["clocks"]["followup"]) >= {
        "total",
        "met",
        "late",
        "open_on_time",
        "open_breached",
        "transferred",
        "cancelled",
        "on_time_ratio",
        "followed_up_ratio",
        "grade",
    }
    assert SECRET_TITLE not in json.dumps(printed)


def test_csv_has_a_row_per_agency_unit_and_clock(config: Path) -> None:
    table = list(csv.DictReader(io.StringIO(report(config, "--format", "csv"))))
    followups = {(r["agency"], r["part_of"]): r for r in table if r["clock"] == "followup"}
    assert followups["4251", ""]["total"] == "8"
    assert followups["4252", "4251"]["met"] == "1"
    assert followups["9471", ""]["on_time_ratio"] == "0.5"


def english(config: Path) -> Path:
    config.write_text(config.read_text() + '[reports]\nlanguage = "en"\n')
    return config


@pytest.mark.parametrize(
    ("language", "confidential"), [("id", "(rahasia)"), ("en", "(confidential)")]
)
def test_markdown_and_html_hide_the_confidential_title(
    config: Path, tmp_path: Path, language: str, confidential: str
) -> None:
    if language == "en":
        english(config)
    markdown = report(config, "--format", "md")
    assert "| LAP3 |" in markdown
    assert confidential in markdown
    assert "Jalan rusak" in markdown
    assert SECRET_TITLE not in markdown
    page = tmp_path / "october.html"
    report(config, "--format", "html", "--output", str(page))
    html = page.read_text()
    assert html.count("<svg") == 3
    assert "<script" not in html
    assert "src=" not in html and "href=" not in html, "self-contained: nothing to fetch"
    assert SECRET_TITLE not in html
    assert "LAP3" in html and confidential in html


def test_the_report_is_indonesian_by_default_with_local_times(config: Path, tmp_path: Path) -> None:
    markdown = report(config, "--format", "md")
    assert markdown.startswith("# Laporan Kepatuhan Waktu Tanggapan Pengaduan\n")
    assert "Periode 1 Oktober 2026 s.d. 31 Oktober 2026" in markdown
    assert "\n## Tindak lanjut\n" in markdown and "\n## Penyelesaian\n" in markdown
    assert "ketentuan setempat, bukan peraturan" in markdown
    # Due dates in the holder's own time: Sekadau keeps WIB (Pontianak), Jayapura WIT.
    assert "| LAP3 | Pemerintah Kabupaten Sekadau | 12 Okt 2026 pukul 23.59 WIB |" in markdown
    assert "| LAP7 | Pemerintah Kota Jayapura | 6 Nov 2026 pukul 23.59 WIT |" in markdown
    assert "UTC" not in markdown
    assert "60,0%" in markdown, "Indonesian decimals"
    page = tmp_path / "october.html"
    report(config, "--format", "html", "--output", str(page))
    html = page.read_text()
    assert '<html lang="id">' in html
    for words in ("Tepat waktu", "Terlambat", "Melewati batas waktu", "Instansi", "Nilai"):
        assert words in html
    assert "UTC" not in html


def test_english_is_a_setting_and_json_keeps_its_keys(config: Path) -> None:
    indonesian = json.loads(report(config, "--format", "json"))
    english(config)
    markdown = report(config, "--format", "md")
    assert markdown.startswith("# Complaint Response Time Compliance Report\n")
    assert "| LAP7 | Pemerintah Kota Jayapura | 6 Nov 2026, 23:59 WIT |" in markdown
    printed = json.loads(report(config, "--format", "json"))
    printed.pop("generated_at"), indonesian.pop("generated_at")
    assert printed == indonesian, "JSON is the same in either language"


def test_an_unknown_language_is_a_configuration_error(config: Path) -> None:
    config.write_text(config.read_text() + '[reports]\nlanguage = "jv"\n')
    result = CliRunner().invoke(app, ["report", "-c", str(config), "--month", "2026-10"])
    assert result.exit_code == 78
    assert "reports.language" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "2026", "--month", "2026-10"], "give one of --year, --month or --from/--to"),
        (["--from", "2026-10-01"], "--from and --to go together"),
        (["--month", "2026-13"], "is not a month"),
        (["--from", "2026-10-31", "--to", "2026-10-01"], "ends (2026-10-01) before it starts"),
    ],
)
def test_a_bad_period_is_a_usage_error_that_says_why(
    config: Path, args: list[str], message: str
) -> None:
    result = CliRunner().invoke(app, ["report", "-c", str(config), *args])
    assert result.exit_code == 2
    assert message in result.output


def test_one_agency_comes_with_its_sub_units_and_a_sub_unit_alone(config: Path) -> None:
    sekadau = json.loads(report(config, "--format", "json", "--agency", "4251"))["agencies"]
    assert [a["agency"] for a in sekadau] == ["4251"]
    assert sekadau[0]["clocks"]["followup"]["total"] == 8
    assert [u["agency"] for u in sekadau[0]["units"]] == ["4251", "4252"]
    dinkes = json.loads(report(config, "--format", "json", "--agency", "4252"))["agencies"]
    assert [a["agency"] for a in dinkes] == ["4252"]
    assert dinkes[0]["clocks"]["followup"]["total"] == 2
    assert dinkes[0]["units"] == []


def test_an_agency_with_nothing_in_the_period_is_said_so(config: Path) -> None:
    result = CliRunner().invoke(
        app, ["report", "-c", str(config), "--month", "2026-10", "--agency", "999"]
    )
    assert result.exit_code == 0
    assert "no clock started between 2026-10-01 and 2026-10-31 for agency 999" in result.output


def test_an_output_that_cannot_be_written_is_said_so(config: Path, tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "folder" / "report.html"
    result = CliRunner().invoke(
        app, ["report", "-c", str(config), "--format", "html", "-o", str(target)]
    )
    assert result.exit_code == 1
    said = " ".join(result.output.split()).replace("\n", "")
    assert said.startswith("cannot write")
    assert "No such file or directory" in said
    assert isinstance(result.exception, SystemExit), "no traceback"


@pytest.mark.parametrize(
    ("language", "headers"),
    [("id", ("instansi", "terlambat", "nilai")), ("en", ("agency", "late", "grade"))],
)
def test_the_table_fits_80_columns_and_cuts_no_name(
    config: Path, language: str, headers: tuple[str, ...]
) -> None:
    if language == "en":
        english(config)
    result = CliRunner().invoke(
        app, ["report", "-c", str(config), "--month", "2026-10"], env={"COLUMNS": "80"}
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in result.stdout
    words = " ".join(lines)
    for word in ("Pemerintah", "Kabupaten", "Sekadau", "Jayapura", *headers):
        assert word in words, f"{word} cut from the table"
    assert "reporter" not in words.lower() and "pelapor" not in words.lower()


def test_one_agencys_report_is_dated_in_its_own_time(config: Path) -> None:
    jayapura = report(config, "--format", "md", "--agency", "9471")
    assert jayapura.split("\n\n")[1].endswith(" WIT."), "generated at, in Jayapura's time"
    everyone = report(config, "--format", "md")
    assert everyone.split("\n\n")[1].endswith(" WIB."), "the platform's time otherwise"


def test_a_period_with_holidays_only_estimated_says_so(config: Path) -> None:
    result = CliRunner().invoke(
        app, ["report", "-c", str(config), "--year", "2027", "--format", "md"]
    )
    assert result.exit_code == 0, result.output
    assert "Tanggal hari libur berikut masih berupa perkiraan: " in result.stdout
    assert "Hari Raya Idul Fitri" in result.stdout
    october = report(config, "--format", "md")
    assert "perkiraan" not in october
