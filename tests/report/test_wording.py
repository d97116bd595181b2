"""How the report writes numbers, dates and local times in each language."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from syncd.report.wording import ENGLISH, INDONESIAN, LANGUAGES, Wording, wording


def test_indonesian_writes_thousands_with_dots_and_decimals_with_commas() -> None:
    assert INDONESIAN.number(1_234_567) == "1.234.567"
    assert INDONESIAN.percent(0.9164) == "91,6%"
    assert INDONESIAN.decimal(1.5) == "1,5"
    assert ENGLISH.number(1_234_567) == "1,234,567"
    assert ENGLISH.percent(0.9164) == "91.6%"
    assert INDONESIAN.percent(None) == ENGLISH.decimal(None) == "-"


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("Asia/Jakarta", "20 November 2026 pukul 12.00 WIB"),
        ("Asia/Pontianak", "20 November 2026 pukul 12.00 WIB"),
        ("Asia/Makassar", "20 November 2026 pukul 13.00 WITA"),
        ("Asia/Jayapura", "20 November 2026 pukul 14.00 WIT"),
    ],
)
def test_an_instant_is_shown_in_the_agencys_time_with_its_zone(zone: str, shown: str) -> None:
    assert INDONESIAN.instant(datetime(2026, 11, 20, 5, 0, tzinfo=UTC), zone) == shown


def test_a_due_date_late_in_the_day_stays_on_its_local_date() -> None:
    due = datetime(2026, 10, 12, 16, 59, 59, tzinfo=UTC)  # 23:59:59 WIB
    assert INDONESIAN.instant(due, "Asia/Jakarta", short=True) == "12 Okt 2026 pukul 23.59 WIB"
    assert ENGLISH.instant(due, "Asia/Jakarta", short=True) == "12 Oct 2026, 23:59 WIB"
    assert INDONESIAN.day(date(2026, 8, 17)) == "17 Agustus 2026"


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_says_everything(language: str) -> None:
    words: Wording = wording(language)
    for name, value in vars(words).items():
        assert value, f"{language}: {name} is empty"
    assert set(words.clocks) == {"verification", "followup", "completion"}
    assert "reporter_reply" not in words.clocks, "the reporter's window is not a clock here"
