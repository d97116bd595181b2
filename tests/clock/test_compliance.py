"""Compliance figures and grades (CONTRACT.md section 2)."""

from __future__ import annotations

import pytest

from syncd.clock.compliance import ClockFigures, GradeBands


@pytest.mark.parametrize(
    ("ratio", "grade"),
    [
        (1.0, 5),
        (0.95, 5),
        (0.9499, 4),
        (0.85, 4),
        (0.70, 3),
        (0.6999, 2),
        (0.5, 2),
        (0.49, 1),
        (0.0, 1),
        (None, None),
    ],
)
def test_it_grades_by_the_default_bands(ratio: float | None, grade: int | None) -> None:
    assert GradeBands().grade(ratio) == grade


def test_the_ratios_leave_transferred_cancelled_and_open_on_time_out() -> None:
    figures = ClockFigures(
        met=6, late=2, open_on_time=9, open_breached=2, transferred=4, cancelled=1
    )
    assert figures.on_time_ratio == 6 / 10
    assert figures.followed_up_ratio == 8 / 10


def test_with_nothing_judged_the_ratios_are_none_not_zero() -> None:
    figures = ClockFigures(open_on_time=3, transferred=1)
    assert figures.on_time_ratio is None
    assert figures.followed_up_ratio is None
