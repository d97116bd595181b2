"""The report's charts: round axis steps, no label cut, numbers written the report's way."""

from __future__ import annotations

import re

import pytest

from syncd.report.charts import grouped_bars, horizontal_bars, nice_ticks, ratio_lines
from syncd.report.wording import ENGLISH, INDONESIAN


@pytest.mark.parametrize(
    ("highest", "ticks"),
    [
        (838, [0, 200, 400, 600, 800, 1000]),  # not 0, 210, 419, 628, 838
        (1000, [0, 200, 400, 600, 800, 1000]),
        (7, [0, 2, 4, 6, 8]),
        (3, [0, 1, 2, 3]),
        (1, [0, 1]),
        (0, [0, 1]),
        (12_345, [0, 5000, 10_000, 15_000]),
        (1_000_001, [0, 200_000, 400_000, 600_000, 800_000, 1_000_000, 1_200_000]),
    ],
)
def test_counts_step_by_one_two_or_five_times_a_power_of_ten(
    highest: int, ticks: list[int]
) -> None:
    assert nice_ticks(highest, whole=True) == ticks


def test_every_step_is_round_and_the_top_covers_the_highest() -> None:
    for highest in [*range(1, 2000, 37), 0.3, 0.07, 98_765_432]:
        ticks = nice_ticks(highest)
        step = ticks[1]
        mantissa = step / 10 ** math_floor_log10(step)
        assert round(mantissa, 6) in (1, 2, 5), (highest, ticks)
        assert ticks[-1] >= highest and len(ticks) <= 7


def math_floor_log10(value: float) -> int:
    import math

    return math.floor(math.log10(value) + 1e-9)


def test_the_axis_is_written_the_reports_way() -> None:
    chart = grouped_bars("t", ["Jan 26"], [("diterima", [8_380])], number=INDONESIAN.number)
    labels = re.findall(r'text-anchor="end">([^<]+)<', chart)
    assert labels == ["0", "2.000", "4.000", "6.000", "8.000", "10.000"]
    line = ratio_lines("t", ["Jan 26"], [("on time", [0.5])], percent=ENGLISH.percent)
    assert re.findall(r'text-anchor="end">([^<]+)<', line) == [
        "0%",
        "20%",
        "40%",
        "60%",
        "80%",
        "100%",
    ]


def test_a_long_agency_name_wraps_instead_of_being_cut() -> None:
    name = (
        "Dinas Pemberdayaan Masyarakat, Desa, Perempuan dan Perlindungan Anak, "
        "Pengendalian Penduduk dan Keluarga Berencana Kabupaten Sekadau"
    )
    chart = horizontal_bars("t", [(name, [3, 5])], ["tindak lanjut", "penyelesaian"], "-")
    legend = {"tindak lanjut", "penyelesaian"}
    lines = [
        line
        for line in re.findall(r'<text x="\d+" y="\d+">([^<]+)</text>', chart)
        if not line.isdigit() and line not in legend
    ]
    assert " ".join(lines) == name
    assert len(lines) == 2
