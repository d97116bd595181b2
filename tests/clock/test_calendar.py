"""syncd.clock.calendar: Indonesian working days, due instants and ``syncd deadline``.

Golden dates come from the SKB 3 Menteri of each year (national holidays and cuti
bersama), counted by hand in the comments; the ``holidays`` package supplies them.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from syncd.cli import app
from syncd.cli.common import EXIT_CONFIG
from syncd.clock import Holiday, WorkingCalendar, zone_abbreviation
from syncd.config.model import CalendarConfig
from syncd.wiring import working_calendar
from tests.support.processes import SYNCD

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
WIT = ZoneInfo("Asia/Jayapura")
NATIONAL = WorkingCalendar()
SIMULATOR = '[[sources]]\nname = "sim"\nkind = "simulator"\n'


def due(
    start: str, working_days: int, zone: ZoneInfo = WIB, cal: WorkingCalendar = NATIONAL
) -> str:
    """The due instant, ISO 8601, of a clock started at wall time ``start`` in ``zone``."""
    started = datetime.fromisoformat(start).replace(tzinfo=zone)
    return cal.due_instant(started, working_days, zone).isoformat()


# -- golden dates ---------------------------------------------------------------------


def test_it_gives_the_contract_example() -> None:
    # Thu 27 Mar 2025. Off: 28 Fri cuti bersama Nyepi, 29-30 weekend (Nyepi on Sat),
    # 31 Mon Idul Fitri, 1 Apr Idul Fitri 2, 2-4 Apr cuti bersama, 5-6 weekend,
    # 7 Apr cuti bersama. Counted: 8 Apr (1), 9 (2), 10 (3), 11 (4), 14 Mon (5).
    assert due("2025-03-27 10:00", 5) == "2025-04-14T23:59:59+07:00"


def test_it_skips_lebaran_2024() -> None:
    # Fri 5 Apr 2024. Off: 6-7 weekend, 8-9 cuti bersama, 10-11 Idul Fitri 1445 H,
    # 12 cuti bersama, 13-14 weekend, 15 Mon cuti bersama.
    # Counted: 16 Tue (1), 17 (2), 18 (3), 19 (4), 22 Mon (5).
    assert due("2024-04-05 09:00", 5) == "2024-04-22T23:59:59+07:00"
    # Fourteen: ... 22 (5), 23 (6), 24 (7), 25 (8), 26 (9), 29 (10), 30 (11),
    # 1 May is Labour Day, 2 (12), 3 (13), 6 Mon (14).
    assert due("2024-04-05 09:00", 14) == "2024-05-06T23:59:59+07:00"


def test_it_skips_lebaran_2026() -> None:
    # Tue 17 Mar 2026. Off: 18 Wed cuti bersama Nyepi, 19 Thu Nyepi, 20 Fri cuti
    # bersama, 21-22 Idul Fitri 1447 H (a weekend), 23-24 cuti bersama.
    # Counted: 25 Wed (1), 26 (2), 27 (3), 30 Mon (4), 31 Tue (5).
    assert due("2026-03-17 14:00", 5) == "2026-03-31T23:59:59+07:00"
    # Fourteen: ... 31 (5), 1 Apr (6), 2 (7), 3 Apr is Good Friday, 6 (8), 7 (9),
    # 8 (10), 9 (11), 10 (12), 13 (13), 14 Tue (14).
    assert due("2026-03-17 14:00", 14) == "2026-04-14T23:59:59+07:00"


def test_it_skips_christmas_2025_into_the_next_year() -> None:
    # Wed 24 Dec 2025. Off: 25 Thu Natal, 26 Fri cuti bersama, 27-28 weekend.
    # Counted: 29 Mon (1), 30 (2), 31 (3); 1 Jan 2026 Tahun Baru; 2 Fri (4), 5 Mon (5).
    assert due("2025-12-24 10:00", 3) == "2025-12-31T23:59:59+07:00"
    assert due("2025-12-24 10:00", 5) == "2026-01-05T23:59:59+07:00"
    natal = NATIONAL.holiday(date(2025, 12, 25))
    cuti = NATIONAL.holiday(date(2025, 12, 26))
    assert natal == Holiday(date(2025, 12, 25), "Hari Raya Natal", estimated=False, joint=False)
    assert cuti is not None
    assert cuti.joint
    assert "Natal" in cuti.name


def test_it_counts_from_the_local_date_of_each_agency() -> None:
    # 15:30 UTC on Wed 2 Jul 2025 is 22:30 WIB and 23:30 WITA (still Wednesday) but
    # 00:30 WIT on Thursday; 16:30 UTC is already Thursday in WITA too.
    # From Wed: 3, 4, 7, 8, 9 Jul; from Thu: 4, 7, 8, 9, 10 Jul.
    instant = datetime(2025, 7, 2, 15, 30, tzinfo=UTC)
    assert NATIONAL.due_instant(instant, 5, WIB).isoformat() == "2025-07-09T23:59:59+07:00"
    assert NATIONAL.due_instant(instant, 5, WITA).isoformat() == "2025-07-09T23:59:59+08:00"
    assert NATIONAL.due_instant(instant, 5, WIT).isoformat() == "2025-07-10T23:59:59+09:00"
    later = instant + timedelta(hours=1)
    assert NATIONAL.due_instant(later, 5, WIB).isoformat() == "2025-07-09T23:59:59+07:00"
    assert NATIONAL.due_instant(later, 5, WITA).isoformat() == "2025-07-10T23:59:59+08:00"


def test_it_applies_extra_holidays() -> None:
    # Tue 29 Dec 2026: 30 (1), 31 (2). With 31 Dec off by decree: 1 Jan 2027 (Fri) is
    # Tahun Baru, 2-3 weekend, so 4 Jan (2).
    assert due("2026-12-29 08:00", 2) == "2026-12-31T23:59:59+07:00"
    extra = WorkingCalendar(extra_holidays=[date(2026, 12, 31)])
    assert due("2026-12-29 08:00", 2, cal=extra) == "2027-01-04T23:59:59+07:00"
    assert extra.holiday(date(2026, 12, 31)) == Holiday(
        date(2026, 12, 31), "Libur tambahan (konfigurasi)", estimated=False, joint=False
    )


def test_it_applies_extra_working_days_even_on_weekends() -> None:
    # Wed 24 Dec 2025, 3 working days: 29, 30, 31 Dec nationally.
    # With 26 Dec (cuti bersama) worked: 26 (1), 29 (2), 30 (3).
    # With Sat 27 Dec worked as well: 26 (1), 27 (2), 29 (3).
    worked = WorkingCalendar(extra_working_days=[date(2025, 12, 26)])
    assert due("2025-12-24 10:00", 3, cal=worked) == "2025-12-30T23:59:59+07:00"
    assert worked.holiday(date(2025, 12, 26)) is None
    saturday = WorkingCalendar(extra_working_days=[date(2025, 12, 26), date(2025, 12, 27)])
    assert saturday.is_working_day(date(2025, 12, 27))
    assert due("2025-12-24 10:00", 3, cal=saturday) == "2025-12-29T23:59:59+07:00"


def test_it_can_ignore_cuti_bersama() -> None:
    # Thu 27 Mar 2025 without cuti bersama: 28 Fri (1); 31 Mar and 1 Apr are still
    # Idul Fitri; 2 (2), 3 (3), 4 (4), 7 Mon (5).
    national_only = WorkingCalendar(joint_holidays=False)
    assert due("2025-03-27 10:00", 5, cal=national_only) == "2025-04-07T23:59:59+07:00"
    assert national_only.holiday(date(2025, 3, 28)) is None
    assert national_only.holiday(date(2025, 3, 31)) is not None


def test_it_builds_from_the_configuration() -> None:
    config = CalendarConfig(
        joint_holidays=False,
        extra_holidays=[date(2025, 4, 2)],
        extra_working_days=[date(2025, 3, 29)],
    )
    cal = working_calendar(config)
    # 28 Fri (1), Sat 29 worked (2), 2 Apr off by configuration, 3 (3), 4 (4), 7 (5).
    assert due("2025-03-27 10:00", 5, cal=cal) == "2025-04-07T23:59:59+07:00"
    assert due("2025-03-27 10:00", 4, cal=cal) == "2025-04-04T23:59:59+07:00"


def test_it_flags_estimated_holidays_of_far_years_only() -> None:
    far = NATIONAL.estimated_between(date(2029, 12, 31), date(2030, 12, 31))
    assert far
    assert all(holiday.estimated and holiday.day.year == 2030 for holiday in far)
    assert any("Idul Fitri" in holiday.name for holiday in far)
    assert all("perkiraan" not in holiday.name for holiday in far)
    assert NATIONAL.estimated_between(date(2024, 12, 31), date(2025, 12, 31)) == []
    known = NATIONAL.holiday(date(2025, 3, 31))
    assert known is not None
    assert not known.estimated
    assert NATIONAL.holiday(date(2025, 3, 26)) is None


def test_it_rejects_a_naive_start_and_negative_days() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        NATIONAL.due_instant(datetime(2025, 3, 27, 10), 5, WIB)
    with pytest.raises(ValueError, match=">= 0"):
        NATIONAL.add_working_days(date(2025, 3, 27), -1)


def test_it_counts_working_days_between() -> None:
    assert NATIONAL.working_days_between(date(2025, 3, 27), date(2025, 4, 14)) == 5
    assert NATIONAL.working_days_between(date(2025, 4, 14), date(2025, 3, 27)) == 0
    assert NATIONAL.working_days_between(date(2025, 4, 14), date(2025, 4, 14)) == 0
    assert NATIONAL.add_working_days(date(2025, 4, 14), 0) == date(2025, 4, 14)


def test_it_names_indonesian_zones() -> None:
    assert zone_abbreviation(WIB) == "WIB"
    assert zone_abbreviation(ZoneInfo("Asia/Pontianak")) == "WIB"
    assert zone_abbreviation(WITA) == "WITA"
    assert zone_abbreviation(WIT) == "WIT"
    assert zone_abbreviation(ZoneInfo("UTC")) == "UTC"


# -- properties -----------------------------------------------------------------------

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2032, 12, 31))
counts = st.integers(min_value=0, max_value=400)
offsets = st.sets(st.integers(min_value=-5, max_value=505), max_size=12)
"""Extra days near a range under test, as offsets from its start."""


@settings(deadline=None)
@given(start=days, n=st.integers(min_value=1, max_value=400))
def test_it_lands_on_a_working_day(start: date, n: int) -> None:
    landed = NATIONAL.add_working_days(start, n)
    assert landed > start
    assert NATIONAL.is_working_day(landed)


@settings(deadline=None)
@given(start=days, n=counts)
def test_it_counts_back_what_it_added(start: date, n: int) -> None:
    assert NATIONAL.working_days_between(start, NATIONAL.add_working_days(start, n)) == n


@settings(deadline=None)
@given(
    first=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2032, 12, 31)),
    gap=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=800)),
    n=counts,
    more=st.integers(min_value=0, max_value=100),
    zone=st.sampled_from([WIB, WITA, WIT]),
)
def test_it_is_monotonic_in_start_and_in_working_days(
    first: datetime, gap: timedelta, n: int, more: int, zone: ZoneInfo
) -> None:
    earlier = first.replace(tzinfo=UTC)
    later = earlier + gap
    assert NATIONAL.due_instant(earlier, n, zone) <= NATIONAL.due_instant(later, n, zone)
    assert NATIONAL.due_instant(earlier, n, zone) <= NATIONAL.due_instant(earlier, n + more, zone)


@settings(max_examples=60, deadline=None)
@given(
    start=days,
    length=st.integers(min_value=0, max_value=500),
    off_offsets=offsets,
    on_offsets=offsets,
    joint=st.booleans(),
)
def test_it_agrees_with_a_day_by_day_reference(
    start: date, length: int, off_offsets: set[int], on_offsets: set[int], joint: bool
) -> None:
    span = [start + timedelta(days=i) for i in range(1, length + 1)]
    extra_on = {start + timedelta(days=i) for i in on_offsets}
    extra_off = {start + timedelta(days=i) for i in off_offsets} - extra_on
    cal = WorkingCalendar(
        extra_holidays=extra_off, extra_working_days=extra_on, joint_holidays=joint
    )
    categories = ("public", "government") if joint else ("public",)
    package = holidays.country_holidays(
        "ID", years=range(start.year, start.year + 3), categories=categories
    )
    off = set(package) | extra_off

    expected = [day for day in span if day in extra_on or (day.weekday() < 5 and day not in off)]

    assert [day for day in span if cal.is_working_day(day)] == expected
    assert cal.working_days_between(start, start + timedelta(days=length)) == len(expected)
    if expected:
        assert cal.add_working_days(start, len(expected)) == expected[-1]


# -- syncd deadline -------------------------------------------------------------------


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["deadline", *args])
    return result.exit_code, result.stdout, result.stderr


def test_it_prints_the_due_instant_last() -> None:
    code, out, _ = run("--start", "2025-03-27 10:00", "--working-days", "5")
    assert code == 0
    lines = out.splitlines()
    assert lines[-1] == "2025-04-14T23:59:59+07:00"
    assert any("2025-03-31" in line and "Idul Fitri" in line for line in lines)
    assert "perkiraan" not in out


def test_it_flags_estimated_dates_on_the_way() -> None:
    code, out, _ = run(
        "--start", "2030-01-30 10:00", "--working-days", "5", "--tz", "Asia/Jayapura"
    )
    assert code == 0
    # Wed 30 Jan 2030: 31 (1), 1 Feb (2); 4-5 Feb Idul Fitri (estimated); 6 (3), 7 (4), 8 (5).
    assert out.splitlines()[-1] == "2030-02-08T23:59:59+09:00"
    flagged = [line for line in out.splitlines() if "(perkiraan / estimated)" in line]
    assert any("2030-02-04" in line for line in flagged)
    assert "WIT" in out


@pytest.mark.parametrize(
    "args",
    [
        ("--start", "27/03/2025 10:00", "--working-days", "5"),
        ("--start", "2025-02-30 10:00", "--working-days", "5"),
        ("--start", "2025-03-27 10:00", "--working-days", "-1"),
        ("--start", "2025-03-27 10:00", "--working-days", "five"),
        ("--start", "2025-03-27 10:00", "--working-days", "5", "--tz", "Asia/Atlantis"),
        (
            "--working-days",
            "5",
        ),
    ],
)
def test_it_exits_2_on_bad_input(args: tuple[str, ...]) -> None:
    code, out, _ = run(*args)
    assert code == 2
    assert out == ""


def test_it_applies_the_configured_calendar(tmp_path: Path) -> None:
    path = tmp_path / "syncd.toml"
    path.write_text(SIMULATOR + '[calendar]\nextra_holidays = ["2025-04-14"]\n', encoding="utf-8")
    code, out, _ = run("--start", "2025-03-27 10:00", "--working-days", "5", "-c", str(path))
    assert code == 0
    assert out.splitlines()[-1] == "2025-04-15T23:59:59+07:00"
    assert "Libur tambahan (konfigurasi)" in out


def test_it_exits_78_on_a_bad_configuration(tmp_path: Path) -> None:
    path = tmp_path / "syncd.toml"
    path.write_text(SIMULATOR + "[calendar]\nholidays = []\n", encoding="utf-8")
    code, _, err = run("--start", "2025-03-27 10:00", "--working-days", "5", "-c", str(path))
    assert code == EXIT_CONFIG
    assert "calendar" in err


@pytest.mark.integration
def test_it_runs_as_the_installed_command() -> None:
    syncd = SYNCD
    done = subprocess.run(
        [
            str(syncd),
            "deadline",
            "--start",
            "2025-12-24 10:00",
            "--working-days",
            "5",
            "--tz",
            "Asia/Makassar",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "2026-01-05T23:59:59+08:00"
