"""Report figures on a small mirror, every number counted by hand.

October 2026 (no holiday), reported on Friday 20 November 12:00 WIB. Sekadau
(Asia/Pontianak) has a sub-unit, Dinkes (Asia/Jakarta); Jayapura keeps WIT.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from syncd.clock.calendar import WorkingCalendar
from syncd.report.figures import ReportSettings, build_report
from syncd.report.period import Period
from syncd.report.render import to_json
from tests.support.histories import DINKES, JAYAPURA, SEKADAU
from tests.support.mirror import make_config
from tests.support.october import NOW, OCTOBER, mirror

pytestmark = pytest.mark.integration


@pytest.fixture
def october(engine: Engine) -> dict[str, Any]:
    mirror(engine)
    configured = {a.id: a.name for a in make_config(2525).agencies}
    settings = ReportSettings(calendar=WorkingCalendar(), names=configured)
    with engine.connect() as connection:
        report = build_report(connection, OCTOBER, NOW, settings)
    return {a["agency"]: a for a in to_json(report)["agencies"]}


def followup(entry: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = entry["clocks"]["followup"]
    return result


def test_an_agency_rolls_up_its_sub_unit_with_transfers_and_a_second_cycle(
    october: dict[str, Any],
) -> None:
    sekadau = october[str(SEKADAU)]
    assert sekadau["name"] == "Pemerintah Kabupaten Sekadau"  # the configured name wins
    assert followup(sekadau) == {
        "total": 8,
        "met": 3,
        "late": 1,
        "open_on_time": 0,
        "open_breached": 1,
        "transferred": 3,
        "cancelled": 0,
        "on_time_ratio": 0.6,
        "followed_up_ratio": 0.8,
        "grade": 2,
        "median_response_days": 1.5,
        "p90_response_days": 7.0,
    }
    own, unit = sekadau["units"]
    assert own["agency"] == str(SEKADAU)
    assert (own["name"], own["own_part"], unit["own_part"]) == (sekadau["name"], True, False)
    assert (followup(own)["total"], followup(own)["met"], followup(own)["transferred"]) == (6, 2, 2)
    assert followup(own)["on_time_ratio"] == 0.5
    assert followup(own)["median_response_days"] == 2.0
    assert unit["agency"] == str(DINKES)
    assert unit["name"] == "Dinas Kesehatan Sekadau"
    assert (followup(unit)["total"], followup(unit)["met"], followup(unit)["transferred"]) == (
        2,
        1,
        1,
    )
    assert followup(unit)["grade"] == 5
    assert str(DINKES) not in october, "a sub-unit is listed under its parent only"


def test_a_clock_open_across_the_period_end_counts_by_how_it_stands_now(
    october: dict[str, Any],
) -> None:
    jayapura = october[str(JAYAPURA)]
    assert jayapura["name"] == "Pemerintah Kota Jayapura"
    figures = followup(jayapura)
    assert (figures["total"], figures["met"], figures["open_breached"]) == (3, 1, 1)
    assert figures["open_on_time"] == 1  # postponed: paused clocks are open on time
    assert (figures["on_time_ratio"], figures["grade"]) == (0.5, 2)
    assert figures["median_response_days"] == 2.0  # Friday 30 Oct to Tuesday 3 Nov


def test_the_complaints_not_followed_up_say_how_late_and_hide_confidential_titles(
    october: dict[str, Any],
) -> None:
    [secret] = october[str(SEKADAU)]["not_followed_up"]
    assert secret["tracking_id"] == "LAP3"
    assert secret["title"] is None
    assert secret["holder_name"] == "Pemerintah Kabupaten Sekadau"
    assert secret["working_days_late"] == 29  # due Monday 12 October
    [late] = october[str(JAYAPURA)]["not_followed_up"]
    assert (late["tracking_id"], late["title"], late["working_days_late"]) == (
        "LAP7",
        "Jalan rusak",
        10,
    )
    assert "LAP8" not in str(october), "September's complaint is outside the period"


def test_a_period_with_nothing_in_it_has_no_ratio_and_no_grade(engine: Engine) -> None:
    mirror(engine)
    with engine.connect() as connection:
        report = build_report(
            connection, Period.month("2026-07"), NOW, ReportSettings(calendar=WorkingCalendar())
        )
    assert to_json(report)["agencies"] == []
